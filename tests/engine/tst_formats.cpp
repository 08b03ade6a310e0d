// Checkpoint readers: every container of stories260K yields the same config
// and weights; weights are views of the memory-mapped file; bad files give a
// waypoint::Error naming the file, never a crash.
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <sstream>

#include "formats/checkpoint.h"
#include "formats/gguf_vocab_tokenizer.h"
#include "formats/mapped_file.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

using waypoint::Error;
using waypoint::ErrorKind;
namespace wd = waypoint::detail;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kBin = kShared + "/models/stories260K/stories260K.bin";
const std::string kHf = kShared + "/models/stories260K-hf";
const std::string kAidreams = kShared + "/models/aidreams260K/aidreams260K.bin";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void copy_file(const std::string& from, const std::string& to) { spit(to, slurp(from)); }

// The message of the Error `f` throws, and its kind; "NO ERROR" if none.
// Any other exception fails the test (it would have crossed the API).
struct Caught {
    std::string message = "NO ERROR";
    ErrorKind kind = ErrorKind::Internal;
};
Caught catch_error(const std::function<void()>& f) {
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

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A safetensors file: header JSON (given verbatim) + data.
std::string safetensors_bytes(const std::string& header, const std::string& data, uint64_t length_override = 0) {
    uint64_t n = length_override ? length_override : header.size();
    std::string out(8, '\0');
    std::memcpy(&out[0], &n, 8);
    return out + header + data;
}

// A well-formed F32 safetensors file of `tensors` (in the given order).
std::string write_safetensors(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
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
at::Tensor meta_to_hf(const at::Tensor& w, int64_t heads) {
    const int64_t rows = w.size(0), cols = w.size(1);
    return w.reshape({heads, rows / heads / 2, 2, cols}).transpose(1, 2).reshape({rows, cols});
}

std::vector<std::pair<std::string, at::Tensor>> hf_tensors(const wd::CheckpointData& d) {
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

void expect_stories_config(const wd::ModelConfig& c) {
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

bool same(const at::Tensor& a, const at::Tensor& b) {
    return a.sizes() == b.sizes() && a.to(at::kFloat).equal(b.to(at::kFloat));
}

// ---- GGUF writing (for the Q8_0 / F16 / bad-file cases) ----
template <typename T>
std::string le(T v) {
    std::string s(sizeof(T), '\0');
    std::memcpy(&s[0], &v, sizeof(T));
    return s;
}
std::string gstr(const std::string& s) { return le<uint64_t>(s.size()) + s; }
std::string kv_u32(const std::string& k, uint32_t v) { return gstr(k) + le<uint32_t>(4) + le(v); }
std::string kv_f32(const std::string& k, float v) { return gstr(k) + le<uint32_t>(6) + le(v); }
std::string kv_str(const std::string& k, const std::string& v) { return gstr(k) + le<uint32_t>(8) + gstr(v); }

struct GTensor {
    std::string name;
    std::vector<int64_t> shape;  // torch order
    uint32_t type;
    std::string data;
};

std::string gguf_bytes(const std::vector<std::string>& kvs, const std::vector<GTensor>& ts, uint32_t version = 3) {
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

std::vector<std::string> stories_kvs(const std::string& arch = "llama") {
    return {kv_str("general.architecture", arch), kv_u32("general.alignment", 32),
            kv_u32("llama.context_length", 512),  kv_u32("llama.embedding_length", 64),
            kv_u32("llama.block_count", 5),       kv_u32("llama.feed_forward_length", 172),
            kv_u32("llama.attention.head_count", 8), kv_u32("llama.attention.head_count_kv", 4),
            kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f), kv_f32("llama.rope.freq_base", 10000.0f)};
}

std::string gguf_name(const std::string& canon) {
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

std::string raw(const at::Tensor& t0) {
    at::Tensor t = t0.contiguous();
    return std::string(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
}

// Q8_0 blocks of t (rows a multiple of 32) and what they dequantize to.
std::pair<std::string, at::Tensor> q8_0(const at::Tensor& t) {
    at::Tensor x = t.contiguous().reshape({-1, 32});
    at::Tensor d = (x.abs().amax(1, true) / 127.0).to(at::kHalf);                            // [nb, 1]
    at::Tensor q = at::round(x / d.to(at::kFloat)).clamp(-127, 127).to(at::kChar);         // [nb, 32]
    at::Tensor blocks = at::cat({d.view(at::kByte), q.view(at::kByte)}, 1);                // [nb, 34]
    return {raw(blocks), (q.to(at::kFloat) * d.to(at::kFloat)).reshape(t.sizes())};
}

// llama.cpp's test-tokenizer-0 vectors: strings separated by
// "\n__ggml_vocab_test__\n" in .inp, one line of ids per string in .out.
std::vector<std::pair<std::string, std::vector<int>>> read_vectors(const std::string& base) {
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

}  // namespace

class TestFormats : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void llama2cBin();
    void hfFolderMatchesBin();
    void safetensorsFileAndExplicitTokenizer();
    void aidreamsWithLlama2cTokenizer();
    void llama2cVersion1And2();
    void shardedSafetensorsAndMetadata();
    void truncatedBin();
    void binWithoutTokenizer();
    void lyingSafetensors_data();
    void lyingSafetensors();
    void wrongShapeAndMissingTensor();
    void unknownFiles();
    void ggufMatchesBin();
    void ggufTokenizerMatchesSentencepiece();
    void ggufVocabPassesLlamaSpmVectors();
    void ggufF16AndQ8_0();
    void badGguf();
    void mutatedHeadersNeverCrash();
    void ggufGpt2VocabPassesVectors();
    void ggufGpt2MatchesPyTorch();
};

void TestFormats::llama2cBin() {
    wd::CheckpointData d = wd::read_checkpoint(kBin, "");
    expect_stories_config(d.config);
    QCOMPARE(d.config.rope, wd::RopeStyle::Interleaved);
    QCOMPARE(d.tensors.count("output.weight"), size_t(0));
    // 3 global + 9 per layer (tied: no output.weight)
    QCOMPARE(d.tensors.size(), size_t(2 + 9 * 5));
    QVERIFY(d.tokenizer);
    QCOMPARE(d.tokenizer->vocab_size(), 512);
    QVERIFY2(contains(d.card.tokenizer, "tok512.model"), d.card.tokenizer.c_str());  // sentencepiece preferred
    QCOMPARE(d.card.name, std::string("stories260K"));
    QCOMPARE(d.card.format, std::string("llama2.c .bin"));
    QCOMPARE(d.card.file_bytes, int64_t(1056540));
    QCOMPARE(d.card.layers, 5);
    QVERIFY(d.generation_defaults_json.empty());
    // fp32 weights are views of the mapping, not copies.
    for (const auto& [name, t] : d.tensors) {
        QCOMPARE(t.scalar_type(), at::kFloat);
        QVERIFY2(wd::is_memory_mapped(t.data_ptr()), name.c_str());
    }
    // The first embedding value is the first float after the 28-byte header.
    const std::string head = slurp(kBin).substr(28, 4);
    float first;
    std::memcpy(&first, head.data(), 4);
    QCOMPARE(d.tensors.at("tok_embeddings.weight")[0][0].item<float>(), first);
    // The mapping outlives the CheckpointData while a tensor views it.
    at::Tensor keep = d.tensors.at("layers.4.feed_forward.w2.weight");
    const float before = keep.sum().item<float>();
    d = wd::CheckpointData();
    QCOMPARE(keep.sum().item<float>(), before);
    QVERIFY(wd::is_memory_mapped(keep.data_ptr()));
}

void TestFormats::hfFolderMatchesBin() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    const wd::CheckpointData hf = wd::read_checkpoint(kHf, "");
    expect_stories_config(hf.config);
    QCOMPARE(hf.config.rope, wd::RopeStyle::RotateHalf);
    QCOMPARE(hf.card.format, std::string("Hugging Face safetensors"));
    QCOMPARE(hf.card.name, std::string("stories260K-hf"));
    QCOMPARE(hf.card.file_bytes, int64_t(1044984));
    QVERIFY(contains(hf.card.tokenizer, "tokenizer.model"));
    QVERIFY(contains(hf.generation_defaults_json, "\"eos_token_id\""));
    QCOMPARE(hf.tensors.size(), bin.tensors.size());
    for (const auto& [name, t] : hf.tensors) {
        QVERIFY2(wd::is_memory_mapped(t.data_ptr()), name.c_str());
        const at::Tensor& b = bin.tensors.at(name);
        const bool permuted = contains(name, ".wq.") || contains(name, ".wk.");
        if (!permuted) {
            QVERIFY2(same(t, b), name.c_str());
        } else {
            // Same weights, rows in rotate-half order.
            const int64_t heads = contains(name, ".wq.") ? 8 : 4;
            QVERIFY2(!same(t, b), name.c_str());
            QVERIFY2(same(t, meta_to_hf(b, heads)), name.c_str());
        }
    }
}

void TestFormats::safetensorsFileAndExplicitTokenizer() {
    const wd::CheckpointData d =
        wd::read_checkpoint(kHf + "/model.safetensors", kShared + "/models/stories260K/tok512.bin");
    expect_stories_config(d.config);
    QVERIFY2(contains(d.card.tokenizer, "tok512.bin"), d.card.tokenizer.c_str());
    QCOMPARE(d.card.path, kHf + "/model.safetensors");
    // Decided by content: a sentencepiece model under a .bin name still loads.
    QTemporaryDir dir;
    const std::string odd = dir.filePath("weird-name.bin").toStdString();
    copy_file(kShared + "/models/stories260K/tok512.model", odd);
    const wd::CheckpointData e = wd::read_checkpoint(kBin, odd);
    QVERIFY2(contains(e.card.tokenizer, "sentencepiece"), e.card.tokenizer.c_str());
}

void TestFormats::aidreamsWithLlama2cTokenizer() {
    const wd::CheckpointData d = wd::read_checkpoint(kAidreams, "");
    QCOMPARE(d.config.dim, 64);
    QCOMPARE(d.config.n_layers, 4);
    QCOMPARE(d.config.n_heads, 4);
    QCOMPARE(d.config.n_kv_heads, 4);
    QCOMPARE(d.config.vocab_size, 512);
    QCOMPARE(d.config.max_seq_len, 128);
    QVERIFY2(contains(d.card.tokenizer, "tok512.bin"), d.card.tokenizer.c_str());
    QCOMPARE(d.tokenizer->bos(), 1);
    // A folder holding one checkpoint reads that checkpoint.
    const wd::CheckpointData f = wd::read_checkpoint(kShared + "/models/aidreams260K", "");
    QCOMPARE(f.card.name, std::string("aidreams260K"));
}

// llama2.c export.py versions 1 (fp32, "ak42" header) and 2 (Q8_0), written
// here from the version 0 weights.
void TestFormats::llama2cVersion1And2() {
    const wd::CheckpointData v0 = wd::read_checkpoint(kBin, "");
    const auto& w = v0.tensors;
    const int L = 5;
    auto header = [](int version, int group) {
        std::string h(256, '\0');
        const uint32_t magic = 0x616b3432;
        const int32_t ints[9] = {version, 64, 172, 5, 8, 4, 512, 512, 0};
        std::memcpy(&h[0], &magic, 4);
        std::memcpy(&h[4], ints, 8 * 4);  // version + 7 params
        h[36] = 1;                        // shared classifier
        std::memcpy(&h[37], &group, 4);
        return h;
    };
    auto fp32 = [](const at::Tensor& t) {
        at::Tensor c = t.contiguous();
        return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * 4);
    };
    std::string norms;
    for (const char* n : {"attention_norm", "ffn_norm"})
        for (int i = 0; i < L; ++i) norms += fp32(w.at("layers." + std::to_string(i) + "." + n + ".weight"));
    norms += fp32(w.at("norm.weight"));
    std::vector<at::Tensor> mats = {w.at("tok_embeddings.weight")};
    for (const char* n : {"attention.wq", "attention.wk", "attention.wv", "attention.wo", "feed_forward.w1",
                          "feed_forward.w2", "feed_forward.w3"})
        for (int i = 0; i < L; ++i) mats.push_back(w.at("layers." + std::to_string(i) + "." + n + ".weight"));

    QTemporaryDir dir;
    copy_file(kShared + "/models/stories260K/tok512.model", dir.filePath("tok512.model").toStdString());
    std::string v1 = header(1, 0) + norms;
    for (const auto& m : mats) v1 += fp32(m);
    spit(dir.filePath("v1.bin").toStdString(), v1);
    const wd::CheckpointData d1 = wd::read_checkpoint(dir.filePath("v1.bin").toStdString(), "");
    expect_stories_config(d1.config);
    for (const auto& [name, t] : w) QVERIFY2(same(d1.tensors.at(name), t), name.c_str());

    // Q8_0 as export.py's quantize_q80: per group of 64, scale = max|w| / 127.
    const int group = 64;
    std::string v2 = header(2, group) + norms;
    std::vector<at::Tensor> expected;
    for (const auto& m : mats) {
        at::Tensor g = m.contiguous().reshape({-1, group});
        at::Tensor scale = g.abs().amax(1, true) / 127.0;
        at::Tensor q = at::round(g / scale).to(at::kChar);
        v2 += std::string(static_cast<const char*>(q.data_ptr()), q.numel());
        v2 += fp32(scale);
        expected.push_back((q.to(at::kFloat) * scale).reshape(m.sizes()));
    }
    spit(dir.filePath("v2.bin").toStdString(), v2);
    const wd::CheckpointData d2 = wd::read_checkpoint(dir.filePath("v2.bin").toStdString(), "");
    QVERIFY(contains(d2.card.format, "version 2"));
    QVERIFY(same(d2.tensors.at("tok_embeddings.weight"), expected[0]));
    QVERIFY(same(d2.tensors.at("layers.0.attention.wq.weight"), expected[1]));
    QVERIFY(same(d2.tensors.at("layers.4.feed_forward.w3.weight"), expected.back()));
    QVERIFY(same(d2.tensors.at("norm.weight"), w.at("norm.weight")));
    // Quantization error stays small.
    QVERIFY((d2.tensors.at("layers.2.feed_forward.w1.weight") - w.at("layers.2.feed_forward.w1.weight"))
                .abs().max().item<float>() < 0.05f);
}

void TestFormats::shardedSafetensorsAndMetadata() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    auto t = hf_tensors(bin);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    copy_file(kHf + "/config.json", d + "/config.json");
    copy_file(kHf + "/tokenizer.model", d + "/tokenizer.model");
    const size_t half = t.size() / 2;
    std::vector<std::pair<std::string, at::Tensor>> a(t.begin(), t.begin() + half), b(t.begin() + half, t.end());
    spit(d + "/model-00001-of-00002.safetensors", write_safetensors(a, R"({"step":"1200","val_loss":"1.25"})"));
    spit(d + "/model-00002-of-00002.safetensors", write_safetensors(b));
    std::string index = R"({"metadata":{},"weight_map":{)";
    for (size_t i = 0; i < t.size(); ++i)
        index += (i ? "," : "") + std::string("\"") + t[i].first + "\":\"model-0000" + (i < half ? "1" : "2") +
                 "-of-00002.safetensors\"";
    spit(d + "/model.safetensors.index.json", index + "}}");
    const wd::CheckpointData s = wd::read_checkpoint(d, "");
    expect_stories_config(s.config);
    QVERIFY(s.card.training_step.has_value());
    QCOMPARE(*s.card.training_step, int64_t(1200));
    QCOMPARE(*s.card.validation_loss, 1.25);
    for (const auto& [name, x] : bin.tensors) {
        if (contains(name, ".wq.") || contains(name, ".wk.")) continue;
        QVERIFY2(same(s.tensors.at(name), x), name.c_str());
    }
    // A missing shard is named.
    QFile::remove(QString::fromStdString(d + "/model-00002-of-00002.safetensors"));
    const Caught c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(contains(c.message, "model-00002-of-00002.safetensors"), c.message.c_str());
}

void TestFormats::truncatedBin() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("cut.bin").toStdString();
    spit(path, slurp(kBin).substr(0, 100000));
    copy_file(kShared + "/models/stories260K/tok512.model", dir.filePath("tok512.model").toStdString());
    const Caught c = catch_error([&] { wd::read_checkpoint(path, ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat, c.message.c_str());
    QVERIFY2(contains(c.message, "cut.bin") && contains(c.message, "1056540") && contains(c.message, "100000"),
             c.message.c_str());
    // One byte too many is not a llama2.c v0 file either.
    spit(path, slurp(kBin) + "x");
    const Caught longer = catch_error([&] { wd::read_checkpoint(path, ""); });
    QVERIFY2(longer.kind == ErrorKind::BadFormat && contains(longer.message, "cut.bin"), longer.message.c_str());
}

void TestFormats::binWithoutTokenizer() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("x.bin").toStdString();
    copy_file(kBin, path);
    const Caught c = catch_error([&] { wd::read_checkpoint(path, ""); });
    QVERIFY2(c.kind == ErrorKind::FileNotFound, c.message.c_str());
    QVERIFY2(contains(c.message, "no tokenizer found next to " + path) && contains(c.message, "tok512.model") &&
                 contains(c.message, "tok512.bin") && contains(c.message, "--tokenizer"),
             c.message.c_str());
    // An explicit tokenizer that does not exist is named.
    const Caught e = catch_error([&] { wd::read_checkpoint(path, "/nonexistent/tok.model"); });
    QVERIFY2(e.kind == ErrorKind::FileNotFound && contains(e.message, "/nonexistent/tok.model"), e.message.c_str());
    // A tokenizer of a bigger vocabulary belongs to another model.
    const Caught big = catch_error([&] { wd::read_checkpoint(path, kShared + "/tokenizers/llama2/tokenizer.model"); });
    QVERIFY2(big.kind == ErrorKind::BadFormat && contains(big.message, "32000"), big.message.c_str());
}

void TestFormats::lyingSafetensors_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expect");  // part of the message besides the file name
    const std::string f32x4(16, '\0');
    auto ba = [](const std::string& s) { return QByteArray(s.data(), static_cast<int>(s.size())); };
    QTest::newRow("offsets past EOF")
        << ba(safetensors_bytes(R"({"model.norm.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,1600]}})", f32x4))
        << "model.norm.weight";
    QTest::newRow("shape x itemsize mismatch")
        << ba(safetensors_bytes(R"({"model.norm.weight":{"dtype":"F32","shape":[8],"data_offsets":[0,16]}})", f32x4))
        << "model.norm.weight";
    QTest::newRow("begin after end")
        << ba(safetensors_bytes(R"({"model.norm.weight":{"dtype":"F32","shape":[0],"data_offsets":[16,0]}})", f32x4))
        << "model.norm.weight";
    QTest::newRow("overflowing shape")
        << ba(safetensors_bytes(
               R"({"model.norm.weight":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}})", f32x4))
        << "model.norm.weight";
    QTest::newRow("header longer than file")
        << ba(safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", f32x4, 5000))
        << "larger than the file";
    QTest::newRow("non-JSON header") << ba(safetensors_bytes("{this is not json", f32x4)) << "JSON";
    QTest::newRow("negative dimension")
        << ba(safetensors_bytes(R"({"model.norm.weight":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}})", f32x4))
        << "model.norm.weight";
    QTest::newRow("unsupported dtype")
        << ba(safetensors_bytes(R"({"model.norm.weight":{"dtype":"I32","shape":[4],"data_offsets":[0,16]}})", f32x4))
        << "I32";
    QTest::newRow("short file") << ba(std::string("\x10\0\0", 3)) << "model.safetensors";
}

