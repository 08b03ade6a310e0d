// Checkpoint readers: every container of stories260K yields the same config
// and weights; weights are views of the memory-mapped file; bad files give a
// waypoint::Error naming the file, never a crash. GGUF has its own tst_gguf.
#include "format_fixtures.h"

using namespace format_fixtures;

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
    void mutatedHeadersNeverCrash();
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
    // Metadata nested a million deep: printing it back (json::dump) recursed
    // until the stack overflowed; now refused before parsing.
    QTest::newRow("deeply nested metadata")
        << ba(safetensors_bytes(R"({"__metadata__":{"a":)" + std::string(1000000, '[') + std::string(1000000, ']') + "}}",
                                f32x4))
        << "nests JSON";
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

QTEST_GUILESS_MAIN(TestFormats)
#include "tst_formats.moc"
