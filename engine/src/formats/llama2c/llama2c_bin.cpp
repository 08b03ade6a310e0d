// llama2.c checkpoints (karpathy/llama2.c export.py).
//  version 0 ("legacy"): 7 x int32 header (dim, hidden_dim, n_layers, n_heads,
//    n_kv_heads, vocab_size (negative: separate classifier), seq_len), then fp32:
//    token_embedding [V, D], rms_att [L, D], wq [L, D, D], wk [L, KV*hd, D],
//    wv [L, KV*hd, D], wo [L, D, D], rms_ffn [L, D], w1 [L, F, D], w2 [L, D, F],
//    w3 [L, F, D], rms_final [D], freq_cis_real/imag [seq, hd/2] each (skipped),
//    wcls [V, D] when not shared.
//  version 1: uint32 magic "ak42", int32 1, the same 7 ints, uint8 shared,
//    zero padding to 256 bytes, then fp32: rms_att [L, D], rms_ffn [L, D],
//    rms_final [D], token_embedding, wq, wk, wv, wo, w1, w2, w3, (wcls).
//  version 2: as version 1 plus int32 group_size after the shared flag; the
//    norms in fp32, then every matrix of version 1's list as Q8_0: int8 values
//    [numel] followed by fp32 scales [numel / group_size]. Dequantized at load.
// Both store q/k in Meta's interleaved-pair layout.
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "formats/checkpoint_common.h"
#include "formats/mapped_file.h"
#include "formats/readers.h"
#include "formats/tokenizer_finder.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

constexpr uint32_t kMagicAk42 = 0x616b3432;

struct Header {
    int version = 0;
    int32_t dim, hidden, layers, heads, kv_heads, vocab, seq_len;
    bool shared = true;
    int32_t group_size = 0;
    int64_t data_offset = 28;
};

bool plausible(const Header& h) {
    return h.dim > 0 && h.dim <= (1 << 16) && h.hidden > 0 && h.hidden <= (1 << 20) &&
           h.layers > 0 && h.layers <= 4096 && h.heads > 0 && h.dim % h.heads == 0 &&
           (h.dim / h.heads) % 2 == 0 && h.kv_heads > 0 && h.kv_heads <= h.heads &&
           h.heads % h.kv_heads == 0 && h.vocab > 0 && h.vocab <= (1 << 24) && h.seq_len > 0 &&
           h.seq_len <= (1 << 24);
}

bool parse_header(const std::string& b, Header& h) {
    if (b.size() < 28) return false;
    uint32_t magic = 0;
    std::memcpy(&magic, b.data(), 4);
    const char* ints = b.data();
    if (magic == kMagicAk42) {
        if (b.size() < 45) return false;
        int32_t version = 0;
        std::memcpy(&version, b.data() + 4, 4);
        h.version = version;
        ints = b.data() + 8;
    }
    int32_t v[7];
    std::memcpy(v, ints, sizeof v);
    h.dim = v[0], h.hidden = v[1], h.layers = v[2], h.heads = v[3], h.kv_heads = v[4];
    h.vocab = v[5], h.seq_len = v[6];
    if (h.version == 0) {
        // A negative vocabulary size marks a separate classifier; INT32_MIN
        // has no positive counterpart (negating it overflows).
        if (h.vocab == INT32_MIN) return false;
        h.shared = h.vocab > 0;
        if (h.vocab < 0) h.vocab = -h.vocab;
        h.data_offset = 28;
    } else {
        h.shared = b[36] != 0;
        if (h.version == 2) std::memcpy(&h.group_size, b.data() + 37, 4);
        h.data_offset = 256;
    }
    return plausible(h);
}

ModelConfig config_of(const Header& h) {
    ModelConfig c;
    c.architecture = Architecture::Llama;
    c.dim = h.dim;
    c.hidden_dim = h.hidden;
    c.n_layers = h.layers;
    c.n_heads = h.heads;
    c.n_kv_heads = h.kv_heads;
    c.vocab_size = h.vocab;
    c.max_seq_len = h.seq_len;
    c.norm_eps = 1e-5f;
    c.rope_theta = 10000.0f;
    c.rope = RopeStyle::Interleaved;
    c.tied_embeddings = h.shared;
    return c;
}

