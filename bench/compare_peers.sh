#!/bin/bash
# Runs waypoint-bench and ../shared/tools/torch_ref.py (PyTorch eager, the
# peer to beat by 2.5x; skipped where Debian's python3-torch is missing)
# interleaved on the same models in the same session, RUNS times, and prints
# a table of medians (decode and prefill tok/s). The prefill is also timed
# on the same binary's libtorch forward (WAYPOINT_TORCH_PREFILL=1, the path
# of CPUs without AVX-512) as a same-run reference; llama.cpp's prefill
# figures from ../shared/PEERS.md (a quiet machine) are printed beside.
#
#   bench/compare_peers.sh [-b BUILD_DIR] [-n RUNS] [-t THREADS] MODEL.bin...
# Models: /usr/bin/python3 ../shared/tools/make_random_llama.py --out /tmp/rnd
# Decode matches torch_ref.py's default (5-token prompt, sequence of 256);
# prefill is a 256-token prompt.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="$here/build"; runs=5; threads=2
while getopts "b:n:t:" o; do
  case $o in b) build="$OPTARG";; n) runs="$OPTARG";; t) threads="$OPTARG";;
  *) echo "usage: $0 [-b BUILD_DIR] [-n RUNS] [-t THREADS] MODEL.bin..." >&2; exit 2;; esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-b BUILD_DIR] [-n RUNS] [-t THREADS] MODEL.bin..." >&2; exit 2; }
shared="${WAYPOINT_SHARED_DIR:-$here/../shared}"
tok="$shared/tokenizers/llama2/tokenizer.model"
bench="$build/bench/waypoint-bench"
ref="$shared/tools/torch_ref.py"
out="$(mktemp)"
have_torch=0
/usr/bin/python3 -c "import torch" 2>/dev/null && have_torch=1
trap 'rm -f "$out"' EXIT

for ((r = 1; r <= runs; r++)); do
  for m in "$@"; do
    name="$(basename "$m" .bin)"
    for dt in fp32 bf16; do
      j=$("$bench" --checkpoint "$m" --tokenizer "$tok" --prompt-tokens 5 --decode-tokens 251 \
            --threads "$threads" --dtype "$dt" --repeat 1)
      echo "$name waypoint-$dt decode $j" >> "$out"
      j=$("$bench" --checkpoint "$m" --tokenizer "$tok" --prompt-tokens 256 --decode-tokens 0 \
            --threads "$threads" --dtype "$dt" --repeat 1)
      echo "$name waypoint-$dt prefill $j" >> "$out"
      j=$(WAYPOINT_TORCH_PREFILL=1 "$bench" --checkpoint "$m" --tokenizer "$tok" --prompt-tokens 256 \
            --decode-tokens 0 --threads "$threads" --dtype "$dt" --repeat 1)
      echo "$name libtorch-$dt prefill $j" >> "$out"
    done
    [ "$have_torch" = 1 ] || continue
    j=$(/usr/bin/python3 "$ref" "$m" --threads "$threads" --mode decode --tokenizer "$tok")
    echo "$name torch_ref decode $j" >> "$out"
    j=$(/usr/bin/python3 "$ref" "$m" --threads "$threads" --mode prefill)
    echo "$name torch_ref prefill $j" >> "$out"
  done
done

/usr/bin/python3 - "$out" "$runs" "$threads" <<'PY'
import json, statistics, sys
rows = {}
rss = {}
for line in open(sys.argv[1]):
    name, who, mode, js = line.split(" ", 3)
    d = json.loads(js)
    v = d.get("decode_tok_s" if mode == "decode" else "prefill_tok_s")
    rows.setdefault((name, mode, who), []).append(v)
    if "peak_rss_mb" in d:
        rss.setdefault((name, who), []).append(d["peak_rss_mb"])
print(f"median of {sys.argv[2]} interleaved runs, {sys.argv[3]} threads, tok/s")
# llama.cpp, 256-token prefill, 2 threads, F32 / F16 (../shared/PEERS.md, quiet machine)
llama_cpp = {"stories15M": (12344, 13589), "stories42M": (4199, 4824), "stories110M": (1250, 1408)}
print(f"{'model':<14}{'mode':<9}{'waypoint fp32':>14}{'waypoint bf16':>14}{'libtorch fp32':>14}{'libtorch bf16':>14}"
      f"{'torch_ref':>11}{'llama.cpp F32/F16':>19}")
for (name, mode) in sorted({(k[0], k[1]) for k in rows}):
    med = lambda who: statistics.median(rows.get((name, mode, who), [0]))
    f, b, t = med("waypoint-fp32"), med("waypoint-bf16"), med("torch_ref")
    lf, lb = med("libtorch-fp32"), med("libtorch-bf16")
    lc = llama_cpp.get(name) if mode == "prefill" else None
    lcs = f"{lc[0]} / {lc[1]}" if lc else "-"
    print(f"{name:<14}{mode:<9}{f:>14.1f}{b:>14.1f}{lf:>14.1f}{lb:>14.1f}{t:>11.1f}{lcs:>19}")
for (name, who), v in sorted(rss.items()):
    print(f"peak RSS {name} {who}: {max(v):.0f} MB")
PY
