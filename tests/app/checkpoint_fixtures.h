// Real, tiny checkpoints for the picker's tests, written by the test (Qt
// only, no torch): a llama2.c .bin, a Hugging Face folder (config.json +
// model.safetensors, optionally with training metadata), and copies of
// files the engine reads from ../shared and the project's demo (a nanoGPT
// ckpt.pt, a GGUF, a nanochat model_<step>.pt) placed in the layouts a user
// has. Every weight is zero: the engine probes them by content.
#pragma once

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>
#include <QtTest>

namespace fixtures {

inline const QString kShared = QStringLiteral(WAYPOINT_SHARED_DIR);
inline const QString kSource = QStringLiteral(WAYPOINT_SOURCE_DIR);
// nanoGPT's train.py output (model_args + model), a llama2.c-family GGUF,
// a llama2.c tokenizer.bin and a sentencepiece model, all from ../shared;
// one nanochat step from the project's demo.
inline const QString kNanoGptCkpt = kShared + QStringLiteral("/models/stories260K-nanogpt/ckpt.pt");
inline const QString kGguf = kShared + QStringLiteral("/models/stories260K-gguf/stories260K-f32.gguf");
inline const QString kTokenizerBin = kShared + QStringLiteral("/models/stories260K/tok512.bin");
inline const QString kTokenizerModel = kShared + QStringLiteral("/models/stories260K/tok512.model");
inline const QString kNanochatStep = kSource + QStringLiteral("/resources/demo-nanochat/checkpoints/step_000500");

inline bool sharedFilesPresent() {
    for (const QString& f : {kNanoGptCkpt, kGguf, kTokenizerBin, kTokenizerModel})
        if (!QFileInfo::exists(f)) return false;
    return true;
}

inline void write(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(f.write(bytes), qint64(bytes.size()));
}

inline void copy(const QString& from, const QString& to) {
    QFile f(from);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(from));
    write(to, f.readAll());
}

// A llama2.c v0 export: 7 int32 (dim, hidden, layers, heads, kv_heads, vocab,
// seq_len; vocab > 0: the classifier is tied) then float32 weights in
// llama2.c's order, freq_cis included. Returns the file's size.
inline qint64 writeLlama2cBin(const QString& path, int dim = 8, int hidden = 16, int layers = 1, int heads = 2,
                              int kvHeads = 2, int vocab = 16, int seq = 8) {
    const qint64 hd = dim / heads, kvd = hd * kvHeads, L = layers;
    const qint64 floats = qint64(vocab) * dim                      // token embeddings
                          + L * dim                                // rms_att
                          + L * dim * dim + 2 * L * dim * kvd + L * dim * dim  // wq, wk, wv, wo
                          + L * dim                                // rms_ffn
                          + 3 * L * dim * hidden                   // w1, w2, w3
                          + dim                                    // rms_final
                          + 2 * qint64(seq) * (hd / 2);            // freq_cis real, imag
    QByteArray b(28, 0);
    const qint32 h[7] = {dim, hidden, layers, heads, kvHeads, vocab, seq};
    for (int i = 0; i < 7; ++i) qToLittleEndian(h[i], b.data() + 4 * i);
    b += QByteArray(int(floats * 4), 0);
    write(path, b);
    return b.size();
}

// A Hugging Face Llama folder: config.json + model.safetensors (F32 zeros,
// tied embeddings), with `metadata` as the safetensors __metadata__ (strings,
// as safetensors allows). No tokenizer unless the caller adds one.
inline void writeHfFolder(const QString& dir, const QJsonObject& metadata = {}) {
    const int D = 8, F = 16, V = 16, ctx = 8;
    const QJsonObject config{{"architectures", QJsonArray{"LlamaForCausalLM"}},
                             {"model_type", "llama"},
                             {"hidden_size", D},
                             {"intermediate_size", F},
                             {"num_hidden_layers", 1},
                             {"num_attention_heads", 2},
                             {"num_key_value_heads", 2},
                             {"vocab_size", V},
                             {"max_position_embeddings", ctx},
                             {"rms_norm_eps", 1e-5},
                             {"tie_word_embeddings", true}};
    write(dir + QStringLiteral("/config.json"), QJsonDocument(config).toJson());
    const QList<QPair<QString, QList<int>>> tensors{
        {"model.embed_tokens.weight", {V, D}},
        {"model.norm.weight", {D}},
        {"model.layers.0.input_layernorm.weight", {D}},
        {"model.layers.0.post_attention_layernorm.weight", {D}},
        {"model.layers.0.self_attn.q_proj.weight", {D, D}},
        {"model.layers.0.self_attn.k_proj.weight", {D, D}},
        {"model.layers.0.self_attn.v_proj.weight", {D, D}},
        {"model.layers.0.self_attn.o_proj.weight", {D, D}},
        {"model.layers.0.mlp.gate_proj.weight", {F, D}},
        {"model.layers.0.mlp.up_proj.weight", {F, D}},
        {"model.layers.0.mlp.down_proj.weight", {D, F}},
    };
    QJsonObject header;
    qint64 offset = 0;
    for (const auto& [name, shape] : tensors) {
        qint64 n = 1;
        QJsonArray s;
        for (int d : shape) {
            n *= d;
            s.append(d);
        }
        header.insert(name, QJsonObject{{"dtype", "F32"}, {"shape", s}, {"data_offsets", QJsonArray{offset, offset + 4 * n}}});
        offset += 4 * n;
    }
    if (!metadata.isEmpty()) header.insert(QStringLiteral("__metadata__"), metadata);
    const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    QByteArray st(8, 0);
    qToLittleEndian<quint64>(quint64(json.size()), st.data());
    write(dir + QStringLiteral("/model.safetensors"), st + json + QByteArray(int(offset), 0));
}

// A nanochat checkpoints/step_<step>/ folder: the demo's model_000500.pt
// renamed to model_<step>.pt, and a meta_<step>.json with this step and
// validation loss (the demo's model_config kept).
inline void writeNanochatStep(const QString& checkpointsDir, int step, double valLoss) {
    const QString id = QStringLiteral("%1").arg(step, 6, 10, QLatin1Char('0'));
    const QString dir = checkpointsDir + QStringLiteral("/step_") + id;
    copy(kNanochatStep + QStringLiteral("/model_000500.pt"), dir + QStringLiteral("/model_") + id + QStringLiteral(".pt"));
    QFile metaFile(kNanochatStep + QStringLiteral("/meta_000500.json"));
    QVERIFY(metaFile.open(QIODevice::ReadOnly));
    QJsonObject meta = QJsonDocument::fromJson(metaFile.readAll()).object();
    meta.insert(QStringLiteral("step"), step);
    meta.insert(QStringLiteral("val_loss"), valLoss);
    write(dir + QStringLiteral("/meta_") + id + QStringLiteral(".json"), QJsonDocument(meta).toJson());
}

}  // namespace fixtures
