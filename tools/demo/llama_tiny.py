"""A tiny Llama (RMSNorm, rotate-half RoPE, SwiGLU, GQA, tied embeddings) whose
parameter names and layouts are exactly Hugging Face LlamaForCausalLM's, so
that state_dict() can be written as a Hugging Face folder unchanged."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    # HF convention: pairs are (x_i, x_{i + hd/2}), not interleaved.
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def rope_tables(head_dim, max_pos, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = torch.outer(torch.arange(max_pos, dtype=torch.float32), inv_freq)  # [P, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [P, hd]
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv, self.hd = c["heads"], c["kv_heads"], c["dim"] // c["heads"]
        self.q_proj = nn.Linear(c["dim"], self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(c["dim"], self.kv * self.hd, bias=False)
        self.v_proj = nn.Linear(c["dim"], self.kv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, c["dim"], bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.hd).transpose(1, 2)   # q: [B, H, T, hd]
        k = self.k_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)  # k: [B, KV, T, hd]
        v = self.v_proj(x).view(B, T, self.kv, self.hd).transpose(1, 2)  # v: [B, KV, T, hd]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.h // self.kv  # q head i reads kv head i // rep (HF repeat_kv)
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        # Broadcast products instead of bmm: CPU bmm over B*H tiny 16x16
        # matrices is several times slower than these element-wise ops.
        att = (q.unsqueeze(3) * k.unsqueeze(2)).sum(-1) / math.sqrt(self.hd)  # [B, H, T, T]
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        y = (att.unsqueeze(-1) * v.unsqueeze(2)).sum(3)  # [B, H, T, hd]
        y = y.transpose(1, 2).reshape(B, T, self.h * self.hd)
        return self.o_proj(y)


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["dim"], c["hidden"], bias=False)
        self.up_proj = nn.Linear(c["dim"], c["hidden"], bias=False)
        self.down_proj = nn.Linear(c["hidden"], c["dim"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c["dim"], c["eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["dim"], c["eps"])
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Body(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab"], c["dim"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["dim"], c["eps"])


class TinyLlama(nn.Module):
    """c: dim, hidden, layers, heads, kv_heads, vocab, context, eps, theta."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = Body(c)
        cos, sin = rope_tables(c["dim"] // c["heads"], c["context"], c["theta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2 style: scale residual outputs
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * c["layers"]))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, ids):  # ids: [B, T] -> logits [B, T, V]
        T = ids.shape[1]
        x = self.model.embed_tokens(ids)
        cos, sin = self.cos[:T], self.sin[:T]
        mask = torch.ones(T, T, dtype=torch.bool, device=ids.device).triu(1)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.model.norm(x) @ self.model.embed_tokens.weight.t()  # tied head
