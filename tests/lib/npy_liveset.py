#!/usr/bin/python3
"""Prints the rows of a dump as liveset.tsv lines (gen_fixture.py's format),
reading ROOT/batches.json and each batch's id.npy and data.npy with numpy.

usage: npy_liveset.py ROOT
A name that is not UTF-8 is already escaped (\\xhh) in batches.json and is
printed as it stands; other names are escaped here."""
import json
import re
import sys

import numpy as np

root = sys.argv[1]


def esc(s):
    if re.search(r"\\x[0-9a-f]{2}", s):
        return s
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def raw(s):
    """Sort key: the bytes the name stands for."""
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), s.encode())


batches = json.load(open(root + "/batches.json"))


def key(b):
    return (raw(b["collection"]), b["partition"] != "", raw(b["partition"]), b["segment"].encode(), b["batch"])


for b in sorted(batches, key=key):
    ids = np.load(root + "/" + b["files"][0])
    data = np.load(root + "/" + b["files"][1])
    assert ids.dtype == np.int64 and ids.ndim == 1, (b, ids.dtype, ids.shape)
    assert data.dtype in (np.float32, np.uint8) and data.ndim == 2 and data.shape[0] == ids.shape[0], \
        (b, data.dtype, data.shape)
    assert len(ids) == b["rows"], b
    for i in range(len(ids)):
        print("%s\t%s\t%s\t%d\t%s" % (esc(b["collection"]), esc(b["partition"] or "_default"), b["segment"], ids[i],
                                      data[i].tobytes().hex()))
