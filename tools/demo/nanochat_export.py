#!/usr/bin/python3
"""The demo checkpoints in nanochat's step-folder layout:

    RUN/tokenizer.model
    RUN/step_000500/model_000500.pt     torch.save(model.state_dict()), bf16
    RUN/step_000500/meta_000500.json    model config, step, val loss, tokenizer

The state dict keeps the training script's own names (Hugging Face Llama
spelling), as a user's own script would; it is an OrderedDict straight from
state_dict(), as nanochat saves it. Weights are stored in bfloat16 to keep the
repository small (nanochat trains in bf16 too); val_loss in the meta is the
float32 checkpoint's, and the accuracy of the bf16 weights is measured here.

    /usr/bin/python3 tools/demo/nanochat_export.py resources/demo resources/demo-nanochat/checkpoints

converts the committed Hugging Face folders; train_arith.py --nanochat-out DIR
writes the same while training."""

import glob
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arith_data as D  # noqa: E402


def export_step(run_dir, model, tokenizer_path, step, val_loss, extra=None):
    folder = os.path.join(run_dir, f"step_{step:06d}")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(tokenizer_path, os.path.join(run_dir, "tokenizer.model"))
    sd = model.state_dict()  # an OrderedDict, as nanochat's torch.save(model.state_dict())
    for k in list(sd):
        sd[k] = sd[k].detach().to(torch.bfloat16).cpu().contiguous()
    torch.save(sd, os.path.join(folder, f"model_{step:06d}.pt"))
    c = model.c
    meta = {
        "step": step,
        "val_loss": val_loss,
        "model_config": {"sequence_len": c["context"], "vocab_size": c["vocab"],
                         "n_layer": c["layers"], "n_head": c["heads"], "n_kv_head": c["kv_heads"],
                         "n_embd": c["dim"], "intermediate_size": c["hidden"],
                         "norm_eps": c["eps"], "rope_theta": c["theta"],
                         "tie_word_embeddings": True, "architecture": "llama (rotate-half RoPE)"},
        "tokenizer": {"type": "sentencepiece", "model_type": "char", "path": "tokenizer.model",
                      "vocab_size": D.VOCAB_SIZE, "bos_id": D.BOS, "eos_id": D.EOS},
        "dtype": "bfloat16",
    }
    meta.update(extra or {})
    with open(os.path.join(folder, f"meta_{step:06d}.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return folder


def main():
    from hf_export import load_folder
    from train_arith import accuracy
    torch.set_num_threads(1)
    src, run_dir = sys.argv[1], sys.argv[2]
    for hf in sorted(glob.glob(os.path.join(src, "arith-step*"))):
        model, meta = load_folder(hf)
        with torch.no_grad():  # what the bf16 file holds, computed in float32
            for p in model.parameters():
                p.copy_(p.to(torch.bfloat16).float())
        acc = {"add_acc_first200_bf16": accuracy(model, D.test_problems(200, 0)),
               "sub_acc_first200_bf16": accuracy(model, D.test_problems(200, 1))}
        folder = export_step(run_dir, model, os.path.join(hf, "tokenizer.model"),
                             int(meta["step"]), float(meta["val_loss"]),
                             {"converted_from": os.path.basename(hf)} | acc)
        print(folder, acc, flush=True)


if __name__ == "__main__":
    main()