void TestFormats::lyingSafetensors() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expect);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    copy_file(kHf + "/config.json", d + "/config.json");
    copy_file(kHf + "/tokenizer.model", d + "/tokenizer.model");
    spit(d + "/model.safetensors", bytes.toStdString());
    for (const std::string& path : {d, d + "/model.safetensors"}) {
        const Caught c = catch_error([&] { wd::read_checkpoint(path, ""); });
        QVERIFY2(c.kind == ErrorKind::BadFormat || c.kind == ErrorKind::Unsupported, c.message.c_str());
        QVERIFY2(contains(c.message, "model.safetensors"), c.message.c_str());
        QVERIFY2(contains(c.message, expect.toStdString()), c.message.c_str());
    }
}

void TestFormats::wrongShapeAndMissingTensor() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    copy_file(kHf + "/config.json", d + "/config.json");
    copy_file(kHf + "/tokenizer.model", d + "/tokenizer.model");

    auto t = hf_tensors(bin);
    t.pop_back();  // model.norm.weight
    spit(d + "/model.safetensors", write_safetensors(t));
    Caught c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "model.norm.weight") &&
                 contains(c.message, "model.safetensors") && contains(c.message, "missing"),
             c.message.c_str());

    t = hf_tensors(bin);
    t[3].second = t[3].second.narrow(0, 0, 16);  // layer 0 k_proj [32, 64] -> [16, 64]
    spit(d + "/model.safetensors", write_safetensors(t));
    c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "model.layers.0.self_attn.k_proj.weight") &&
                 contains(c.message, "[16, 64]") && contains(c.message, "[32, 64]"),
             c.message.c_str());

    // A config.json of another architecture, and one without a needed key.
    spit(d + "/config.json", R"({"architectures":["GPTNeoXForCausalLM"],"model_type":"gpt_neox"})");
    c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::Unsupported && contains(c.message, "GPTNeoXForCausalLM"), c.message.c_str());
    spit(d + "/config.json", R"({"architectures":["LlamaForCausalLM"],"hidden_size":64})");
    c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "intermediate_size") &&
                 contains(c.message, "config.json"),
             c.message.c_str());
    // tokenizer.json only: not yet.
    copy_file(kHf + "/config.json", d + "/config.json");
    spit(d + "/model.safetensors", write_safetensors(hf_tensors(bin)));
    QFile::remove(QString::fromStdString(d + "/tokenizer.model"));
    spit(d + "/tokenizer.json", "{}");
    c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::Unsupported && contains(c.message, "tokenizer.json"), c.message.c_str());
    // A byte-level BPE tokenizer.json (SmolLM-style folders) is read: here
    // GPT-2's 256 byte symbols and no merges.
    QJsonObject vocab;
    for (int b = 0, extra = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        vocab[QString(QChar(printable ? b : 256 + extra++))] = b;
    }
    QJsonObject model{{"type", "BPE"}, {"vocab", vocab}, {"merges", QJsonArray()}};
    QJsonObject tj{{"model", model}, {"pre_tokenizer", QJsonObject{{"type", "ByteLevel"}}},
                   {"decoder", QJsonObject{{"type", "ByteLevel"}}}};
    spit(d + "/tokenizer.json", QJsonDocument(tj).toJson().toStdString());
    const wd::CheckpointData ok = wd::read_checkpoint(d, "");
    QCOMPARE(ok.tokenizer->vocab_size(), 256);
    QCOMPARE(ok.tokenizer->encode("Hi", false), (std::vector<int>{'H', 'i'}));
}

