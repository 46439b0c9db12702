#!/usr/bin/env bash
# Our .npy headers are byte-identical to numpy's np.save for the same
# dtype and shape (numpy only writes real arrays, so shapes stay small
# enough to allocate; huge row counts use a zero-stride view).
set -euo pipefail
tools=${MM_TOOLS:?}
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-npy.XXXXXX")
trap 'rm -rf "$work"' EXIT
cases="f4:0:8 f4:1:1 f4:3:8 f4:1000:128 f4:7:32768 f4:123456789:768 u1:0:8 u1:5:8 u1:99:4096 i8:0 i8:1 i8:10000 i8:999999999999 i8:18446744073709551"
failures=0
for c in $cases; do
  IFS=: read -r dtype rows cols <<<"$c"
  "$tools/npy_header" "$dtype" "$rows" ${cols:-} >"$work/ours"
  /usr/bin/python3 - "$dtype" "$rows" "${cols:-}" "$work/theirs" <<'PY'
import io, sys
import numpy as np
from numpy.lib.stride_tricks import as_strided
dtype = {"f4": "<f4", "u1": "|u1", "i8": "<i8"}[sys.argv[1]]
rows = int(sys.argv[2])
shape = (rows, int(sys.argv[3])) if sys.argv[3] else (rows,)
base = np.zeros(1, dtype=dtype)
arr = as_strided(base, shape=shape, strides=(0,) * len(shape))
buf = io.BytesIO()
np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(arr))
open(sys.argv[4], "wb").write(buf.getvalue())
PY
  if cmp -s "$work/ours" "$work/theirs"; then
    echo "ok   $c ($(stat -c %s "$work/ours") bytes)"
  else
    echo "FAIL $c"; xxd "$work/ours" | head; xxd "$work/theirs" | head
    failures=$((failures + 1))
  fi
done
# A whole file written with our header loads in numpy with the right values.
/usr/bin/python3 - "$tools/npy_header" "$work" <<'PY'
import subprocess, sys, struct
import numpy as np
tool, work = sys.argv[1], sys.argv[2]
hdr = subprocess.run([tool, "f4", "3", "2"], check=True, capture_output=True).stdout
open(work + "/d.npy", "wb").write(hdr + struct.pack("<6f", 1, 2, 3, 4, 5, 6.5))
a = np.load(work + "/d.npy")
assert a.shape == (3, 2) and a.dtype == np.float32 and a.tolist() == [[1, 2], [3, 4], [5, 6.5]], a
hdr = subprocess.run([tool, "i8", "2"], check=True, capture_output=True).stdout
open(work + "/i.npy", "wb").write(hdr + struct.pack("<2q", -5, 2**62))
a = np.load(work + "/i.npy")
assert a.tolist() == [-5, 2**62] and a.dtype == np.int64, a
print("ok   numpy loads files written with our headers")
PY
[ "$failures" -eq 0 ]
