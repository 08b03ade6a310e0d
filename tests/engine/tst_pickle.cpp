// PyTorch checkpoints (torch.save zip) through our restricted unpickler:
// the nanoGPT/llama2.c ckpt.pt of stories260K gives the same weights and the
// golden greedy ids; GPT-2 checkpoints in HF (Conv1D) and nanoGPT (Linear)
// layouts give their generator script's own PyTorch logits; slm4096 loads
// with no extra files and continues like an independent PyTorch reference;
// bare state dicts and nanochat step folders load; forbidden globals,
// damaged pickles, wrong shapes and unknown key sets are clear errors.
// Test data: tests/data/pytorch/ (make_test_checkpoints.py, slm4096_reference.py).
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QFile>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cstdlib>
#include <functional>
#include <random>

#include "formats/checkpoint.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/torch_archive.h"
#include "formats/pytorch/torch_checkpoint.h"
#include "formats/pytorch/unpickler.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/session.h"

using waypoint::Error;
using waypoint::ErrorKind;
namespace wd = waypoint::detail;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kData = std::string(WAYPOINT_SOURCE_DIR) + "/tests/data/pytorch";
const std::string kNanogpt260K = kShared + "/models/stories260K-nanogpt/ckpt.pt";
const std::string kBin260K = kShared + "/models/stories260K/stories260K.bin";
const std::string kTok512 = kShared + "/models/stories260K/tok512.model";
const std::string kSlm = kShared + "/models/slm4096/ckpt.pt";

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

