#!/usr/bin/env bash
# One device-tool call on a CUDA machine: build the engine against PyTorch's
# CUDA libtorch, check it (golden greedy ids and perplexity on cuda, the graph
# decode's logits against the libtorch path's, the device sampler's picks
# against the host sampler's), benchmark waypoint-bench on random models of
# real shapes (greedy and sampled, device and host sampler) and run the peers
# in the same call.
#
# On this machine, in the project root (the device tool sends /work/main):
#   bash WORKTREE/bench/cuda/prepare_device.sh WORKTREE   # fills .device/ (ignored)
# then run with carry [".device"]:  bash .device/src/bench/cuda/run_device.sh [peers|nopeers]
# Everything lands in $OUT (results.jsonl, logs); a table is printed last.
set -uo pipefail
T0=$(date +%s)
ROOT=$PWD/.device
SRC=$ROOT/src
SH=$ROOT/shared
B=/tmp/wpb
O=${OUT:-/tmp/out}
mkdir -p "$O"
R="$O/results.jsonl"
: > "$R"
peers=${1:-peers}
export PATH=/usr/local/cuda/bin:$PATH
export LD_LIBRARY_PATH=$ROOT/root/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
# libedit.pc (carried) names /usr paths: pkg-config prefixes them with the carried root
export PKG_CONFIG_PATH=$ROOT/root/usr/lib/x86_64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=$ROOT/root
export PYTHONUNBUFFERED=1
export WAYPOINT_CUDA_DECODE=1  # errors of the graph path surface instead of falling back
el() { echo "[$(( $(date +%s) - T0 ))s] $*"; }

nvidia-smi --query-gpu=name,memory.total,clocks.sm,clocks.mem --format=csv,noheader
TP=$(python3 -c "import torch;print(torch.utils.cmake_prefix_path)")
cmake -S "$SRC" -B $B -G Ninja -DCMAKE_BUILD_TYPE=Release -DWAYPOINT_BUILD_APP=OFF -DWAYPOINT_BUILD_TESTS=OFF -DWAYPOINT_BUILD_SERVER=OFF \
  -DCMAKE_PREFIX_PATH="$TP;$ROOT/root/usr" -DSENTENCEPIECE_ROOT=$ROOT/root -DWAYPOINT_SHARED_DIR=$SH \
  -DWAYPOINT_CUDA_ARCHS=90 >"$O/configure.log" 2>&1 || { tail -40 "$O/configure.log"; exit 1; }
grep -iE "cuda decode|WAYPOINT_TORCH_CUDA_STATS" "$O/configure.log"
cmake --build $B -j"$(nproc)" >"$O/build.log" 2>&1 || { grep -iE "error" -A4 "$O/build.log" | head -80; exit 1; }
el "built"

# Correctness on stories260K: golden ids + perplexity; the graph path with the
# device sampler (the default), with the host sampler, and the libtorch path.
for dt in fp32 bf16; do
  python3 "$SRC/bench/cuda/golden_check.py" $B "$SH" cuda $dt | sed 's/^{/{"sampler":"device",/' | tee -a "$R"
done
WAYPOINT_CUDA_SAMPLE=0 python3 "$SRC/bench/cuda/golden_check.py" $B "$SH" cuda bf16 | sed 's/^{/{"sampler":"host",/' | tee -a "$R"
WAYPOINT_CUDA_DECODE=0 python3 "$SRC/bench/cuda/golden_check.py" $B "$SH" cuda bf16 | tee -a "$R"
el "golden"

