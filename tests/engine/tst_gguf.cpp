// GGUF v2/v3 (llama and gpt2 architectures): the same weights and tokenizer as
// the other stories260K containers, F16 and Q8_0 tensors, the embedded vocabularies
// against llama.cpp's vectors, and bad GGUF files giving a typed Error.
#include "format_fixtures.h"

using namespace format_fixtures;

class TestGguf : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ggufMatchesBin();
    void ggufTokenizerMatchesSentencepiece();
    void ggufVocabPassesLlamaSpmVectors();
    void ggufF16AndQ8_0();
    void badGguf();
    void ggufGpt2VocabPassesVectors();
    void ggufGpt2MatchesPyTorch();
};

void TestGguf::ggufMatchesBin() {
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

void TestGguf::ggufTokenizerMatchesSentencepiece() {
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

void TestGguf::ggufVocabPassesLlamaSpmVectors() {
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

void TestGguf::ggufF16AndQ8_0() {
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

void TestGguf::badGguf() {
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
void TestGguf::ggufGpt2VocabPassesVectors() {
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
void TestGguf::ggufGpt2MatchesPyTorch() {
    const std::string data = std::string(WAYPOINT_SOURCE_DIR) + "/tests/data/pytorch";
    // Part of the repository (the pickle reader's test data): missing means a broken checkout.
    QVERIFY2(QFile::exists(QString::fromStdString(data + "/gpt2_hf/pytorch_model.bin")),
             "tests/data/pytorch/gpt2_hf/pytorch_model.bin is missing from this checkout");
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

QTEST_GUILESS_MAIN(TestGguf)
#include "tst_gguf.moc"