void TestFormats::unknownFiles() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    spit(d + "/empty.bin", "");
    Caught c = catch_error([&] { wd::read_checkpoint(d + "/empty.bin", ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "empty.bin"), c.message.c_str());

    std::mt19937 rng(42);
    std::string noise(4096, '\0');
    for (char& ch : noise) ch = static_cast<char>(rng() & 0xff);
    spit(d + "/noise.dat", noise);
    c = catch_error([&] { wd::read_checkpoint(d + "/noise.dat", ""); });
    QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "noise.dat") &&
                 contains(c.message, "not a checkpoint"),
             c.message.c_str());

    // Short files of every length up to a header never crash.
    const std::string real = slurp(kBin);
    for (size_t n : {1, 4, 8, 27, 28, 29, 300}) {
        spit(d + "/short.bin", real.substr(0, n));
        c = catch_error([&] { wd::read_checkpoint(d + "/short.bin", ""); });
        QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "short.bin"), c.message.c_str());
    }
    QFile::remove(QString::fromStdString(d + "/short.bin"));

    c = catch_error([&] { wd::read_checkpoint(d + "/missing.bin", ""); });
    QVERIFY2(c.kind == ErrorKind::FileNotFound && contains(c.message, "missing.bin"), c.message.c_str());

    c = catch_error([&] { wd::read_checkpoint(d, ""); });
    QVERIFY2(c.kind == ErrorKind::FileNotFound && contains(c.message, "no checkpoint found in " + d),
             c.message.c_str());
}

