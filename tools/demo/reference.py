#!/usr/bin/python3
"""Reference greedy outputs of the demo checkpoints, for tests/engine/tst_demo.cpp.

    /usr/bin/python3 tools/demo/reference.py      # writes resources/demo/reference_greedy.json

For each checkpoint folder: a few prompts (held-out sums and differences, and
BOS alone), the prompt ids (BOS first), the greedy continuation ids from our
own PyTorch forward (until EOS, at most 8), and the logits at the last prompt
position. Where Hugging Face transformers is importable (not on Debian; e.g.
on the GPU machine), it also checks that LlamaForCausalLM reading the same
folder gives the same logits and ids: an independent reader of the format."""

import glob
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402
from hf_export import load_folder  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAX_NEW = 8


@torch.no_grad()
def greedy(forward, prompt_ids):
    """forward: ids [1, T] -> logits [1, T, V]; stops after EOS or MAX_NEW."""
    ids = list(prompt_ids)
    first = forward(torch.tensor([ids]))[0, -1]
    out, logits = [], first
    for _ in range(MAX_NEW):
        nxt = int(logits.argmax())
        out.append(nxt)
        if nxt == D.EOS:
            break
        ids.append(nxt)
        logits = forward(torch.tensor([ids]))[0, -1]
    return out, first


def prompts():
    add, sub = D.test_problems(4, 0), D.test_problems(4, 1)
    texts = [D.prompt_text(*p) for p in add + sub]
    return [""] + texts + ["7+5=", "12-9="]


def hf_forward(folder):
    try:
        from transformers import LlamaForCausalLM
    except ImportError:
        return None
    m = LlamaForCausalLM.from_pretrained(folder).float().eval()
    return lambda ids: m(ids).logits


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "resources", "demo")
    result = {"max_new_tokens": MAX_NEW, "checkpoints": {}}
    for folder in sorted(glob.glob(os.path.join(out_dir, "arith-step*"))):
        model, meta = load_folder(folder)
        hf = hf_forward(folder)
        rows = []
        for text in prompts():
            pids = [D.BOS] + D.encode_chars(text)
            ids, logits = greedy(model, pids)
            rows.append({"prompt": text, "prompt_ids": pids, "generated_ids": ids,
                         "last_logits": [round(x, 6) for x in logits.tolist()]})
            if hf is not None:
                hf_ids, hf_logits = greedy(hf, pids)
                diff = (hf_logits - logits).abs().max().item()
                print(f"{os.path.basename(folder)} {text!r}: ours {ids} hf {hf_ids} "
                      f"max|dlogit| {diff:.2e}")
                assert hf_ids == ids and diff < 1e-4, "transformers disagrees"
        name = os.path.basename(folder)
        result["checkpoints"][name] = {"step": int(meta["step"]),
                                       "val_loss": float(meta["val_loss"]), "prompts": rows}
        print(name, [(r["prompt"], r["generated_ids"]) for r in rows])
    with open(os.path.join(out_dir, "reference_greedy.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
