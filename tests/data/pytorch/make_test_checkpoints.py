#!/usr/bin/python3
"""Makes the small PyTorch checkpoints that tests/engine/tst_pickle.cpp reads.

Run with Debian's /usr/bin/python3 (python3-torch) from this folder:
    /usr/bin/python3 make_test_checkpoints.py
It is deterministic (fixed seeds); its outputs are committed beside it.

  gpt2_hf/pytorch_model.bin + config.json   HF GPT2LMHeadModel names, Conv1D [in, out] weights, gelu_new
  gpt2_hf_safetensors/                      the same weights as an HF safetensors folder
  gpt2_nanogpt/ckpt.pt + meta.pkl           nanoGPT ckpt dict (model_args, model with torch.compile's
                                            _orig_mod. prefix, attn.bias mask buffers, tied head sharing
                                            storage, optimizer, iter_num, best_val_loss), char vocab in meta.pkl
  gpt2_nobias/ckpt.pt + meta.json            nanoGPT bias=False, 2 heads, untied lm_head
  gpt2_expected.json                        prompt ids and this script's own PyTorch logits for both
  llama_hf_bare/model.pth (+ config.json)   a bare HF-named Llama state_dict (OrderedDict)
  llama_bare_noconfig/model.pth             the same without config.json (must fail: n_heads missing)
  llama_expected.json                       this script's own rotate-half Llama logits
  run/checkpoints/step_000100/model_000100.pt + meta_000100.json, run/meta.json (char vocab)
  bad/*.pt                                  forbidden globals, damaged pickles, wrong shapes, unknown keys
"""
import collections
import io
import json
import math
import os
import pickle
import struct
import zipfile

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))
V, D, H, L, CTX, FF = 67, 32, 4, 2, 64, 128
CHARS = [chr(c) for c in range(32, 32 + V - 1)] + ["\n"]


def rnd(*shape, scale=0.2):
    return (torch.randn(*shape) * scale).float()


def gpt2_weights():
    w = {"wte": rnd(V, D), "wpe": rnd(CTX, D, scale=0.05), "ln_f.w": 1 + rnd(D, scale=0.1), "ln_f.b": rnd(D, scale=0.1)}
    for i in range(L):
        p = f"h{i}."
        w[p + "ln_1.w"] = 1 + rnd(D, scale=0.1)
        w[p + "ln_1.b"] = rnd(D, scale=0.1)
        w[p + "ln_2.w"] = 1 + rnd(D, scale=0.1)
        w[p + "ln_2.b"] = rnd(D, scale=0.1)
        w[p + "c_attn.w"] = rnd(3 * D, D)   # Linear layout [out, in]
        w[p + "c_attn.b"] = rnd(3 * D, scale=0.1)
        w[p + "attn_proj.w"] = rnd(D, D)
        w[p + "attn_proj.b"] = rnd(D, scale=0.1)
        w[p + "c_fc.w"] = rnd(FF, D)
        w[p + "c_fc.b"] = rnd(FF, scale=0.1)
        w[p + "mlp_proj.w"] = rnd(D, FF)
        w[p + "mlp_proj.b"] = rnd(D, scale=0.1)
    return w


