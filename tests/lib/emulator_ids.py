"""Compares the rows the Milvus 2.x emulator holds (ids AND vector bytes)
with a fixture's expected live set, partition by partition, mapping 1.x
names to 2.x names through a verify report.

usage: emulator_ids.py LIVESET.tsv REPORT.json STATE_URL
LIVESET.tsv is in gen_fixture.py's liveset format (collection, partition,
segment, id, vector hex), e.g. expected/liveset.tsv or what
tests/tools/liveset_dump prints; STATE_URL is the emulator's
http://127.0.0.1:PORT/state (its /rows is read beside it).

The partitions compared are those of the live set and of the report
together, and every partition the emulator has in the collections they map
to. It is a failure when:
  - a partition of the live set is missing from the report (a report that
    leaves out a partition whose rows never arrived must not pass);
  - a mapped partition does not exist in the emulator;
  - the emulator has a partition in those collections that nothing maps to;
  - the rows differ: the multiset of (id, vector bytes) in Milvus is not
    exactly that of the live set.
Prints one line per problem, then "partitions=N bad=M"; exits 1 when M > 0
or when nothing was compared."""
import collections
import json
import sys
import urllib.request


def main():
    liveset, report_path, state_url = sys.argv[1:4]
    expected = {}
    for line in open(liveset, encoding="utf-8"):
        c, p, _seg, i, vec = line.rstrip("\n").split("\t")
        expected.setdefault((c, p), []).append((int(i), vec))
    report = json.load(open(report_path, encoding="utf-8"))
    state = json.load(urllib.request.urlopen(state_url))["collections"]
    rows_url = state_url[: -len("/state")] + "/rows" if state_url.endswith("/state") else state_url + "/rows"
    held_rows = json.load(urllib.request.urlopen(rows_url))

    problems = []
    target = {}  # (1.x collection, 1.x partition) -> (2.x collection, 2.x partition)
    for part in report["partitions"]:
        key = (part["collection"], part["partition"] or "_default")
        target[key] = (part["targetCollection"], part["targetPartition"])
    for key in sorted(expected):
        if key not in target:
            problems.append("partition %s.%s of the live set (%d rows) is missing from the report"
                            % (key[0], key[1], len(expected[key])))
    mapped = set(target.values())
    for tc in sorted({tc for tc, _ in mapped}):
        for tp in sorted(state.get(tc, {}).get("partitions", {})):
            if (tc, tp) not in mapped:
                problems.append("Milvus has partition %s.%s, which no partition of the 1.x install maps to" % (tc, tp))
    for key in sorted(target):
        tc, tp = target[key]
        held = state.get(tc, {}).get("partitions", {}).get(tp)
        if held is None:
            problems.append("partition %s.%s (1.x %s.%s) does not exist in Milvus" % (tc, tp, key[0], key[1]))
            continue
        part = held_rows[tc][tp]
        if len(part["fields"]) != 1:
            problems.append("%s.%s: expected one vector field, Milvus has %s" % (tc, tp, part["fields"]))
            continue
        got = collections.Counter((int(r[0]), r[1]) for r in part["rows"])
        want = collections.Counter(expected.get(key, []))
        if got != want:
            missing = want - got
            extra = got - want
            ids_differ = collections.Counter(i for i, _ in got.elements()) != collections.Counter(
                i for i, _ in want.elements())
            first = sorted(missing)[:1] + sorted(extra)[:1]
            problems.append("%s differ for %s.%s (1.x %s.%s): %d rows in Milvus, %d expected; %d expected "
                            "row(s) not there, %d there that were not expected (first: %s)"
                            % ("ids" if ids_differ else "vector bytes", tc, tp, key[0], key[1],
                               sum(got.values()), sum(want.values()), sum(missing.values()),
                               sum(extra.values()), ", ".join("id %d %s..." % (i, v[:16]) for i, v in first)))
    for p in problems:
        print(p)
    print("partitions=%d bad=%d" % (len(target), len(problems)))
    return 0 if target and not problems else 1


sys.exit(main())
