"""Compares the ids the Milvus 2.x emulator holds per partition with a
fixture's expected live set, mapped through a verify report.

usage: emulator_ids.py LIVESET.tsv REPORT.json STATE_URL
Prints one line per partition whose ids differ, then
"partitions=N bad=M"."""
import json
import sys
import urllib.request

expected = {}
for line in open(sys.argv[1], encoding="utf-8"):
    c, p, _seg, i, _vec = line.rstrip("\n").split("\t")
    expected.setdefault((c, p), []).append(int(i))
report = json.load(open(sys.argv[2]))
state = json.load(urllib.request.urlopen(sys.argv[3]))
bad = 0
for part in report["partitions"]:
    key = (part["collection"], part["partition"] or "_default")
    held = state["collections"][part["targetCollection"]]["partitions"][part["targetPartition"]]["ids"]
    got = sorted(int(i) for i in held)
    want = sorted(expected.get(key, []))
    if got != want:
        bad += 1
        print("ids differ for %s: %d in Milvus, %d expected" % (key, len(got), len(want)))
print("partitions=%d bad=%d" % (len(report["partitions"]), bad))
