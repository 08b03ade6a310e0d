// What the checkpoint-reader tests share (tst_formats, tst_gguf): ../shared
// paths, file helpers, a typed-Error catcher, safetensors and GGUF writers for
// hand-made files, and llama.cpp's tokenizer test vectors.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>

#include "formats/checkpoint.h"
#include "formats/gguf/gguf_vocab_tokenizer.h"
#include "formats/mapped_file.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

namespace format_fixtures {

using waypoint::Error;
using waypoint::ErrorKind;
namespace wd = waypoint::detail;

inline const std::string kShared = WAYPOINT_SHARED_DIR;
inline const std::string kBin = kShared + "/models/stories260K/stories260K.bin";
inline const std::string kHf = kShared + "/models/stories260K-hf";
inline const std::string kAidreams = kShared + "/models/aidreams260K/aidreams260K.bin";

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void spit(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void copy_file(const std::string& from, const std::string& to) { spit(to, slurp(from)); }

// The message of the Error `f` throws, and its kind; "NO ERROR" if none.
// Any other exception fails the test (it would have crossed the API).
struct Caught {
    std::string message = "NO ERROR";
    ErrorKind kind = ErrorKind::Internal;
};
inline Caught catch_error(const std::function<void()>& f) {
    Caught c;
    try {
        f();
    } catch (const Error& e) {
        c.message = e.what();
        c.kind = e.kind();
    } catch (const std::exception& e) {
        c.message = std::string("WRONG EXCEPTION TYPE: ") + e.what();
    }
    return c;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A safetensors file: header JSON (given verbatim) + data.
inline std::string safetensors_bytes(const std::string& header, const std::string& data, uint64_t length_override = 0) {
    uint64_t n = length_override ? length_override : header.size();
    std::string out(8, '\0');
    std::memcpy(&out[0], &n, 8);
    return out + header + data;
}

// A well-formed F32 safetensors file of `tensors` (in the given order).
inline std::string write_safetensors(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                              const std::string& metadata_json = "") {
    std::string header = "{", data;
    for (const auto& [name, t0] : tensors) {
        at::Tensor t = t0.contiguous().to(at::kFloat);
        std::string shape;
        for (int64_t d : t.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
        const size_t begin = data.size();
        data.append(static_cast<const char*>(t.data_ptr()), t.numel() * 4);
        header += (header.size() > 1 ? "," : "") + std::string("\"") + name + "\":{\"dtype\":\"F32\",\"shape\":[" +
                  shape + "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
    }
    if (!metadata_json.empty()) header += ",\"__metadata__\":" + metadata_json;
    header += "}";
    while (header.size() % 8) header += ' ';
    return safetensors_bytes(header, data);
}

// The stories260K weights under HF names (q/k permuted to rotate-half), as
// convert_llama2c_bin.py writes them.
inline at::Tensor meta_to_hf(const at::Tensor& w, int64_t heads) {
    const int64_t rows = w.size(0), cols = w.size(1);
    return w.reshape({heads, rows / heads / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

inline std::vector<std::pair<std::string, at::Tensor>> hf_tensors(const wd::CheckpointData& d) {
    std::vector<std::pair<std::string, at::Tensor>> t;
    const auto& w = d.tensors;
    t.push_back({"model.embed_tokens.weight", w.at("tok_embeddings.weight")});
    for (int i = 0; i < d.config.n_layers; ++i) {
        const std::string c = "layers." + std::to_string(i) + ".", h = "model.layers." + std::to_string(i) + ".";
        t.push_back({h + "input_layernorm.weight", w.at(c + "attention_norm.weight")});
        t.push_back({h + "self_attn.q_proj.weight", meta_to_hf(w.at(c + "attention.wq.weight"), d.config.n_heads)});
        t.push_back({h + "self_attn.k_proj.weight", meta_to_hf(w.at(c + "attention.wk.weight"), d.config.n_kv_heads)});
        t.push_back({h + "self_attn.v_proj.weight", w.at(c + "attention.wv.weight")});
        t.push_back({h + "self_attn.o_proj.weight", w.at(c + "attention.wo.weight")});
        t.push_back({h + "post_attention_layernorm.weight", w.at(c + "ffn_norm.weight")});
        t.push_back({h + "mlp.gate_proj.weight", w.at(c + "feed_forward.w1.weight")});
        t.push_back({h + "mlp.up_proj.weight", w.at(c + "feed_forward.w3.weight")});
        t.push_back({h + "mlp.down_proj.weight", w.at(c + "feed_forward.w2.weight")});
    }
    t.push_back({"model.norm.weight", w.at("norm.weight")});
    return t;
}

inline void expect_stories_config(const wd::ModelConfig& c) {
    QCOMPARE(c.architecture, wd::Architecture::Llama);
    QCOMPARE(c.dim, 64);
    QCOMPARE(c.hidden_dim, 172);
    QCOMPARE(c.n_layers, 5);
    QCOMPARE(c.n_heads, 8);
    QCOMPARE(c.n_kv_heads, 4);
    QCOMPARE(c.vocab_size, 512);
    QCOMPARE(c.max_seq_len, 512);
    QVERIFY(c.tied_embeddings);
}

inline bool same(const at::Tensor& a, const at::Tensor& b) {
    return a.sizes() == b.sizes() && a.to(at::kFloat).equal(b.to(at::kFloat));
}

// ---- GGUF writing (for the Q8_0 / F16 / bad-file cases) ----
template <typename T>
inline std::string le(T v) {
    std::string s(sizeof(T), '\0');
    std::memcpy(&s[0], &v, sizeof(T));
    return s;
}
inline std::string gstr(const std::string& s) { return le<uint64_t>(s.size()) + s; }
inline std::string kv_u32(const std::string& k, uint32_t v) { return gstr(k) + le<uint32_t>(4) + le(v); }
inline std::string kv_f32(const std::string& k, float v) { return gstr(k) + le<uint32_t>(6) + le(v); }
inline std::string kv_str(const std::string& k, const std::string& v) { return gstr(k) + le<uint32_t>(8) + gstr(v); }

struct GTensor {
    std::string name;
    std::vector<int64_t> shape;  // torch order
    uint32_t type;
    std::string data;
};

inline std::string gguf_bytes(const std::vector<std::string>& kvs, const std::vector<GTensor>& ts, uint32_t version = 3) {
    std::string b = "GGUF" + le(version) + le<uint64_t>(ts.size()) + le<uint64_t>(kvs.size());
    for (const auto& kv : kvs) b += kv;
    uint64_t off = 0;
    std::string data;
    for (const auto& t : ts) {
        b += gstr(t.name) + le<uint32_t>(static_cast<uint32_t>(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) b += le<uint64_t>(*it);
        b += le(t.type) + le(off);
        data += t.data;
        while (data.size() % 32) data += '\0';
        off = data.size();
    }
    while (b.size() % 32) b += '\0';
    return b + data;
}

inline std::vector<std::string> stories_kvs(const std::string& arch = "llama") {
    return {kv_str("general.architecture", arch), kv_u32("general.alignment", 32),
            kv_u32("llama.context_length", 512),  kv_u32("llama.embedding_length", 64),
            kv_u32("llama.block_count", 5),       kv_u32("llama.feed_forward_length", 172),
            kv_u32("llama.attention.head_count", 8), kv_u32("llama.attention.head_count_kv", 4),
            kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f), kv_f32("llama.rope.freq_base", 10000.0f)};
}

inline std::string gguf_name(const std::string& canon) {
    if (canon == "tok_embeddings.weight") return "token_embd.weight";
    if (canon == "norm.weight") return "output_norm.weight";
    static const std::pair<const char*, const char*> kMap[] = {
        {"attention_norm.weight", "attn_norm.weight"}, {"attention.wq.weight", "attn_q.weight"},
        {"attention.wk.weight", "attn_k.weight"},      {"attention.wv.weight", "attn_v.weight"},
        {"attention.wo.weight", "attn_output.weight"}, {"ffn_norm.weight", "ffn_norm.weight"},
        {"feed_forward.w1.weight", "ffn_gate.weight"}, {"feed_forward.w2.weight", "ffn_down.weight"},
        {"feed_forward.w3.weight", "ffn_up.weight"}};
    const size_t dot = canon.find('.', 7);
    for (const auto& [from, to] : kMap)
        if (canon.substr(dot + 1) == from) return "blk." + canon.substr(7, dot - 7) + "." + to;
    return canon;
}

inline std::string raw(const at::Tensor& t0) {
    at::Tensor t = t0.contiguous();
    return std::string(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
}

// Q8_0 blocks of t (rows a multiple of 32) and what they dequantize to.
inline std::pair<std::string, at::Tensor> q8_0(const at::Tensor& t) {
    at::Tensor x = t.contiguous().reshape({-1, 32});
    at::Tensor d = (x.abs().amax(1, true) / 127.0).to(at::kHalf);                            // [nb, 1]
    at::Tensor q = at::round(x / d.to(at::kFloat)).clamp(-127, 127).to(at::kChar);         // [nb, 32]
    at::Tensor blocks = at::cat({d.view(at::kByte), q.view(at::kByte)}, 1);                // [nb, 34]
    return {raw(blocks), (q.to(at::kFloat) * d.to(at::kFloat)).reshape(t.sizes())};
}

// llama.cpp's test-tokenizer-0 vectors: strings separated by
// "\n__ggml_vocab_test__\n" in .inp, one line of ids per string in .out.
inline std::vector<std::pair<std::string, std::vector<int>>> read_vectors(const std::string& base) {
    const std::string inp = slurp(base + ".inp"), out = slurp(base + ".out");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::pair<std::string, std::vector<int>>> cases;
    for (size_t pos = 0; pos < inp.size();) {
        size_t next = inp.find(sep, pos);
        if (next == std::string::npos) next = inp.size();
        cases.push_back({inp.substr(pos, next - pos), {}});
        pos = next + sep.size();
    }
    std::istringstream lines(out);
    std::string line;
    for (auto& c : cases) {
        if (!std::getline(lines, line)) break;
        std::istringstream ids(line);
        int id;
        while (ids >> id) c.second.push_back(id);
    }
    return cases;
}


}  // namespace format_fixtures