void TestFormats::ggufMatchesBin() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    const std::string path = kShared + "/models/stories260K-gguf/stories260K-f32.gguf";
    const wd::CheckpointData g = wd::read_checkpoint(path, "");
    expect_stories_config(g.config);
    QCOMPARE(g.config.rope, wd::RopeStyle::Interleaved);  // llama.cpp keeps Meta's q/k layout
    QCOMPARE(g.card.format, std::string("GGUF v3 (F32)"));
    QCOMPARE(g.card.name, std::string("stories260K-f32"));
    QCOMPARE(g.card.file_bytes, int64_t(1054368));
    QVERIFY2(contains(g.card.tokenizer, "GGUF vocabulary"), g.card.tokenizer.c_str());
    QCOMPARE(g.tensors.size(), bin.tensors.size());
    for (const auto& [name, t] : g.tensors) {
        QVERIFY2(wd::is_memory_mapped(t.data_ptr()), name.c_str());
        QVERIFY2(same(t, bin.tensors.at(name)), name.c_str());  // wq/wk too: same layout
    }
    QCOMPARE(g.tokenizer->bos(), 1);
    QCOMPARE(g.tokenizer->eos(), 2);
    QCOMPARE(g.tokenizer->vocab_size(), 512);
}

void TestFormats::ggufTokenizerMatchesSentencepiece() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");  // sentencepiece tok512.model
    const wd::CheckpointData g = wd::read_checkpoint(kShared + "/models/stories260K-gguf/stories260K-f32.gguf", "");
    const waypoint::Tokenizer& spm = *bin.tokenizer;
    const waypoint::Tokenizer& gg = *g.tokenizer;
    std::istringstream text(slurp(kShared + "/text/tinystories_train_head_Niklas6.txt"));
    std::string line;
    int lines = 0;
    while (std::getline(text, line) && lines < 200) {
        if (line.empty()) continue;
        ++lines;
        const std::vector<int> a = spm.encode(line, true), b = gg.encode(line, true);
        QVERIFY2(a == b, line.c_str());
        std::string da, db;
        for (size_t i = 1; i < a.size(); ++i) {
            da += spm.piece_bytes(a[i], a[i - 1]);
            db += gg.piece_bytes(b[i], b[i - 1]);
        }
        QCOMPARE(db, da);
    }
    QVERIFY(lines > 50);
    // Byte fallback for characters outside the 512 pieces.
    const std::string odd = "Zoë says 日本 🦙";
    QCOMPARE(gg.encode(odd, false), spm.encode(odd, false));
}