python3 "$SH/tools/make_random_llama.py" --out /tmp/rnd --only tinyllama-1.1B stories110M >/dev/null
el "random models"
tok="$SH/tokenizers/llama2/tokenizer.model"
bench() {  # label env... -- args
  local label=$1; shift
  local j
  j=$(env "$@" 2>"$O/bench_err.log") || { echo "bench $label failed: $(tail -3 "$O/bench_err.log")"; return; }
  echo "{\"label\":\"$label\",${j#\{}" | tee -a "$R"
}
sampled=(--temperature 0.8 --top-k 40 --top-p 0.95 --top-alternatives 5)
for m in tinyllama-1.1B stories110M; do
  args=(--checkpoint /tmp/rnd/$m.bin --tokenizer "$tok" --device cuda --dtype bf16 --prompt-tokens 256 --decode-tokens 256)
  bench "$m greedy, device sampler" WAYPOINT_CUDA_DECODE=1 $B/bench/waypoint-bench "${args[@]}" --repeat 5 --check-decode 32 --check-sampling 64
  bench "$m greedy, host sampler" WAYPOINT_CUDA_SAMPLE=0 $B/bench/waypoint-bench "${args[@]}" --repeat 3
  bench "$m T0.8 k40 p0.95 top5, device" $B/bench/waypoint-bench "${args[@]}" "${sampled[@]}" --repeat 3
  bench "$m T0.8 k40 p0.95 top5, host" WAYPOINT_CUDA_SAMPLE=0 $B/bench/waypoint-bench "${args[@]}" "${sampled[@]}" --repeat 3
  bench "$m T0.8 top-p 0.95 only, device" $B/bench/waypoint-bench "${args[@]}" --temperature 0.8 --top-k 0 --top-p 0.95 --repeat 3
  bench "$m T0.8 top-p 0.95 only, host" WAYPOINT_CUDA_SAMPLE=0 $B/bench/waypoint-bench "${args[@]}" --temperature 0.8 --top-k 0 --top-p 0.95 --repeat 3
  el "$m"
done
bench "tinyllama-1.1B libtorch ops" WAYPOINT_CUDA_DECODE=0 $B/bench/waypoint-bench --checkpoint /tmp/rnd/tinyllama-1.1B.bin \
  --tokenizer "$tok" --device cuda --dtype bf16 --prompt-tokens 256 --decode-tokens 64 --repeat 1
el "benches"

left() { echo $(( 585 - ($(date +%s) - T0) )); }  # the device tool stops a command at 600 s
if [ "$peers" = peers ]; then
  if [ -f "$ROOT/gptfast_style.py" ] && [ "$(left)" -gt 150 ]; then
    timeout $(( $(left) > 200 ? 200 : $(left) )) python3 "$ROOT/gptfast_style.py" 2>"$O/gptfast_err.log" \
      | sed 's/^{/{"peer":"gptfast_style",/' | tee -a "$R"
    el "gptfast"
  fi
  if [ "$(left)" -gt 90 ]; then
    timeout $(( $(left) - 10 )) python3 "$SRC/bench/cuda/hf_generate_peer.py" tinyllama-1.1B 2>"$O/hf_err.log" | tee -a "$R"
    el "hf"
  fi
fi

python3 - "$R" <<'PY'
import json, sys
print("\n%-38s %8s %8s %8s %8s %7s %9s %9s %s" % ("run", "decode", "prefill", "ttft_ms", "1st_ttft", "capture",
      "dev/host", "dev_MB", "checks"))
for line in open(sys.argv[1]):
    try: d = json.loads(line)
    except Exception: continue
    if "label" in d:
        checks = []
        if "check_max_rel_diff" in d:
            checks.append("logits %.1e argmax %d/%d" % (d["check_max_rel_diff"], d["check_argmax_agree"], d["check_decode_steps"]))
        for k in ("check_sampling_greedy", "check_sampling_T0.8_penalty1.1", "check_sampling_top_p_only"):
            if k in d:
                c = d[k]
                checks.append("%s id %d/%d p %d top5 %d" % (k[15:], c["id_agree"], c["device_picked"], c["p_bitwise_equal"], c["top5_equal"]))
        print("%-38s %8.1f %8.1f %8.2f %8.2f %7.2f %9s %9.0f %s" % (d["label"], d["decode_tok_s"], d["prefill_tok_s"], d["ttft_ms"],
              d.get("ttft_first_ms", 0), d.get("graph_capture_ms", 0),
              "%d/%d" % (d.get("device_picks", 0), d.get("host_sample_fallbacks", 0)), d.get("device_used_mb", 0), "; ".join(checks)))
    elif "cases" in d:
        print("golden %s %s sampler=%s path=%s exact=%s nll_diff=%s" % (d["device"], d["dtype"], d.get("sampler", "-"), d["decode_path"],
              d["all_exact"], d.get("nll_diff", d.get("perplexity_error"))))
    else:
        print(json.dumps(d))
PY
el "done"
