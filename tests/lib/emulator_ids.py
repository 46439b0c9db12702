"""Compares what the Milvus 2.x emulator holds with a fixture's expected
live set, partition by partition, mapping 1.x names to 2.x names through a
verify report.

usage: emulator_ids.py LIVESET.tsv REPORT.json STATE_URL

The partitions compared are those of the live set and of the report
together, and every partition the emulator has in the collections they map
to. It is a failure when:
  - a partition of the live set is missing from the report (a report that
    leaves out a partition whose rows never arrived must not pass);
  - a mapped partition does not exist in the emulator;
  - the emulator has a partition in those collections that nothing maps to;
  - the ids differ.
Prints one line per problem, then "partitions=N bad=M"; exits 1 when M > 0
or when nothing was compared."""
import json
import sys
import urllib.request


def main():
    liveset, report_path, state_url = sys.argv[1:4]
    expected = {}
    for line in open(liveset, encoding="utf-8"):
        c, p, _seg, i, _vec = line.rstrip("\n").split("\t")
        expected.setdefault((c, p), []).append(int(i))
    report = json.load(open(report_path, encoding="utf-8"))
    state = json.load(urllib.request.urlopen(state_url))["collections"]

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
        got = sorted(int(i) for i in held["ids"])
        want = sorted(expected.get(key, []))
        if got != want:
            problems.append("ids differ for %s.%s (1.x %s.%s): %d in Milvus, %d expected"
                            % (tc, tp, key[0], key[1], len(got), len(want)))
    for p in problems:
        print(p)
    print("partitions=%d bad=%d" % (len(target), len(problems)))
    return 0 if target and not problems else 1


sys.exit(main())
