#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (built by the "fuzz" preset:
#   cmake --preset fuzz && cmake --build --preset fuzz).
#
#   tests/fuzz/run.sh [-t SECONDS] [-b BUILD_DIR] [-o OUT_DIR] [-n NICE] [TARGET...]
#
# Each target runs SECONDS (default 600), one after another, at niceness NICE
# (default 0: with the kernel's autogroup scheduling a niced fuzzer beside
# other sessions' builds got ~2% of a core, so nice 15-19 measured nothing),
# from a corpus seeded at run time (never committed) with: small valid files
# from make_seeds.py, the project's fixtures (tests/data), the reference
# models and tokenizers of ../shared, and the saved inputs of
# regressions/<target>/. Big seeds are cut to the target's -max_len (the
# headers and tables the parsers read come first). Binary formats get a
# dictionary from dict/. A crash, leak, timeout or out-of-memory leaves its
# input in OUT_DIR/artifacts/<target>/ and makes the script exit 1; the
# per-target numbers (executions, exec/s, edges, features) are written to
# OUT_DIR/report.md. Minimise a crash with
#   build-fuzz/tests/fuzz/fuzz_<target> -minimize_crash=1 -runs=10000 <input>
# and, once fixed, add the small input to regressions/<target>/.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${WAYPOINT_SHARED_DIR:-$root/../shared}"
seconds=600
build="$root/build-fuzz"
out=""
niceness=0
while getopts "t:b:o:n:" opt; do
  case "$opt" in
    t) seconds="$OPTARG" ;;
    b) build="$(cd "$OPTARG" && pwd)" ;;
    o) out="$OPTARG" ;;
    n) niceness="$OPTARG" ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
out="${out:-$build/fuzz-run}"
all_targets=(llama2c_header safetensors gguf unpickler torch_zip hf_config bpe_vocab llama2c_tokenizer spm_model chat_template http_request)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# Where each target's seeds come from (files or folders; missing ones are skipped).
seeds_of() {
  case "$1" in
    llama2c_header) echo "$shared/models/stories260K/stories260K.bin $shared/models/aidreams260K/aidreams260K.bin" ;;
    safetensors) echo "$shared/models/stories260K-hf/model.safetensors $root/tests/data/pytorch/gpt2_hf_safetensors/model.safetensors" ;;
    gguf) echo "$shared/models/stories260K-gguf/stories260K-f32.gguf $shared/tokenizers/llamacpp-vocab/ggml-vocab-gpt-2.gguf $shared/tokenizers/llamacpp-vocab/ggml-vocab-llama-spm.gguf" ;;
    unpickler) echo "$root/tests/data/pytorch/gpt2_nanogpt/meta.pkl" ;;
    torch_zip) echo "$shared/models/slm4096/ckpt.pt $shared/models/stories260K-nanogpt/ckpt.pt $(find "$root/tests/data/pytorch" -name '*.pt' -o -name '*.pth' -o -name '*.bin' | grep -v '/llama2c' | tr '\n' ' ')" ;;
    hf_config) echo "$(find "$root/tests/data/pytorch" "$shared/models" -name 'config.json' -o -name 'generation_config.json' -o -name 'tokenizer_config.json' -o -name 'meta*.json' | tr '\n' ' ')" ;;
    bpe_vocab) echo "" ;;  # the GPT-2 pair is joined below
    llama2c_tokenizer) echo "$shared/models/stories260K/tok512.bin $shared/models/aidreams260K/tok512.bin $shared/tokenizers/llama2/tokenizer.bin" ;;
    spm_model) echo "$shared/models/stories260K/tok512.model $shared/tokenizers/llama2/tokenizer.model" ;;
    chat_template) echo "$(find "$shared/chat-templates" -name '*.jinja' | tr '\n' ' ')" ;;
    http_request) echo "" ;;  # make_seeds.py writes a body of each endpoint
  esac
}
# Largest input libFuzzer makes (bytes): room for the headers and tables a
# parser reads and for the small generated models whole; the big seeds are
# cut (their tails are tensor data). torch_zip: the tests/data checkpoints
# (120-170 KB) whole.
max_len_of() {
  case "$1" in
    torch_zip) echo 262144 ;;
    *) echo 65536 ;;
  esac
}

mkdir -p "$out"
report="$out/report.md"
{
  echo "# Fuzz run $(date -u +%Y-%m-%dT%H:%MZ), $seconds s per target, $(nproc) cores, nice $niceness"
  echo
  echo "| target | seconds | executions | exec/s | edges (cov) | features (ft) | corpus | peak RSS MB | result |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$report"

status=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then
    echo "== $t: $bin is not built (cmake --build $build --target fuzz_$t)" >&2
    status=1; continue
  fi
  corpus="$out/corpus/$t"; seeds="$out/seeds/$t"; artifacts="$out/artifacts/$t/"
  rm -rf "$seeds"; mkdir -p "$corpus" "$seeds" "$artifacts"
  /usr/bin/python3 "$here/make_seeds.py" "$out/seeds-made" >/dev/null && cp -r "$out/seeds-made/$t/." "$seeds/" 2>/dev/null
  for s in $(seeds_of "$t"); do [ -f "$s" ] && cp "$s" "$seeds/$(echo "$s" | md5sum | cut -c1-8)-$(basename "$s")"; done
  if [ "$t" = bpe_vocab ] && [ -f "$shared/tokenizers/gpt2/vocab.json" ]; then
    # The real GPT-2 pair is 1.5 MB; its first 32 KiB of each keep the shapes.
    { head -c 32768 "$shared/tokenizers/gpt2/vocab.json" | sed 's/, "[^"]*$/}/'; printf '\n#----#\n'; head -n 2000 "$shared/tokenizers/gpt2/merges.txt"; } > "$seeds/gpt2_head.txt"
  fi
  [ -d "$here/regressions/$t" ] && cp "$here/regressions/$t/." "$seeds/" -r
  dict=(); [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
  log="$out/$t.log"
  echo "== $t: $seconds s, $(ls "$seeds" | wc -l) seeds, log $log"
  start=$(date +%s)
  # -malloc_limit_mb: one allocation above 256 MB is a finding (no seed
  # needs more; a header that claims 2^40 elements must be refused first).
  nice -n "$niceness" timeout --signal=INT --kill-after=60 $((seconds + 120)) \
    "$bin" "$corpus" "$seeds" -max_total_time="$seconds" -max_len="$(max_len_of "$t")" \
      -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=256 -print_final_stats=1 \
      -artifact_prefix="$artifacts" "${dict[@]}" > "$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  corp=$(echo "$last" | grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' | cut -d' ' -f2)
  found=$(ls "$artifacts" 2>/dev/null | wc -l)
  if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then result="clean"; else result="rc $rc, $found artifact(s)"; status=1; fi
  echo "| $t | $elapsed | ${execs:-?} | ${rate:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${rss:-?} | $result |" >> "$report"
  echo "   $result: ${execs:-?} executions, ${rate:-?}/s, cov ${cov:-?}, ft ${ft:-?}"
done
echo
cat "$report"
exit $status
