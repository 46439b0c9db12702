#!/usr/bin/python3
"""The dump a user would write with NumPy instead of milvus-migrate, as the
bench's peer: every segment of a 1.x tables directory loaded whole (the
8-byte length header of .rv and .uid skipped), the rows in deleted_docs
removed, and id.npy and data.npy saved beside each other. One process, no
journal, no checksum, no fsync (the bench's `sync` after it makes the bytes
durable, as it does for cp and for the dump).

Usage: numpy_peer.py TABLES_DIR OUT_DIR DIM
"""
import os
import sys

import numpy as np


def main():
    tables, out, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for collection in sorted(os.listdir(tables)):
        for segment in sorted(os.listdir(os.path.join(tables, collection))):
            seg_dir = os.path.join(tables, collection, segment)
            names = os.listdir(seg_dir)
            rv = next(n for n in names if n.endswith(".rv"))
            uid = next(n for n in names if n.endswith(".uid"))
            vectors = np.fromfile(os.path.join(seg_dir, rv), dtype="<f4", offset=8).reshape(-1, dim)
            ids = np.fromfile(os.path.join(seg_dir, uid), dtype="<i8", offset=8)
            deleted_path = os.path.join(seg_dir, "deleted_docs")
            if os.path.exists(deleted_path):
                deleted = np.fromfile(deleted_path, dtype="<i4", offset=8)
                if deleted.size:
                    vectors = np.delete(vectors, deleted, axis=0)
                    ids = np.delete(ids, deleted)
            dest = os.path.join(out, collection, segment)
            os.makedirs(dest, exist_ok=True)
            np.save(os.path.join(dest, "id.npy"), ids)
            np.save(os.path.join(dest, "data.npy"), vectors)


if __name__ == "__main__":
    main()