// One stacked tensor of the file: name template ("layers.{}..." or plain) and
// per-layer shape.
struct Block {
    std::string name;  // canonical; "{}" replaced by the layer index
    std::vector<int64_t> shape;
    bool per_layer;
};

std::string layer_name(const std::string& t, int i) {
    auto pos = t.find("{}");
    return pos == std::string::npos ? t : t.substr(0, pos) + std::to_string(i) + t.substr(pos + 2);
}

int64_t numel_of(const std::vector<int64_t>& s) { return checked_numel(s); }

// Splits a stacked block into per-layer views.
void add_block(CheckpointData& d, const Block& b, const at::Tensor& stacked, int layers) {
    if (!b.per_layer) {
        d.tensors[b.name] = stacked;
        return;
    }
    for (int i = 0; i < layers; ++i) d.tensors[layer_name(b.name, i)] = stacked[i];
}

std::vector<int64_t> stacked_shape(const Block& b, int layers) {
    std::vector<int64_t> s;
    if (b.per_layer) s.push_back(layers);
    s.insert(s.end(), b.shape.begin(), b.shape.end());
    return s;
}

}  // namespace

bool is_llama2c_bin(const FileProbe& probe) {
    Header h;
    return parse_header(probe.head, h);
}

CheckpointData read_llama2c_bin(const FileProbe& probe, const ReadOptions& options) {
    const std::string& path = probe.path;
    Header h;
    if (!parse_header(probe.head, h))
        throw Error(ErrorKind::BadFormat, path + " has no valid llama2.c header");
    if (h.version < 0 || h.version > 2)
        throw Error(ErrorKind::Unsupported,
                    path + " is a llama2.c export of version " + std::to_string(h.version) +
                        ", which Waypoint does not read (versions 0, 1 and 2 only); re-export it "
                        "with llama2.c's export.py --version 0");
    if (h.version == 2 && (h.group_size <= 0 || h.group_size > (1 << 20)))
        throw Error(ErrorKind::BadFormat,
                    path + ": llama2.c version 2 header has group size " + std::to_string(h.group_size));

    CheckpointData d;
    d.config = config_of(h);
    const int L = h.layers;
    const int64_t D = h.dim, F = h.hidden, V = h.vocab, hd = h.dim / h.heads;
    const int64_t KVD = hd * h.kv_heads;

    const Block tok{"tok_embeddings.weight", {V, D}, false};
    const Block rms_att{"layers.{}.attention_norm.weight", {D}, true};
    const Block rms_ffn{"layers.{}.ffn_norm.weight", {D}, true};
    const Block rms_final{"norm.weight", {D}, false};
    const std::vector<Block> attn_ffn = {
        {"layers.{}.attention.wq.weight", {D, D}, true},  {"layers.{}.attention.wk.weight", {KVD, D}, true},
        {"layers.{}.attention.wv.weight", {KVD, D}, true}, {"layers.{}.attention.wo.weight", {D, D}, true},
    };
    const std::vector<Block> ffn = {
        {"layers.{}.feed_forward.w1.weight", {F, D}, true},
        {"layers.{}.feed_forward.w2.weight", {D, F}, true},
        {"layers.{}.feed_forward.w3.weight", {F, D}, true},
    };
    const Block wcls{"output.weight", {V, D}, false};
    const Block freq{"", {h.seq_len, hd / 2}, false};  // freq_cis_real / imag, skipped

    // The layout, in file order; `quantized` marks Q8_0 blocks (version 2).
    struct Item {
        Block block;
        bool quantized;
        bool skip;
    };
    std::vector<Item> items;
    if (h.version == 0) {
        items.push_back({tok, false, false});
        items.push_back({rms_att, false, false});
        for (const auto& b : attn_ffn) items.push_back({b, false, false});
        items.push_back({rms_ffn, false, false});
        for (const auto& b : ffn) items.push_back({b, false, false});
        items.push_back({rms_final, false, false});
        items.push_back({freq, false, true});
        items.push_back({freq, false, true});
        if (!h.shared) items.push_back({wcls, false, false});
    } else {
        const bool q = h.version == 2;
        items.push_back({rms_att, false, false});
        items.push_back({rms_ffn, false, false});
        items.push_back({rms_final, false, false});
        items.push_back({tok, q, false});
        for (const auto& b : attn_ffn) items.push_back({b, q, false});
        for (const auto& b : ffn) items.push_back({b, q, false});
        if (!h.shared) items.push_back({wcls, q, false});
    }

    // Validate the size the header implies before touching any weight.
    int64_t expected = h.data_offset;
    for (const auto& it : items) {
        const int64_t n = numel_of(stacked_shape(it.block, L));
        if (it.quantized) {
            const int64_t per = it.block.per_layer ? n / L : n;
            if (per % h.group_size != 0)
                throw Error(ErrorKind::BadFormat, path + ": tensor '" + it.block.name + "' has " +
                                                      std::to_string(per) + " values, not a multiple of group size " +
                                                      std::to_string(h.group_size));
            expected += n + 4 * (n / h.group_size);
        } else {
            expected += 4 * n;
        }
    }
    if (probe.size != expected)
        throw Error(ErrorKind::BadFormat,
                    path + ": llama2.c checkpoint " +
                        (probe.size < expected ? "is truncated" : "is longer than its header says") +
                        ": its header (dim " + std::to_string(h.dim) + ", " + std::to_string(L) +
                        " layers, vocab " + std::to_string(V) + ") implies " + std::to_string(expected) +
                        " bytes, the file has " + std::to_string(probe.size));

    auto file = MappedFile::open(path);
    if (file->size() != expected)
        throw Error(ErrorKind::BadFormat, path + " changed while it was being read");
    int64_t off = h.data_offset;
    for (const auto& it : items) {
        const auto shape = stacked_shape(it.block, L);
        const int64_t n = numel_of(shape);
        if (it.skip) {
            off += 4 * n;
            continue;
        }
        at::Tensor t;
        if (!it.quantized) {
            t = tensor_from_mapping(file, off, shape, at::kFloat, it.block.name);
            off += 4 * n;
        } else if (options.probe) {
            // Probing: the shape is what counts; skip the int8 values and scales.
            t = at::empty(shape, at::TensorOptions().dtype(at::kFloat).device(at::kMeta));
            off += n + 4 * (n / h.group_size);
        } else {
            // Q8_0, tensor by tensor (each layer's matrix on its own): int8
            // values, then one fp32 scale per group_size values; w = q * s.
            const int parts = it.block.per_layer ? L : 1;
            const int64_t per = n / parts, groups = per / h.group_size;
            std::vector<at::Tensor> deq;
            for (int i = 0; i < parts; ++i) {
                at::Tensor q = tensor_from_mapping(file, off, {groups, h.group_size}, at::kChar, it.block.name);
                off += per;
                at::Tensor s = tensor_from_mapping(file, off, {groups, 1}, at::kFloat, it.block.name);
                off += 4 * groups;
                deq.push_back(q.to(at::kFloat) * s);
            }
            t = at::cat(deq).reshape(shape);
        }
        add_block(d, it.block, t, L);
    }

    check_canonical_tensors(d.tensors, d.config, path);
    attach_tokenizer(d, options, path, [&] {
        return find_tokenizer(path, parent_of(path), llama2c_tokenizer_names(h.vocab), h.vocab,
                              options.tokenizer_path);
    });

    d.card.name = stem_of(path);
    d.card.path = path;
    d.card.format = h.version == 0 ? "llama2.c .bin" : "llama2.c .bin (version " + std::to_string(h.version) + ")";
    d.card.file_bytes = probe.size;
    fill_card_from_config(d.card, d.config);
    return d;
}

}  // namespace waypoint::detail
