#!/usr/bin/python3
"""Independent reference for ../shared/models/slm4096/ckpt.pt (run once; the
result, slm4096_greedy.json, is committed beside this script).

A plain PyTorch forward of the checkpoint's GPT (LayerNorm with bias, exact
GELU as nanoGPT's nn.GELU(), learned positions, tied head), written here from
the tensor names, and greedy decoding of "Q: What is SLM?\\nA:" with its own
stoi/itos. Reading the pickle with weights_only=False is fine here (our own
inspection), never in the product.
    /usr/bin/python3 slm4096_reference.py [SHARED_DIR]
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared")
ck = torch.load(os.path.join(shared, "models/slm4096/ckpt.pt"), map_location="cpu", weights_only=False)
sd, cfg, stoi, itos = ck["model_state"], ck["config"], ck["stoi"], ck["itos"]
D, H, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]


def forward(ids):
    T = len(ids)
    x = sd["tok_emb.weight"][torch.tensor(ids)] + sd["pos_emb.weight"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for i in range(L):
        p = f"blocks.{i}."
        h = F.layer_norm(x, (D,), sd[p + "ln_1.weight"], sd[p + "ln_1.bias"], 1e-5)
        q, k, v = F.linear(h, sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"]).split(D, -1)
        q, k, v = (t.view(T, H, D // H).transpose(0, 1) for t in (q, k, v))
        a = ((q @ k.transpose(-1, -2)) / math.sqrt(D // H)).masked_fill(mask, float("-inf")).softmax(-1)
        x = x + F.linear((a @ v).transpose(0, 1).reshape(T, D), sd[p + "attn.c_proj.weight"], sd[p + "attn.c_proj.bias"])
        h = F.layer_norm(x, (D,), sd[p + "ln_2.weight"], sd[p + "ln_2.bias"], 1e-5)
        h = F.gelu(F.linear(h, sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"]))
        x = x + F.linear(h, sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (D,), sd["ln_f.weight"], sd["ln_f.bias"], 1e-5)
    return x @ sd["head.weight"].T


prompt = "Q: What is SLM?\nA:"
ids = [stoi[c] for c in prompt]
with torch.no_grad():
    last = forward(ids)[-1].tolist()
    out = list(ids)
    for _ in range(100):  # 18 + 100 <= context 128: no sliding
        out.append(int(forward(out)[-1].argmax()))
gen = out[len(ids):]
text = "".join(itos[str(i)] if str(i) in itos else itos[i] for i in gen)
json.dump({"prompt": prompt, "prompt_ids": ids, "greedy_ids": gen, "text": text, "last_logits": last},
          open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "slm4096_greedy.json"), "w"), indent=0)
print(repr(text))
