"""Writes a TinyLlama as a Hugging Face folder (config.json, model.safetensors,
generation_config.json, tokenizer.model) and reads safetensors back, with no
library but the standard one and torch.

safetensors: 8-byte little-endian header length N, N bytes of JSON
{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}},
then the raw little-endian data, offsets relative to the end of the header."""

import json
import os
import shutil
import struct

import torch

from arith_data import BOS, EOS


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().cpu()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def read_safetensors(path):
    """Returns (tensors, metadata); checks that the offsets tile the data."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n :]
    tensors, end = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        assert info["dtype"] == "F32", name
        b, e = info["data_offsets"]
        assert b == end, f"{name}: gap or overlap at {b}"
        count = 1
        for s in info["shape"]:
            count *= s
        assert e - b == 4 * count, f"{name}: size does not match shape"
        t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"])
        end = e
    assert end == len(data), "trailing bytes after the last tensor"
    return tensors, metadata


def hf_config(c):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": c["dim"],
        "intermediate_size": c["hidden"],
        "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"],
        "num_key_value_heads": c["kv_heads"],
        "head_dim": c["dim"] // c["heads"],
        "vocab_size": c["vocab"],
        "max_position_embeddings": c["context"],
        "rms_norm_eps": c["eps"],
        "rope_theta": c["theta"],
        "tie_word_embeddings": True,
        "hidden_act": "silu",
        "attention_bias": False,
        "mlp_bias": False,
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "torch_dtype": "float32",
    }


def export_folder(folder, model, tokenizer_path, step, val_loss):
    os.makedirs(folder, exist_ok=True)
    # The tied head is not stored (tie_word_embeddings); buffers are not weights.
    tensors = {k: v.cpu() for k, v in model.state_dict().items() if k.startswith("model.")}
    write_safetensors(os.path.join(folder, "model.safetensors"), tensors,
                      {"format": "pt", "step": step, "val_loss": f"{val_loss:.6f}"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config(model.c), f, indent=2)
        f.write("\n")
    gen = {"bos_token_id": BOS, "eos_token_id": EOS, "do_sample": False,
           "temperature": 0.0, "max_new_tokens": 8}
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)
        f.write("\n")
    shutil.copyfile(tokenizer_path, os.path.join(folder, "tokenizer.model"))
    # Independent check of the writer: read it back and compare bit for bit.
    back, meta = read_safetensors(os.path.join(folder, "model.safetensors"))
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert torch.equal(back[k], v.float()), k
    assert meta["step"] == str(step)


def load_folder(folder):
    """The TinyLlama saved in a folder written by export_folder, and its metadata."""
    from llama_tiny import TinyLlama
    with open(os.path.join(folder, "config.json")) as f:
        j = json.load(f)
    c = dict(dim=j["hidden_size"], hidden=j["intermediate_size"], layers=j["num_hidden_layers"],
             heads=j["num_attention_heads"], kv_heads=j["num_key_value_heads"],
             vocab=j["vocab_size"], context=j["max_position_embeddings"],
             eps=j["rms_norm_eps"], theta=j["rope_theta"])
    model = TinyLlama(c)
    tensors, meta = read_safetensors(os.path.join(folder, "model.safetensors"))
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    assert not unexpected and not missing, (missing, unexpected)
    return model.eval(), meta
