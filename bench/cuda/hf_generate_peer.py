#!/usr/bin/env python3
"""Peer for waypoint-bench on CUDA: Hugging Face `generate` on a random-weight
Llama of the same shape, bf16, batch 1, greedy, 256-token prompt, 256 new
tokens; dynamic cache (eager) and static cache with the forward compiled
(transformers compiles the decoding forward itself when the cache is static:
its CompileConfig, mode "reduce-overhead" = CUDA graphs). Decode tok/s = 255 / (t(256 new) - t(1 new)).

  hf_generate_peer.py [tinyllama-1.1B|stories110M ...]
Prints one JSON line per shape.
"""
import json, sys, time
import torch
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {  # dim, hidden, layers, heads, kv heads, vocab, context (make_random_llama.py's)
    "tinyllama-1.1B": (2048, 5632, 22, 32, 4, 32000, 2048),
    "stories110M": (768, 2048, 12, 12, 12, 32000, 1024),
}

def timed(model, ids, n, **kw):
    torch.cuda.synchronize()
    t = time.perf_counter()
    model.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False, **kw)
    torch.cuda.synchronize()
    return time.perf_counter() - t

def decode_rate(model, ids, **kw):
    for _ in range(2):
        timed(model, ids, 8, **kw)  # warm-up (compilation, graph capture)
    t1 = min(timed(model, ids, 1, **kw) for _ in range(2))
    tn = min(timed(model, ids, 256, **kw) for _ in range(2))
    return round(255 / (tn - t1), 1), round(t1 * 1000, 2)

for name in sys.argv[1:] or ["tinyllama-1.1B"]:
    D, F, L, H, KV, V, S = SHAPES[name]
    cfg = LlamaConfig(hidden_size=D, intermediate_size=F, num_hidden_layers=L, num_attention_heads=H,
                      num_key_value_heads=KV, vocab_size=V, max_position_embeddings=S, tie_word_embeddings=True)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = LlamaForCausalLM(cfg).to(torch.bfloat16).eval()
    model.generation_config.pad_token_id = 0
    ids = torch.randint(3, V, (1, 256), device="cuda")
    r = {"peer": "hf_generate", "model": name, "torch": torch.__version__}
    import transformers
    r["transformers"] = transformers.__version__
    with torch.no_grad():
        r["dynamic_tok_s"], r["dynamic_ttft_ms"] = decode_rate(model, ids)
        try:
            r["static_compiled_tok_s"], r["static_compiled_ttft_ms"] = decode_rate(model, ids, cache_implementation="static")
        except Exception as e:  # report, keep the other figure
            r["static_compiled_error"] = str(e)[:300]
    print(json.dumps(r), flush=True)
    del model
    torch.cuda.empty_cache()
