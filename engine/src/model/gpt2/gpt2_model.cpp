// The GPT-2 family: its weights from canonical tensors and its forward.
#include "model/gpt2/gpt2_model.h"

#include <cmath>

#include "model/kv_cache.h"
#include "model/model_impl.h"
#include "model/weight_taker.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

// x: [T, in] times W^T (+ b), W: [out, in] -> [T, out]. 16-bit weights on
// the CPU: the product runs in their dtype and returns in x's.
at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    at::Tensor y;
    if (x.scalar_type() == w.scalar_type()) y = at::matmul(x, w.t());
    else if (w.scalar_type() == at::kHalf && w.device().is_cpu()) y = at::matmul(x, w.to(x.scalar_type()).t());  // no fp16 GEMM on CPU
    else y = at::matmul(x.to(w.scalar_type()), w.t()).to(x.scalar_type());
    return b.defined() ? y.add_(b) : y;
}

// LayerNorm over the last dim in fp32; bias optional.
at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, double eps) {
    at::Tensor xf = x.to(at::kFloat);
    at::Tensor wf = w.to(at::kFloat);
    at::Tensor bf = b.defined() ? b.to(at::kFloat) : at::Tensor();
    return at::layer_norm(xf, {x.size(-1)}, wf, bf, eps).to(x.scalar_type());
}

}  // namespace

std::unique_ptr<const ModelFamily> build_gpt2(ModelImpl& m, WeightTaker& t) {
    const ModelConfig& c = m.config;
    if (c.dim <= 0 || c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.n_layers <= 0 || c.hidden_dim <= 0 ||
        c.vocab_size <= 0 || c.max_seq_len <= 0)
        throw Error(ErrorKind::BadFormat, m.card.path + ": inconsistent GPT-2 config (dim " + std::to_string(c.dim) +
                                              ", heads " + std::to_string(c.n_heads) + ")");
    m.config.n_kv_heads = c.n_heads;  // the KV cache holds every head

    auto w = std::make_unique<Gpt2Model>();
    m.tok_embeddings = t.take("wte.weight");
    const bool tied = c.tied_embeddings || !t.has("lm_head.weight");
    m.output = tied ? m.tok_embeddings : t.take("lm_head.weight");
    w->wpe = t.take("wpe.weight");
    w->ln_f_w = t.take("ln_f.weight");
    w->ln_f_b = t.take("ln_f.bias");
    for (int i = 0; i < c.n_layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".";
        Gpt2Layer l;
        l.ln1_w = t.take(p + "ln_1.weight");
        l.ln1_b = t.take(p + "ln_1.bias");
        l.attn_w = t.take(p + "attn.c_attn.weight");
        l.attn_b = t.take(p + "attn.c_attn.bias");
        l.attn_proj_w = t.take(p + "attn.c_proj.weight");
        l.attn_proj_b = t.take(p + "attn.c_proj.bias");
        l.ln2_w = t.take(p + "ln_2.weight");
        l.ln2_b = t.take(p + "ln_2.bias");
        l.fc_w = t.take(p + "mlp.c_fc.weight");
        l.fc_b = t.take(p + "mlp.c_fc.bias");
        l.mlp_proj_w = t.take(p + "mlp.c_proj.weight");
        l.mlp_proj_b = t.take(p + "mlp.c_proj.bias");
        w->layers.push_back(std::move(l));
    }
    m.config.tied_embeddings = tied;
    return w;
}

at::Tensor Gpt2Model::forward(const ModelImpl& m, KvCache* cache, const at::Tensor& ids, int64_t pos,
                              bool all_logits) const {
    const ModelConfig& c = m.config;
    const int64_t T = ids.size(0), D = c.dim, H = c.n_heads, hd = D / H;
    const double eps = c.norm_eps;
    const char* approximate = c.activation == Activation::GeluTanh ? "tanh" : "none";
    const int64_t S = (cache ? pos : 0) + T;  // keys attended to

    // x: [T, D] = token + learned position embeddings
    at::Tensor x = m.tok_embeddings.index_select(0, ids).to(m.act_dtype) + wpe.narrow(0, pos, T);
    // masked[t, s] = s > (S - T) + t: causal over the history plus the new rows
    at::Tensor masked;
    if (T > 1) masked = at::ones({T, S}, at::TensorOptions().dtype(at::kBool).device(m.device)).triu(S - T + 1);
    for (int64_t l = 0; l < c.n_layers; ++l) {
        const Gpt2Layer& w = layers[size_t(l)];
        at::Tensor h = layer_norm(x, w.ln1_w, w.ln1_b, eps);
        at::Tensor qkv = linear(h, w.attn_w, w.attn_b);                   // [T, 3D]
        at::Tensor q = qkv.narrow(1, 0, D).view({T, H, hd}).transpose(0, 1);      // [H, T, hd]
        at::Tensor k = qkv.narrow(1, D, D).view({T, H, hd}).transpose(0, 1);      // [H, T, hd]
        at::Tensor v = qkv.narrow(1, 2 * D, D).view({T, H, hd}).transpose(0, 1);  // [H, T, hd]
        at::Tensor keys = k, values = v;                                  // [H, S, hd]
        if (cache) {
            cache->append(l, pos, k, v);
            const KvView kv = cache->view(l, S);
            keys = kv.k;
            values = kv.v;
        }
        at::Tensor scores = at::bmm(q, keys.transpose(1, 2)).to(at::kFloat);  // [H, T, S]
        scores.mul_(1.0 / std::sqrt(double(hd)));
        if (masked.defined()) scores.masked_fill_(masked, -INFINITY);
        at::Tensor probs = at::softmax(scores, -1).to(values.scalar_type());
        at::Tensor y = at::bmm(probs, values).transpose(0, 1).reshape({T, D});  // [T, D]
        x = x + linear(y, w.attn_proj_w, w.attn_proj_b);
        h = layer_norm(x, w.ln2_w, w.ln2_b, eps);
        h = at::gelu(linear(h, w.fc_w, w.fc_b), approximate);              // [T, F]
        x = x + linear(h, w.mlp_proj_w, w.mlp_proj_b);
    }
    if (!all_logits) x = x.narrow(0, T - 1, 1);
    x = layer_norm(x, ln_f_w, ln_f_b, eps);
    return linear(x, m.output, at::Tensor()).to(at::kFloat);  // [T or 1, V]
}

}  // namespace waypoint::detail