void TestFormats::ggufVocabPassesLlamaSpmVectors() {
    const std::string base = kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-llama-spm.gguf";
    auto tok = wd::load_gguf_vocab_tokenizer(base);
    QCOMPARE(tok->vocab_size(), 32000);
    const auto cases = read_vectors(base);
    QVERIFY(cases.size() > 20);
    int failures = 0;
    for (const auto& [text, ids] : cases) {
        const std::vector<int> got = tok->encode(text, false);
        if (got != ids) {
            ++failures;
            qWarning("mismatch for \"%s\"", text.c_str());
        }
    }
    QCOMPARE(failures, 0);
    // The same file as a --tokenizer is recognized by content.
    const wd::CheckpointData d = wd::read_checkpoint(kShared + "/models/stories260K-gguf/stories260K-f32.gguf",
                                                     kShared + "/models/stories260K/tok512.model");
    QVERIFY2(contains(d.card.tokenizer, "sentencepiece"), d.card.tokenizer.c_str());
}

void TestFormats::ggufF16AndQ8_0() {
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    std::vector<GTensor> f16, q8;
    std::map<std::string, at::Tensor> q8_expected;
    std::vector<std::string> names;
    for (const auto& [name, t] : bin.tensors) names.push_back(name);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        const at::Tensor& t = bin.tensors.at(name);
        std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
        f16.push_back({gguf_name(name), shape, 1, raw(t.to(at::kHalf))});
        if (t.dim() == 2 && t.size(1) % 32 == 0) {
            auto [bytes, deq] = q8_0(t);
            q8.push_back({gguf_name(name), shape, 8, bytes});
            q8_expected[name] = deq;
        } else {
            q8.push_back({gguf_name(name), shape, 0, raw(t)});
            q8_expected[name] = t;
        }
    }
    QTemporaryDir dir;
    const std::string tok = kShared + "/models/stories260K/tok512.model";
    spit(dir.filePath("f16.gguf").toStdString(), gguf_bytes(stories_kvs(), f16, 2));  // GGUF v2 too
    const wd::CheckpointData h = wd::read_checkpoint(dir.filePath("f16.gguf").toStdString(), tok);
    QCOMPARE(h.card.format, std::string("GGUF v2 (F16)"));
    for (const auto& [name, t] : h.tensors) {
        QCOMPARE(t.scalar_type(), at::kHalf);
        QVERIFY2(wd::is_memory_mapped(t.data_ptr()), name.c_str());
        QVERIFY2(same(t, bin.tensors.at(name).to(at::kHalf)), name.c_str());
    }
    spit(dir.filePath("q8.gguf").toStdString(), gguf_bytes(stories_kvs(), q8));
    const wd::CheckpointData q = wd::read_checkpoint(dir.filePath("q8.gguf").toStdString(), tok);
    QCOMPARE(q.card.format, std::string("GGUF v3 (F32/Q8_0)"));
    int quantized = 0;
    for (const auto& [name, t] : q.tensors) {
        QCOMPARE(t.scalar_type(), at::kFloat);
        QVERIFY2(same(t, q8_expected.at(name)), name.c_str());
        quantized += !same(t, bin.tensors.at(name));
    }
    QVERIFY(quantized >= 20);  // the quantization really happened
    QVERIFY((q.tensors.at("layers.0.attention.wq.weight") - bin.tensors.at("layers.0.attention.wq.weight"))
                .abs().max().item<float>() < 0.05f);
}

