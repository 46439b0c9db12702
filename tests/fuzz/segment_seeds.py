#!/usr/bin/python3
"""Turns the segments of fixture data directories (tests/fixtures/gen_fixture.py
output) into seed inputs for fuzz_segment (layout: fuzz_segment.c).

Usage: segment_seeds.py OUTDIR FIXTURE_OUTDIR...
"""
import os
import sqlite3
import struct
import sys

F_BINARY, F_NO_DELETED_DOCS, F_RAW_HEADERS = 1, 4, 8


def payload(path):
    with open(path, "rb") as f:
        return f.read()


def seeds_of(fixture):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(fixture, "milvus/db/meta.sqlite"), uri=True)
    tables = {}
    for table_id, owner, dim, metric in db.execute(
            "SELECT table_id, owner_table, dimension, metric_type FROM Tables"):
        tables[table_id] = (owner, dim, metric)
    for table_id, segment_id, file_id in db.execute(
            "SELECT table_id, segment_id, file_id FROM TableFiles WHERE file_type IN (1, 2, 7)"):
        owner, dim, metric = tables[table_id]
        if owner:
            dim, metric = tables[owner][1], tables[owner][2]
        for root in ("milvus", "milvus2"):
            seg = os.path.join(fixture, root, "db/tables", table_id, segment_id)
            if os.path.exists(os.path.join(seg, file_id + ".uid")):
                break
        else:
            continue
        uid = payload(os.path.join(seg, file_id + ".uid"))
        rv = payload(os.path.join(seg, file_id + ".rv"))
        dd_path = os.path.join(seg, "deleted_docs")
        dd = payload(dd_path) if os.path.exists(dd_path) else None
        binary = 3 <= metric <= 7
        if dim > 254 or len(uid) > 65535 + 8 or len(rv) > 65535 + 8:
            continue
        yield "%s_%s" % (os.path.basename(fixture.rstrip("/")), segment_id), binary, dim, uid, rv, dd


def encode(flags, dim, batch, uid, rv, dd):
    return (bytes([flags, dim + 1, batch - 1]) + struct.pack("<HH", len(uid), len(rv)) + uid + rv
            + (dd or b""))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for fixture in sys.argv[2:]:
        for name, binary, dim, uid, rv, dd in seeds_of(fixture):
            flags = (F_BINARY if binary else 0) | (0 if dd is not None else F_NO_DELETED_DOCS)
            # The harness writes the length headers; the seed holds payloads.
            with open(os.path.join(out, name), "wb") as f:
                f.write(encode(flags, dim, 3, uid[8:], rv[8:], dd[8:] if dd is not None else None))
            with open(os.path.join(out, name + "_raw"), "wb") as f:
                f.write(encode(flags | F_RAW_HEADERS, dim, 256, uid, rv, dd))


if __name__ == "__main__":
    main()
