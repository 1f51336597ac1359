#!/usr/bin/env bash
# The README's main job: the full report (`gradink report`, default budget) on
# real handwriting. Fails if the command fails or runs past 15 minutes, if any
# section of report.json is not "ok", if the classifier's validation accuracy
# is below 75%, or if a link in REPORT.md does not resolve to a file.
# Usage: scripts/report-ci.sh [DATA_DIR|default] [OUT_DIR]
# (`default`, or no argument: no --data, as in the README's first command.)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-default}"
out="${2:-target/ci/report}"
if [ "$data" = default ]; then data_option=(); else data_option=(--data "$data"); fi
cargo build --release --quiet
started=$(date +%s)
timeout 900 ./target/release/gradink report "${data_option[@]}" --out "$out"
echo "report took $(( $(date +%s) - started )) s"
python3 - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
r = json.load(open(os.path.join(out, "report.json")))
bad = [k for k, v in r.items() if isinstance(v, dict) and "status" in v and v["status"] != "ok"]
if bad:
    sys.exit("FAIL: sections not ok: " + ", ".join(f"{k} ({r[k]['status']})" for k in bad))
valid = r["classifier"]["summary"]["valid_acc"]
if valid < 0.75:
    sys.exit(f"FAIL: the classifier's validation accuracy {valid:.4f} is below 0.75")
print(f"classifier: valid accuracy {valid:.4f}")
md = open(os.path.join(out, "REPORT.md"), encoding="utf-8").read()
links = re.findall(r"\]\(([^)]+)\)", md)
missing = [l for l in links if not os.path.isfile(os.path.join(out, l.replace("%20", " ")))]
if missing:
    sys.exit("FAIL: REPORT.md links that do not resolve: " + ", ".join(missing))
print(f"{len(links)} links resolve; sections: " + ", ".join(k for k, v in r.items() if isinstance(v, dict) and v.get("status") == "ok"))
for t in r["timings"]:
    print(f"  {t['stage']}: {t['seconds']:.1f} s")
print(f"total {r['total_seconds']:.1f} s")
PY