void TestFormats::badGguf() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    const std::string real = slurp(kShared + "/models/stories260K-gguf/stories260K-f32.gguf");
    // Cut inside the metadata, the tensor infos and the data.
    for (size_t n : std::vector<size_t>{6, 20, 100, 5000, 9000, 20000, 600000, real.size() - 1}) {
        spit(d + "/cut.gguf", real.substr(0, n));
        const Caught c = catch_error([&] { wd::read_checkpoint(d + "/cut.gguf", ""); });
        QVERIFY2(c.kind == ErrorKind::BadFormat && contains(c.message, "cut.gguf"),
                 (std::to_string(n) + ": " + c.message).c_str());
    }
    const std::string tok = kShared + "/models/stories260K/tok512.model";
    auto expect = [&](const std::string& bytes, ErrorKind kind, const std::vector<std::string>& parts) {
        spit(d + "/bad.gguf", bytes);
        const Caught c = catch_error([&] { wd::read_checkpoint(d + "/bad.gguf", tok); });
        bool ok = c.kind == kind && contains(c.message, "bad.gguf");
        for (const auto& p : parts) ok = ok && contains(c.message, p);
        QVERIFY2(ok, c.message.c_str());
    };
    const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
    std::vector<GTensor> ts;
    for (const auto& [name, t] : bin.tensors)
        ts.push_back({gguf_name(name), std::vector<int64_t>(t.sizes().begin(), t.sizes().end()), 0, raw(t)});
    // An unsupported tensor type (Q4_K: 144 bytes per 256 values).
    std::vector<GTensor> q4 = ts;
    for (auto& t : q4)
        if (t.name == "blk.0.attn_q.weight") t = {t.name, {256, 256}, 12, std::string(256 * 144, '\0')};
    expect(gguf_bytes(stories_kvs(), q4), ErrorKind::Unsupported, {"blk.0.attn_q.weight", "Q4_K"});
    // A tensor of the wrong shape.
    std::vector<GTensor> wrong = ts;
    for (auto& t : wrong)
        if (t.name == "blk.2.ffn_up.weight") t = {t.name, {172, 32}, 0, std::string(172 * 32 * 4, '\0')};
    expect(gguf_bytes(stories_kvs(), wrong), ErrorKind::BadFormat, {"blk.2.ffn_up.weight", "[172, 32]", "[172, 64]"});
    // A missing tensor.
    std::vector<GTensor> missing(ts.begin(), ts.end());
    missing.erase(std::remove_if(missing.begin(), missing.end(), [](const GTensor& t) { return t.name == "output_norm.weight"; }),
                  missing.end());
    expect(gguf_bytes(stories_kvs(), missing), ErrorKind::BadFormat, {"output_norm.weight", "missing"});
    // Another architecture; GGUF version 1; a missing config key.
    expect(gguf_bytes(stories_kvs("falcon"), ts), ErrorKind::Unsupported, {"falcon"});
    expect(gguf_bytes(stories_kvs(), ts, 1), ErrorKind::Unsupported, {"version 1"});
    auto kvs = stories_kvs();
    kvs.erase(kvs.begin() + 4);  // llama.block_count
    expect(gguf_bytes(kvs, ts), ErrorKind::BadFormat, {"llama.block_count"});
    // An array that claims more elements than the file holds.
    auto lying = stories_kvs();
    lying.push_back(gstr("tokenizer.ggml.tokens") + le<uint32_t>(9) + le<uint32_t>(8) + le<uint64_t>(uint64_t(1) << 60));
    expect(gguf_bytes(lying, ts), ErrorKind::BadFormat, {"array"});
    // A tensor offset past the end of the file.
    std::string past = gguf_bytes(stories_kvs(), ts);
    expect(past.substr(0, past.size() - 4096), ErrorKind::BadFormat, {"truncated"});
    // Counts larger than the file.
    std::string counts = "GGUF" + le<uint32_t>(3) + le<uint64_t>(uint64_t(1) << 50) + le<uint64_t>(3);
    expect(counts, ErrorKind::BadFormat, {"more than the file can hold"});
    // A vocabulary-only GGUF is a tokenizer, not a checkpoint.
    const Caught v = catch_error(
        [&] { wd::read_checkpoint(kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-llama-spm.gguf", ""); });
    QVERIFY2(v.kind == ErrorKind::BadFormat && contains(v.message, "no tensors"), v.message.c_str());
    // No embedded tokenizer and none given.
    spit(d + "/notok.gguf", gguf_bytes(stories_kvs(), ts));
    const Caught n = catch_error([&] { wd::read_checkpoint(d + "/notok.gguf", ""); });
    QVERIFY2(n.kind == ErrorKind::FileNotFound && contains(n.message, "notok.gguf") && contains(n.message, "--tokenizer"),
             n.message.c_str());
}

// Random byte changes in the headers of real files: every read either
// succeeds or throws waypoint::Error (no crash, no other exception).
void TestFormats::mutatedHeadersNeverCrash() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    copy_file(kHf + "/config.json", d + "/config.json");
    const std::string tok = kShared + "/models/stories260K/tok512.bin";  // no sentencepiece load per case
    struct Source {
        std::string file, name, tokenizer;
        size_t header_bytes;
    };
    const std::vector<Source> sources = {
        {kShared + "/models/stories260K-gguf/stories260K-f32.gguf", "m.gguf", "", 9000},
        {kHf + "/model.safetensors", "model.safetensors", tok, 4200},
        {kBin, "m.bin", tok, 28},
    };
    std::mt19937 rng(1234);
    int errors = 0, successes = 0;
    for (const auto& src : sources) {
        const std::string original = slurp(src.file);
        for (int iter = 0; iter < 120; ++iter) {
            std::string bytes = original;
            const int changes = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < changes; ++k) {
                const size_t at = rng() % src.header_bytes;
                switch (rng() % 3) {
                    case 0: bytes[at] = static_cast<char>(rng() & 0xff); break;
                    case 1: bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8))); break;
                    default: bytes[at] = static_cast<char>(0xff); break;
                }
            }
            spit(d + "/" + src.name, bytes);
            const Caught c = catch_error([&] { wd::read_checkpoint(d + "/" + src.name, src.tokenizer); });
            QVERIFY2(!contains(c.message, "WRONG EXCEPTION TYPE"), c.message.c_str());
            if (c.message == "NO ERROR") {
                ++successes;
            } else {
                ++errors;
                // A bad file is the user's input, not an engine bug.
                QVERIFY2(c.kind != ErrorKind::Internal, c.message.c_str());
            }
        }
        QFile::remove(QString::fromStdString(d + "/" + src.name));
    }
    QVERIFY(errors > 50);
    qInfo("%d mutated files rejected with an Error, %d still readable", errors, successes);
}

