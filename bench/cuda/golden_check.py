#!/usr/bin/env python3
"""On a CUDA machine: golden greedy ids and perplexity of stories260K through waypoint-cli.

  golden_check.py BUILD_DIR SHARED_DIR DEVICE DTYPE
Prints one JSON line: per case whether the greedy ids equal the golden ones
(../shared/golden/stories260K_greedy.json), and the perplexity beside the
golden value (stories260K_perplexity.json). The decode path is whatever the
environment selects (WAYPOINT_CUDA_DECODE=0: libtorch ops).
"""
import json, os, subprocess, sys

build, shared, device, dtype = sys.argv[1:5]
cli = os.path.join(build, "cli", "waypoint-cli")
model = os.path.join(shared, "models/stories260K/stories260K.bin")
tok = os.path.join(shared, "models/stories260K/tok512.model")
gold = json.load(open(os.path.join(shared, "golden/stories260K_greedy.json")))
out = {"device": device, "dtype": dtype, "decode_path": os.environ.get("WAYPOINT_CUDA_DECODE", "default"), "cases": []}
for c in gold["cases"]:
    cmd = [cli, "--checkpoint", model, "--tokenizer", tok, "--device", device, "--dtype", dtype,
           "--greedy", "--max-tokens", "96", "--json"]
    if c["prompt"]:
        cmd += ["--prompt", c["prompt"]]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        out["cases"].append({"prompt": c["prompt"], "error": r.stderr.strip()[-300:]})
        continue
    j = json.loads(r.stdout)
    got, want = j["generated_ids"], c["greedy_ids"]
    same = 0
    while same < min(len(got), len(want)) and got[same] == want[same]:
        same += 1
    out["cases"].append({"prompt": c["prompt"][:20], "exact": got == want, "matching_prefix": same,
                         "got": len(got), "want": len(want),
                         "prompt_ids_equal": j["prompt_ids"] == c["prompt_ids"]})
pg = json.load(open(os.path.join(shared, "golden/stories260K_perplexity.json")))
r = subprocess.run([cli, "--checkpoint", model, "--tokenizer", tok, "--device", device, "--dtype", dtype,
                    "--perplexity", os.path.join(shared, pg["text"]), "--window", str(pg["window"]), "--json"],
                   capture_output=True, text=True)
if r.returncode == 0:
    j = json.loads(r.stdout)
    out["perplexity"] = j.get("perplexity")
    out["mean_nll"] = j.get("mean_nll")
    out["golden_mean_nll"] = pg["mean_nll_nats"]
    out["golden_perplexity"] = pg["perplexity"]
    if j.get("mean_nll") is not None:
        out["nll_diff"] = abs(j["mean_nll"] - pg["mean_nll_nats"])
else:
    out["perplexity_error"] = r.stderr.strip()[-300:]
out["all_exact"] = all(c.get("exact") for c in out["cases"])
print(json.dumps(out))