def gpt2_forward(w, ids, approximate, heads=H, head="wte"):
    T, H = len(ids), heads
    x = w["wte"][torch.tensor(ids)] + w["wpe"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for i in range(L):
        p = f"h{i}."
        h = F.layer_norm(x, (D,), w[p + "ln_1.w"], w.get(p + "ln_1.b"), 1e-5)
        q, k, v = F.linear(h, w[p + "c_attn.w"], w.get(p + "c_attn.b")).split(D, -1)
        q, k, v = (t.view(T, H, D // H).transpose(0, 1) for t in (q, k, v))
        a = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
        a = a.masked_fill(mask, float("-inf")).softmax(-1)
        y = (a @ v).transpose(0, 1).reshape(T, D)
        x = x + F.linear(y, w[p + "attn_proj.w"], w.get(p + "attn_proj.b"))
        h = F.layer_norm(x, (D,), w[p + "ln_2.w"], w.get(p + "ln_2.b"), 1e-5)
        h = F.gelu(F.linear(h, w[p + "c_fc.w"], w.get(p + "c_fc.b")), approximate=approximate)
        x = x + F.linear(h, w[p + "mlp_proj.w"], w.get(p + "mlp_proj.b"))
    x = F.layer_norm(x, (D,), w["ln_f.w"], w.get("ln_f.b"), 1e-5)
    return x @ w[head].T


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def save(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path)


def make_gpt2():
    w = gpt2_weights()
    # HF GPT2LMHeadModel: transformer.* names, Conv1D weights [in, out], lm_head tied.
    hf = collections.OrderedDict()
    hf["transformer.wte.weight"] = w["wte"]
    hf["transformer.wpe.weight"] = w["wpe"]
    for i in range(L):
        p, q = f"transformer.h.{i}.", f"h{i}."
        hf[p + "ln_1.weight"], hf[p + "ln_1.bias"] = w[q + "ln_1.w"], w[q + "ln_1.b"]
        hf[p + "attn.bias"] = torch.tril(torch.ones(CTX, CTX, dtype=torch.bool)).view(1, 1, CTX, CTX)
        hf[p + "attn.masked_bias"] = torch.tensor(-1e4)
        hf[p + "attn.c_attn.weight"], hf[p + "attn.c_attn.bias"] = w[q + "c_attn.w"].T.contiguous(), w[q + "c_attn.b"]
        hf[p + "attn.c_proj.weight"], hf[p + "attn.c_proj.bias"] = w[q + "attn_proj.w"].T.contiguous(), w[q + "attn_proj.b"]
        hf[p + "ln_2.weight"], hf[p + "ln_2.bias"] = w[q + "ln_2.w"], w[q + "ln_2.b"]
        hf[p + "mlp.c_fc.weight"], hf[p + "mlp.c_fc.bias"] = w[q + "c_fc.w"].T.contiguous(), w[q + "c_fc.b"]
        hf[p + "mlp.c_proj.weight"], hf[p + "mlp.c_proj.bias"] = w[q + "mlp_proj.w"].T.contiguous(), w[q + "mlp_proj.b"]
    hf["transformer.ln_f.weight"], hf["transformer.ln_f.bias"] = w["ln_f.w"], w["ln_f.b"]
    hf["lm_head.weight"] = hf["transformer.wte.weight"]  # tied: the same storage
    save(hf, f"{HERE}/gpt2_hf/pytorch_model.bin")
    with open(f"{HERE}/gpt2_hf/config.json", "w") as f:
        json.dump({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": D, "n_head": H,
                   "n_layer": L, "n_positions": CTX, "vocab_size": V, "layer_norm_epsilon": 1e-5,
                   "activation_function": "gelu_new"}, f, indent=1)
    with open(f"{HERE}/gpt2_hf/meta.json", "w") as f:
        json.dump({"vocab_size": V, "itos": {str(i): c for i, c in enumerate(CHARS)}}, f)
    # The same as a Hugging Face safetensors folder (no tied lm_head stored).
    os.makedirs(f"{HERE}/gpt2_hf_safetensors", exist_ok=True)
    for name in ("config.json", "meta.json"):
        with open(f"{HERE}/gpt2_hf/{name}") as src, open(f"{HERE}/gpt2_hf_safetensors/{name}", "w") as dst:
            dst.write(src.read())
    write_safetensors(f"{HERE}/gpt2_hf_safetensors/model.safetensors",
                      {k: v for k, v in hf.items() if k != "lm_head.weight" and v.dtype == torch.float32})

    # nanoGPT: Linear layout, torch.compile prefix, mask buffers, tied head.
    sd = collections.OrderedDict()
    P = "_orig_mod."
    sd[P + "transformer.wte.weight"] = w["wte"].clone()
    sd[P + "transformer.wpe.weight"] = w["wpe"]
    for i in range(L):
        p, q = f"{P}transformer.h.{i}.", f"h{i}."
        sd[p + "ln_1.weight"], sd[p + "ln_1.bias"] = w[q + "ln_1.w"], w[q + "ln_1.b"]
        sd[p + "attn.c_attn.weight"], sd[p + "attn.c_attn.bias"] = w[q + "c_attn.w"], w[q + "c_attn.b"]
        sd[p + "attn.c_proj.weight"], sd[p + "attn.c_proj.bias"] = w[q + "attn_proj.w"], w[q + "attn_proj.b"]
        sd[p + "attn.bias"] = torch.tril(torch.ones(CTX, CTX)).view(1, 1, CTX, CTX)
        sd[p + "ln_2.weight"], sd[p + "ln_2.bias"] = w[q + "ln_2.w"], w[q + "ln_2.b"]
        sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"] = w[q + "c_fc.w"], w[q + "c_fc.b"]
        sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"] = w[q + "mlp_proj.w"], w[q + "mlp_proj.b"]
    sd[P + "transformer.ln_f.weight"], sd[P + "transformer.ln_f.bias"] = w["ln_f.w"], w["ln_f.b"]
    sd[P + "lm_head.weight"] = sd[P + "transformer.wte.weight"]
    model_args = dict(n_layer=L, n_head=H, n_embd=D, block_size=CTX, bias=True, vocab_size=V, dropout=0.0)
    optimizer = {"state": {0: {"step": torch.tensor(120.0), "exp_avg": torch.zeros(V, D)}},
                 "param_groups": [{"lr": 6e-4, "betas": (0.9, 0.95), "params": [0]}]}
    ckpt = {"model": sd, "optimizer": optimizer, "model_args": model_args, "iter_num": 120,
            "best_val_loss": torch.tensor(2.5), "config": dict(model_args, learning_rate=6e-4, dataset="shakespeare_char")}
    save(ckpt, f"{HERE}/gpt2_nanogpt/ckpt.pt")
    with open(f"{HERE}/gpt2_nanogpt/meta.pkl", "wb") as f:
        pickle.dump({"vocab_size": V, "itos": {i: c for i, c in enumerate(CHARS)},
                     "stoi": {c: i for i, c in enumerate(CHARS)}}, f)

    # nanoGPT with bias=False (no Linear or LayerNorm biases), 2 heads, an untied head.
    nb = {k: v for k, v in w.items() if not k.endswith(".b")}
    nb["lm_head"] = rnd(V, D)
    sd2 = collections.OrderedDict()
    sd2["transformer.wte.weight"], sd2["transformer.wpe.weight"] = nb["wte"], nb["wpe"]
    for i in range(L):
        p, q = f"transformer.h.{i}.", f"h{i}."
        sd2[p + "ln_1.weight"], sd2[p + "attn.c_attn.weight"] = nb[q + "ln_1.w"], nb[q + "c_attn.w"]
        sd2[p + "attn.c_proj.weight"], sd2[p + "ln_2.weight"] = nb[q + "attn_proj.w"], nb[q + "ln_2.w"]
        sd2[p + "mlp.c_fc.weight"], sd2[p + "mlp.c_proj.weight"] = nb[q + "c_fc.w"], nb[q + "mlp_proj.w"]
    sd2["transformer.ln_f.weight"], sd2["lm_head.weight"] = nb["ln_f.w"], nb["lm_head"]
    save({"model": sd2, "model_args": dict(model_args, bias=False, n_head=2), "iter_num": 7},
         f"{HERE}/gpt2_nobias/ckpt.pt")
    with open(f"{HERE}/gpt2_nobias/meta.json", "w") as f:
        json.dump({"itos": CHARS}, f)

    ids = [5, 17, 3, 60, 44, 1, 0, 66, 23, 9, 12]
    with torch.no_grad():
        out = {"prompt_ids": ids,
               "hf_logits": gpt2_forward(w, ids, "tanh").flatten().tolist(),
               "nanogpt_logits": gpt2_forward(w, ids, "none").flatten().tolist(),
               "nobias_logits": gpt2_forward(nb, ids, "none", heads=2, head="lm_head").flatten().tolist(),
               "vocab": V}
    with open(f"{HERE}/gpt2_expected.json", "w") as f:
        json.dump(out, f)
    return ckpt


def make_llama():
    # A bare Hugging Face-named Llama state_dict: GQA, untied, rotate-half RoPE.
    KV, hd, F_ = 2, D // H, 96
    w = collections.OrderedDict()
    w["model.embed_tokens.weight"] = rnd(V, D)
    for i in range(L):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = rnd(H * hd, D)
        w[p + "self_attn.k_proj.weight"] = rnd(KV * hd, D)
        w[p + "self_attn.v_proj.weight"] = rnd(KV * hd, D)
        w[p + "self_attn.o_proj.weight"] = rnd(D, H * hd)
        w[p + "mlp.gate_proj.weight"] = rnd(F_, D)
        w[p + "mlp.up_proj.weight"] = rnd(F_, D)
        w[p + "mlp.down_proj.weight"] = rnd(D, F_)
        w[p + "input_layernorm.weight"] = 1 + rnd(D, scale=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + rnd(D, scale=0.1)
    w["model.norm.weight"] = 1 + rnd(D, scale=0.1)
    w["lm_head.weight"] = rnd(V, D)
    save(w, f"{HERE}/llama_hf_bare/model.pth")
    save(w, f"{HERE}/llama_bare_noconfig/model.pth")
    with open(f"{HERE}/llama_hf_bare/config.json", "w") as f:
        json.dump({"num_attention_heads": H, "num_key_value_heads": KV, "max_position_embeddings": CTX,
                   "rms_norm_eps": 1e-5, "rope_theta": 10000.0}, f, indent=1)
    with open(f"{HERE}/llama_hf_bare/meta.json", "w") as f:
        json.dump({"stoi": {c: i for i, c in enumerate(CHARS)}}, f)

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * g

    def rot(x):
        a, b = x.chunk(2, -1)
        return torch.cat([-b, a], -1)

    ids = [3, 14, 15, 9, 26, 5, 35]
    T = len(ids)
    inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.outer(torch.arange(T).float(), inv)
    cos, sin = torch.cat([ang.cos()] * 2, -1), torch.cat([ang.sin()] * 2, -1)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for i in range(L):
        p = f"model.layers.{i}."
        h = rms(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd).transpose(0, 1)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k, v = k.repeat_interleave(H // KV, 0), v.repeat_interleave(H // KV, 0)
        a = ((q @ k.transpose(-1, -2)) / math.sqrt(hd)).masked_fill(mask, float("-inf")).softmax(-1)
        x = x + (a @ v).transpose(0, 1).reshape(T, D) @ w[p + "self_attn.o_proj.weight"].T
        h = rms(x, w[p + "post_attention_layernorm.weight"])
        x = x + (F.silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    logits = rms(x, w["model.norm.weight"]) @ w["lm_head.weight"].T
    with open(f"{HERE}/llama_expected.json", "w") as f:
        json.dump({"prompt_ids": ids, "logits": logits.flatten().tolist(), "vocab": V}, f)
    return w


def make_step_folder(llama):
    # nanochat-style: a run folder with step folders; llama2.c names inside.
    sd = collections.OrderedDict()
    for k, t in llama.items():
        n = (k.replace("model.embed_tokens", "tok_embeddings").replace("model.norm", "norm")
              .replace("model.layers", "layers").replace("self_attn.q_proj", "attention.wq")
              .replace("self_attn.k_proj", "attention.wk").replace("self_attn.v_proj", "attention.wv")
              .replace("self_attn.o_proj", "attention.wo").replace("mlp.gate_proj", "feed_forward.w1")
              .replace("mlp.down_proj", "feed_forward.w2").replace("mlp.up_proj", "feed_forward.w3")
              .replace("post_attention_layernorm", "ffn_norm").replace("input_layernorm", "attention_norm")
              .replace("lm_head", "output"))
        sd[n] = t
    for step, loss in ((50, 2.75), (100, 1.25)):
        d = f"{HERE}/run/checkpoints/step_{step:06d}"
        save(sd, f"{d}/model_{step:06d}.pt")
        with open(f"{d}/meta_{step:06d}.json", "w") as f:
            json.dump({"step": step, "val_loss": loss,
                       "model_config": {"sequence_len": CTX, "vocab_size": V, "n_layer": L, "n_head": H,
                                        "n_kv_head": 2, "n_embd": D},
                       "tokenizer": "meta.json"}, f, indent=1)
    with open(f"{HERE}/run/checkpoints/meta.json", "w") as f:
        json.dump({"itos": CHARS}, f)


class UserModel:  # a user's own class: torch.save pickles it by reference
    pass


def zip_pickle(path, pkl, records=()):
    """A torch.save-shaped archive around hand-written pickle bytes."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in [("data.pkl", pkl), *records, ("version", b"3\n")]:
            z.writestr(zipfile.ZipInfo("archive/" + name, date_time=(2020, 1, 1, 0, 0, 0)), data)


def make_bad(ckpt):
    B = f"{HERE}/bad"
    os.makedirs(B, exist_ok=True)
    # GLOBAL os system, REDUCE: what a malicious pickle does.
    zip_pickle(f"{B}/os_system.pt", b"\x80\x02cos\nsystem\nq\x00X\x0b\x00\x00\x00echo pwned!q\x01\x85q\x02Rq\x03.")
    zip_pickle(f"{B}/builtin_eval.pt", b"\x80\x02c__builtin__\neval\nX\x04\x00\x00\x001+1q\x00\x85R.")

    save({"model": UserModel()}, f"{B}/user_class.pt")  # GLOBAL __main__ UserModel

    good = open(f"{HERE}/gpt2_nanogpt/ckpt.pt", "rb").read()
    with open(f"{B}/truncated.pt", "wb") as f:
        f.write(good[: len(good) // 2])
    # A valid archive whose pickle stops half-way / reads a memo slot never written.
    pk = io.BytesIO()
    pickle.Pickler(pk, protocol=2).dump({"a": [1, 2, 3], "b": "text"})
    raw = pk.getvalue()
    zip_pickle(f"{B}/cut_pickle.pt", raw[: len(raw) - 6])
    zip_pickle(f"{B}/bad_memo.pt", b"\x80\x02}q\x00(X\x01\x00\x00\x00ah\x07u.")
    zip_pickle(f"{B}/garbage.pt", bytes(range(200, 256)) * 4)
    # A tensor that claims more elements than its storage holds.
    tensor_pkl = (b"\x80\x02}q\x00X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\nq\x01"
                  b"((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
                  b"K\x00K\x10K\x10\x86K\x10K\x01\x86\x89ccollections\nOrderedDict\n)RtRs.")
    zip_pickle(f"{B}/view_past_storage.pt", tensor_pkl, [("data/0", struct.pack("<4f", 1, 2, 3, 4))])
    # Wrong shapes: one c_proj transposed in the nanoGPT layout.
    sd = collections.OrderedDict((k, v.clone()) for k, v in ckpt["model"].items())
    sd["_orig_mod.transformer.h.1.mlp.c_proj.weight"] = sd["_orig_mod.transformer.h.1.mlp.c_proj.weight"].T.contiguous()
    save({"model": sd, "model_args": ckpt["model_args"]}, f"{B}/wrong_shape.pt")
    # torch.save's legacy (pre-1.6) format.
    torch.save({"model": collections.OrderedDict(w=torch.zeros(2))}, f"{B}/legacy.pt", _use_new_zipfile_serialization=False)
    # nanochat's own GPT (c_q/c_k/c_v, no norm weights): named in the error.
    save(collections.OrderedDict([("transformer.wte.weight", torch.zeros(V, 8)),
                                  ("transformer.h.0.attn.c_q.weight", torch.zeros(8, 8)),
                                  ("transformer.h.0.attn.c_k.weight", torch.zeros(8, 8)),
                                  ("lm_head.weight", torch.zeros(V, 8))]), f"{B}/nanochat_gpt.pt")
    # Unknown key set: a convolutional network.
    save(collections.OrderedDict([("encoder.conv1.weight", torch.zeros(8, 3, 3, 3)),
                                  ("encoder.conv1.bias", torch.zeros(8)), ("fc.weight", torch.zeros(10, 8))]),
         f"{B}/unknown_keys.pt")


if __name__ == "__main__":
    ck = make_gpt2()
    ll = make_llama()
    make_step_folder(ll)
    make_bad(ck)
    print("written under", HERE)