void TestFormats::ggufGpt2VocabPassesVectors() {
    const std::string base = kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-gpt-2.gguf";
    auto tok = wd::load_gguf_vocab_tokenizer(base);
    QVERIFY2(contains(tok->description(), "GPT-2 BPE"), tok->description().c_str());
    const auto cases = read_vectors(base);
    QVERIFY(cases.size() > 20);
    int failures = 0;
    for (const auto& [text, ids] : cases) {
        if (tok->encode(text, false) != ids) {
            ++failures;
            qWarning("mismatch for \"%s\"", text.c_str());
        }
    }
    QCOMPARE(failures, 0);
}

// A GPT-2 checkpoint with random weights (tests/data/pytorch, made by the
// pickle reader's generator script) written here as a llama.cpp-style gpt2
// GGUF: same tensors, and the logits of the script's own PyTorch forward.
void TestFormats::ggufGpt2MatchesPyTorch() {
    const std::string data = std::string(WAYPOINT_SOURCE_DIR) + "/tests/data/pytorch";
    if (!QFile::exists(QString::fromStdString(data + "/gpt2_hf/pytorch_model.bin")))
        QSKIP("tests/data/pytorch/gpt2_hf is not there (the pickle reader's test data)");
    const wd::CheckpointData hf = wd::read_checkpoint(data + "/gpt2_hf", "");
    QCOMPARE(hf.config.architecture, wd::Architecture::Gpt2);
    const auto& c = hf.config;
    std::vector<std::string> kvs = {
        kv_str("general.architecture", "gpt2"), kv_u32("gpt2.context_length", uint32_t(c.max_seq_len)),
        kv_u32("gpt2.embedding_length", uint32_t(c.dim)), kv_u32("gpt2.feed_forward_length", uint32_t(c.hidden_dim)),
        kv_u32("gpt2.block_count", uint32_t(c.n_layers)), kv_u32("gpt2.attention.head_count", uint32_t(c.n_heads)),
        kv_f32("gpt2.attention.layer_norm_epsilon", c.norm_eps), kv_str("tokenizer.ggml.model", "gpt2")};
    // The character vocabulary in GPT-2's byte-level spelling (space "Ġ",
    // newline "Ċ"), no merges.
    QFile meta(QString::fromStdString(data + "/gpt2_hf/meta.json"));
    QVERIFY(meta.open(QIODevice::ReadOnly));
    const QJsonObject itos = QJsonDocument::fromJson(meta.readAll()).object()["itos"].toObject();
    std::string tokens = gstr("tokenizer.ggml.tokens") + le<uint32_t>(9) + le<uint32_t>(8) + le<uint64_t>(c.vocab_size);
    for (int i = 0; i < c.vocab_size; ++i) {
        const std::string ch = itos[QString::number(i)].toString().toStdString();
        QCOMPARE(ch.size(), size_t(1));
        const unsigned char b = static_cast<unsigned char>(ch[0]);
        QVERIFY(b <= 126);
        tokens += gstr(b < 33 ? QString(QChar(0x100 + b)).toStdString() : ch);
    }
    kvs.push_back(tokens);
    static const std::pair<const char*, const char*> kNames[] = {
        {"ln_1", "attn_norm"}, {"attn.c_attn", "attn_qkv"}, {"attn.c_proj", "attn_output"},
        {"ln_2", "ffn_norm"},  {"mlp.c_fc", "ffn_up"},      {"mlp.c_proj", "ffn_down"}};
    auto to_gguf = [](const std::string& n) -> std::string {
        if (n == "wte.weight") return "token_embd.weight";
        if (n == "wpe.weight") return "position_embd.weight";
        if (n == "ln_f.weight") return "output_norm.weight";
        if (n == "ln_f.bias") return "output_norm.bias";
        if (n == "lm_head.weight") return "output.weight";
        const size_t dot = n.find('.', 2);
        const std::string rest = n.substr(dot + 1);
        for (const auto& [from, to] : kNames)
            for (const std::string kind : {".weight", ".bias"})
                if (rest == from + kind) return "blk." + n.substr(2, dot - 2) + "." + to + kind;
        return "unknown." + n;
    };
    std::vector<GTensor> ts;
    for (const auto& [name, t] : hf.tensors)
        ts.push_back({to_gguf(name), std::vector<int64_t>(t.sizes().begin(), t.sizes().end()), 0, raw(t.to(at::kFloat))});
    QTemporaryDir dir;
    const std::string path = dir.filePath("gpt2-f32.gguf").toStdString();
    spit(path, gguf_bytes(kvs, ts));

    const wd::CheckpointData g = wd::read_checkpoint(path, "");
    QCOMPARE(g.config.architecture, wd::Architecture::Gpt2);
    QCOMPARE(g.config.activation, wd::Activation::GeluTanh);
    QVERIFY(g.config.bias && g.config.learned_positions && g.config.tied_embeddings);
    QCOMPARE(g.tensors.size(), hf.tensors.size());
    for (const auto& [name, t] : hf.tensors) QVERIFY2(same(g.tensors.at(name), t), name.c_str());
    QCOMPARE(g.tokenizer->encode("A a", false), (std::vector<int>{33, 0, 65}));  // "A", "Ġ", "a"

    QFile ref_file(QString::fromStdString(data + "/gpt2_expected.json"));
    QVERIFY(ref_file.open(QIODevice::ReadOnly));
    const QJsonObject ref = QJsonDocument::fromJson(ref_file.readAll()).object();
    std::vector<int> ids;
    for (const auto& v : ref["prompt_ids"].toArray()) ids.push_back(v.toInt());
    std::vector<float> want;
    for (const auto& v : ref["hf_logits"].toArray()) want.push_back(float(v.toDouble()));
    c10::InferenceMode guard;
    waypoint::LoadOptions options;
    options.checkpoint = path;
    options.device = "cpu";
    auto model = waypoint::Model::load(options);
    QCOMPARE(model->card().architecture, std::string("gpt2"));
    waypoint::Session session(model);
    const std::vector<float> got = session.forward_all(ids);
    QCOMPARE(got.size(), want.size());
    float diff = 0;
    for (size_t i = 0; i < got.size(); ++i) diff = std::max(diff, std::abs(got[i] - want[i]));
    QVERIFY2(diff < 1e-4f, std::to_string(diff).c_str());
}

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