QJsonObject read_json(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

std::vector<int> ints(const QJsonValue& v) {
    std::vector<int> out;
    for (const auto& x : v.toArray()) out.push_back(x.toInt());
    return out;
}

std::vector<float> floats(const QJsonValue& v) {
    std::vector<float> out;
    for (const auto& x : v.toArray()) out.push_back(float(x.toDouble()));
    return out;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return 1e30f;
    float m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

// The device under test: WAYPOINT_TEST_DEVICE (as tst_golden), fp32 weights.
std::shared_ptr<const waypoint::Model> load(const std::string& ckpt, const std::string& tok = "") {
    waypoint::LoadOptions o;
    o.checkpoint = ckpt;
    o.tokenizer = tok;
    const char* device = std::getenv("WAYPOINT_TEST_DEVICE");
    o.device = device && *device ? device : "cpu";
    o.dtype = "fp32";
    return waypoint::Model::load(o);
}

// Greedy continuation of `prompt_ids`: `n` ids, stopping at BOS/EOS as the golden file does.
std::vector<int> greedy(const std::shared_ptr<const waypoint::Model>& m, const std::vector<int>& prompt_ids, int n) {
    waypoint::Session s(m);
    std::vector<float> logits = s.prefill(prompt_ids);
    std::vector<int> out;
    const int bos = m->tokenizer().bos(), eos = m->tokenizer().eos();
    for (int i = 0; i < n; ++i) {
        int id = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
        if (id == bos || id == eos) break;
        out.push_back(id);
        if (s.position() >= s.context_length()) break;
        logits = s.step(id);
    }
    return out;
}

}  // namespace

class TestPickle : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        if (!QFile::exists(QString::fromStdString(kNanogpt260K))) QSKIP("../shared/models is not there");
    }

    // The restricted unpickler reads slm4096's OrderedDict state dict (which
    // libtorch 1.13's pickle_load cannot) with tensors viewing the mapped file.
    void readsOrderedDictStateDictAsMappedViews() {
        wd::pt::TorchFile f = wd::pt::load_torch_file(kSlm);
        const auto* sd = f.root->get("model_state");
        QVERIFY(sd && sd->kind == wd::pt::Value::Kind::Dict);
        QCOMPARE(int(sd->dict.size()), 57);  // 4 blocks x 13 + embeddings, ln_f, head
        const auto* emb = sd->get("tok_emb.weight");
        QVERIFY(emb && emb->kind == wd::pt::Value::Kind::Tensor);
        QCOMPARE(emb->tensor.sizes(), at::IntArrayRef({54, 64}));
        QVERIFY(wd::is_memory_mapped(emb->tensor.data_ptr()));
        // The tied head views the same storage as the embedding.
        QCOMPARE(sd->get("head.weight")->tensor.data_ptr(), emb->tensor.data_ptr());
        QCOMPARE(f.root->get("config")->get("n_layer")->i, int64_t(4));
        QCOMPARE(f.root->get("itos")->get("23")->s, std::string("Q"));
    }

    // Same weights as the llama2.c .bin, tensor by tensor.
    void nanogptCkptMatchesTheBin() {
        wd::CheckpointData pt = wd::read_checkpoint(kNanogpt260K, kTok512);
        wd::CheckpointData bin = wd::read_checkpoint(kBin260K, kTok512);
        QCOMPARE(pt.config.dim, 64);
        QCOMPARE(pt.config.n_layers, 5);
        QCOMPARE(pt.config.n_heads, 8);
        QCOMPARE(pt.config.n_kv_heads, 4);
        QCOMPARE(pt.config.hidden_dim, 172);
        QCOMPARE(pt.config.max_seq_len, 512);
        QVERIFY(pt.config.rope == wd::RopeStyle::Interleaved);
        for (const auto& [name, t] : bin.tensors) {
            auto it = pt.tensors.find(name);
            if (it == pt.tensors.end()) {
                QVERIFY2(name == "output.weight", name.c_str());  // the .bin's tied head
                continue;
            }
            QVERIFY2(at::equal(it->second, t), name.c_str());
        }
        QCOMPARE(pt.card.format, std::string("PyTorch checkpoint (torch.save)"));
        QCOMPARE(pt.card.name, std::string("stories260K-nanogpt"));
    }

    void nanogptCkptNeedsATokenizer() {
        Caught c = catch_error([] { wd::read_checkpoint(kNanogpt260K, ""); });
        QCOMPARE(c.kind, ErrorKind::FileNotFound);
        QVERIFY2(c.message.find("--tokenizer") != std::string::npos, c.message.c_str());
    }

    void nanogptCkptGivesGoldenGreedyIds() {
        c10::InferenceMode guard;
        auto m = load(kNanogpt260K, kTok512);
        QJsonObject g = read_json(kShared + "/golden/stories260K_greedy.json");
        const auto cases = g["cases"].toArray();
        QVERIFY(!cases.isEmpty());
        for (const auto& cv : cases) {
            const QJsonObject c = cv.toObject();
            const std::vector<int> want = ints(c["greedy_ids"]);
            QCOMPARE(greedy(m, ints(c["prompt_ids"]), int(want.size())), want);
        }
    }

    // slm4096: its own key names, config and stoi/itos inside; nothing beside it.
    void slm4096LoadsAndContinuesLikeTheReference() {
        c10::InferenceMode guard;
        auto m = load(kSlm);
        QCOMPARE(m->card().architecture, std::string("gpt2"));
        QCOMPARE(m->card().layers, 4);
        QCOMPARE(m->card().width, 64);
        QCOMPARE(m->card().context, 128);
        QCOMPARE(m->card().vocabulary, 54);
        QVERIFY(m->card().tied_embeddings);
        QJsonObject ref = read_json(kData + "/slm4096_greedy.json");
        const std::string prompt = ref["prompt"].toString().toStdString();
        const std::vector<int> ids = m->tokenizer().encode(prompt, true);
        QCOMPARE(ids, ints(ref["prompt_ids"]));  // no BOS in a char vocabulary
        waypoint::Session s(m);
        QVERIFY(max_abs_diff(s.prefill(ids), floats(ref["last_logits"])) < 1e-4f);
        const std::vector<int> got = greedy(m, ids, 100);
        QCOMPARE(got, ints(ref["greedy_ids"]));
        QCOMPARE(m->tokenizer().decode(got), ref["text"].toString().toStdString());
        QVERIFY(m->tokenizer().decode(got).rfind(" SLM is a Small Language Model", 0) == 0);
    }

    // GPT-2 with random weights, HF Conv1D and nanoGPT Linear layouts: the
    // logits of every position match the generator script's PyTorch forward.
    void gpt2LayoutsMatchPyTorch_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("key");
        QTest::newRow("hf-conv1d") << QString::fromStdString(kData + "/gpt2_hf") << "hf_logits";
        QTest::newRow("hf-safetensors") << QString::fromStdString(kData + "/gpt2_hf_safetensors") << "hf_logits";
        QTest::newRow("nanogpt-linear") << QString::fromStdString(kData + "/gpt2_nanogpt/ckpt.pt") << "nanogpt_logits";
        QTest::newRow("nanogpt-nobias-untied") << QString::fromStdString(kData + "/gpt2_nobias/ckpt.pt") << "nobias_logits";
    }
    void gpt2LayoutsMatchPyTorch() {
        QFETCH(QString, path);
        QFETCH(QString, key);
        c10::InferenceMode guard;
        QJsonObject ref = read_json(kData + "/gpt2_expected.json");
        auto m = load(path.toStdString());
        QCOMPARE(m->card().architecture, std::string("gpt2"));
        QCOMPARE(m->card().tied_embeddings, key != "nobias_logits");
        const std::vector<int> ids = ints(ref["prompt_ids"]);
        const std::vector<float> want = floats(ref[key]);
        waypoint::Session full(m);
        QVERIFY2(max_abs_diff(full.forward_all(ids), want) < 1e-4f, "batched forward");
        // KV cache: one token at a time gives the same logits.
        waypoint::Session inc(m);
        const size_t V = size_t(ref["vocab"].toInt());
        for (size_t t = 0; t < ids.size(); ++t) {
            const std::vector<float>& got = t == 0 ? inc.prefill({ids[0]}) : inc.step(ids[t]);
            std::vector<float> row(want.begin() + long(t * V), want.begin() + long((t + 1) * V));
            QVERIFY2(max_abs_diff(got, row) < 1e-4f, ("cached step " + std::to_string(t)).c_str());
        }
    }

    void nanogptCkptCardAndVocabBeside() {
        wd::CheckpointData d = wd::read_checkpoint(kData + "/gpt2_nanogpt/ckpt.pt", "");
        QCOMPARE(d.card.training_step.value_or(-1), int64_t(120));
        QVERIFY(std::abs(d.card.validation_loss.value_or(0) - 2.5) < 1e-6);
        QVERIFY2(d.card.tokenizer.find("meta.pkl") != std::string::npos, d.card.tokenizer.c_str());
        QVERIFY(d.config.activation == wd::Activation::GeluExact);
        QCOMPARE(d.tokenizer->encode("AB!", false), std::vector<int>({'A' - 32, 'B' - 32, '!' - 32}));
        QCOMPARE(catch_error([&] { d.tokenizer->encode("~", false); }).kind, ErrorKind::InvalidArgument);
        wd::CheckpointData hf = wd::read_checkpoint(kData + "/gpt2_hf", "");
        QVERIFY(hf.config.activation == wd::Activation::GeluTanh);
        QCOMPARE(hf.card.format, std::string("Hugging Face folder (pytorch_model.bin)"));
    }

    // A GPT-2 BPE given explicitly as vocab.json (merges.txt beside it) is
    // read as such: here it has far more ids than this tiny model has rows.
    void explicitGpt2VocabJson() {
        const std::string vocab = kShared + "/tokenizers/gpt2/vocab.json";
        if (!QFile::exists(QString::fromStdString(vocab))) QSKIP("../shared/tokenizers/gpt2 is not there");
        Caught c = catch_error([&] { wd::read_checkpoint(kData + "/gpt2_nanogpt/ckpt.pt", vocab); });
        QCOMPARE(c.kind, ErrorKind::BadFormat);
        QVERIFY2(c.message.find("50257") != std::string::npos, c.message.c_str());
    }

    // A bare HF-named Llama state dict: sizes from shapes, heads/context from
    // config.json beside it; without one, the error names what is missing.
    void bareStateDictWithConfigJson() {
        c10::InferenceMode guard;
        wd::CheckpointData d = wd::read_checkpoint(kData + "/llama_hf_bare/model.pth", "");
        QCOMPARE(d.config.n_heads, 4);
        QCOMPARE(d.config.n_kv_heads, 2);
        QCOMPARE(d.config.max_seq_len, 64);
        QCOMPARE(d.config.hidden_dim, 96);
        QVERIFY(d.config.rope == wd::RopeStyle::RotateHalf);
        QVERIFY(!d.config.tied_embeddings);
        QJsonObject ref = read_json(kData + "/llama_expected.json");
        auto m = load(kData + "/llama_hf_bare/model.pth");
        waypoint::Session s(m);
        QVERIFY(max_abs_diff(s.forward_all(ints(ref["prompt_ids"])), floats(ref["logits"])) < 1e-4f);
    }

    void bareStateDictWithoutConfigSaysWhatIsMissing() {
        Caught c = catch_error([] { wd::read_checkpoint(kData + "/llama_bare_noconfig/model.pth", kTok512); });
        QCOMPARE(c.kind, ErrorKind::BadFormat);
        QVERIFY2(c.message.find("n_heads") != std::string::npos, c.message.c_str());
        QVERIFY2(c.message.find("max_seq_len") != std::string::npos, c.message.c_str());
        QVERIFY2(c.message.find("config.json") != std::string::npos, c.message.c_str());
    }

    // nanochat-style run: the folder loads its latest step, with step and loss on the card.
    void stepFolderLoadsLatestStep() {
        wd::CheckpointData d = wd::read_checkpoint(kData + "/run/checkpoints", "");
        QCOMPARE(d.card.training_step.value_or(-1), int64_t(100));
        QVERIFY(std::abs(d.card.validation_loss.value_or(0) - 1.25) < 1e-9);
        QCOMPARE(d.config.n_kv_heads, 2);
        QCOMPARE(d.config.max_seq_len, 64);
        wd::CheckpointData early =
            wd::read_checkpoint(kData + "/run/checkpoints/step_000050/model_000050.pt", "");
        QCOMPARE(early.card.training_step.value_or(-1), int64_t(50));
        QVERIFY(std::abs(early.card.validation_loss.value_or(0) - 2.75) < 1e-9);
    }

    void refusesForbiddenGlobals_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("object");
        QTest::newRow("os.system") << "os_system.pt" << "os.system";
        QTest::newRow("eval") << "builtin_eval.pt" << "__builtin__.eval";
        QTest::newRow("user class") << "user_class.pt" << "__main__.UserModel";
    }
    void refusesForbiddenGlobals() {
        QFETCH(QString, file);
        QFETCH(QString, object);
        const std::string path = kData + "/bad/" + file.toStdString();
        Caught c = catch_error([&] { wd::read_checkpoint(path, kTok512); });
        QCOMPARE(c.kind, ErrorKind::Unsupported);
        QVERIFY2(c.message.find(object.toStdString()) != std::string::npos, c.message.c_str());
        QVERIFY2(c.message.find("refuses") != std::string::npos, c.message.c_str());
    }

    void damagedFilesAreClearErrors_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("words");
        QTest::newRow("truncated zip") << "truncated.pt" << int(ErrorKind::BadFormat) << "truncated.pt";
        QTest::newRow("cut pickle") << "cut_pickle.pt" << int(ErrorKind::BadFormat) << "damaged pickle";
        QTest::newRow("memo") << "bad_memo.pt" << int(ErrorKind::BadFormat) << "memo";
        QTest::newRow("garbage") << "garbage.pt" << int(ErrorKind::BadFormat) << "opcode";
        QTest::newRow("view past storage") << "view_past_storage.pt" << int(ErrorKind::BadFormat) << "storage";
        QTest::newRow("wrong shape") << "wrong_shape.pt" << int(ErrorKind::BadFormat) << "h.1.mlp.c_proj.weight";
        QTest::newRow("legacy format") << "legacy.pt" << int(ErrorKind::Unsupported) << "legacy";
        QTest::newRow("nanochat gpt") << "nanochat_gpt.pt" << int(ErrorKind::Unsupported) << "nanochat";
        QTest::newRow("unknown keys") << "unknown_keys.pt" << int(ErrorKind::Unsupported) << "encoder.conv1.weight";
    }
    void damagedFilesAreClearErrors() {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QFETCH(QString, words);
        const std::string path = kData + "/bad/" + file.toStdString();
        Caught c = catch_error([&] { wd::read_checkpoint(path, kTok512); });
        QVERIFY2(int(c.kind) == kind, c.message.c_str());
        QVERIFY2(c.message.find(words.toStdString()) != std::string::npos, c.message.c_str());
    }

    // Every prefix of a real checkpoint and random byte flips in its pickle:
    // an Error or a load, never a crash.
    void mutatedPicklesNeverCrash() {
        const std::string good = kData + "/gpt2_nanogpt/ckpt.pt";
        wd::pt::TorchFile f = wd::pt::load_torch_file(good);
        const std::string_view pkl = f.archive->record("data.pkl");
        std::mt19937 rng(7);
        int errors = 0;
        for (int round = 0; round < 400; ++round) {
            std::string bytes(pkl);
            if (round < 100) {
                bytes.resize(size_t(rng() % bytes.size()));
            } else {
                for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = char(rng() & 0xFF);
            }
            Caught c = catch_error([&] {
                wd::pt::unpickle(bytes, "mutated.pt", [&](const wd::pt::Value&) {
                    auto v = wd::pt::make_value(wd::pt::Value::Kind::Storage);
                    v->tensor = at::zeros({16});
                    return v;
                });
            });
            QVERIFY2(c.message.rfind("WRONG", 0) != 0, c.message.c_str());
            errors += c.message != "NO ERROR";
        }
        QVERIFY(errors >= 100);  // every truncation at least
    }

    // Found by fuzzing (inputs in tests/fuzz/regressions/unpickler/): a
    // list that holds itself (DUP + APPEND, or through the memo) is refused
    // rather than leaked or walked forever; a million nested lists are freed
    // without recursion; list(x) repeated over a big x is refused before it
    // multiplies memory.
    void hostilePickleShapes_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("words");
        QTest::newRow("dup-append") << "self_append_dup.pkl" << "holds itself";
        QTest::newRow("memo-append") << "self_append_memo.pkl" << "holds itself";
        QTest::newRow("copies") << "copy_amplification.pkl" << "copied more often";
    }
    void hostilePickleShapes() {
        QFETCH(QString, file);
        QFETCH(QString, words);
        QFile in(QStringLiteral(WAYPOINT_SOURCE_DIR "/tests/fuzz/regressions/unpickler/") + file);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        Caught c = catch_error([&] { wd::pt::unpickle(std::string_view(bytes.constData(), size_t(bytes.size())), "x.pkl", {}); });
        QCOMPARE(int(c.kind), int(ErrorKind::BadFormat));
        QVERIFY2(c.message.find(words.toStdString()) != std::string::npos, c.message.c_str());
    }
    void deeplyNestedPickleIsFreedWithoutRecursion() {
        std::string bytes = "\x80\x02";
        const int depth = 1000000;
        bytes.append(size_t(depth), ']');
        bytes.append(size_t(depth - 1), 'a');
        bytes += '.';
        wd::pt::ValuePtr root = wd::pt::unpickle(bytes, "deep.pkl", {});
        QCOMPARE(int(root->kind), int(wd::pt::Value::Kind::List));
        QCOMPARE(int(root->items.size()), 1);
        root.reset();  // a recursive release would overflow the stack here
    }

    // Damaged archives (the zip directory and headers mutated, the file cut
    // anywhere): an Error or a load, never a crash.
    void mutatedArchivesNeverCrash() {
        QFile in(QString::fromStdString(kData + "/gpt2_nanogpt/ckpt.pt"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray good = in.readAll();
        QTemporaryDir dir;
        const std::string path = dir.filePath("ckpt.pt").toStdString();
        std::mt19937 rng(11);
        for (int round = 0; round < 120; ++round) {
            QByteArray bytes = good;
            if (round % 3 == 0) {
                bytes.truncate(int(rng() % uint32_t(bytes.size())));
            } else {  // flip bytes in the central directory (the tail) or the first local header
                const int span = round % 3 == 1 ? 3000 : 120;
                for (int k = 0; k < 4; ++k) {
                    const int at = round % 3 == 1 ? bytes.size() - 1 - int(rng() % span) : int(rng() % span);
                    bytes[at] = char(rng() & 0xFF);
                }
            }
            QFile out(QString::fromStdString(path));
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(bytes);
            out.close();
            Caught c = catch_error([&] { wd::read_checkpoint(path, ""); });
            QVERIFY2(c.message.rfind("WRONG", 0) != 0, c.message.c_str());
            QVERIFY2(c.message == "NO ERROR" || c.kind != ErrorKind::Internal, c.message.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestPickle)
#include "tst_pickle.moc"
