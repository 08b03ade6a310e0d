// probe_checkpoint (waypoint/probe.h) on every container of the shared
// models: the card equals what Model::load fills (but dtype and device),
// without loading; not-checkpoints give nothing; a broken checkpoint or a
// missing tokenizer is described, not thrown. Public API only, except the
// check that probing leaves quantized weights unexpanded.
#include "format_fixtures.h"

#include "waypoint/probe.h"

using namespace format_fixtures;
using waypoint::CheckpointProbe;
using waypoint::probe_checkpoint;

class TestProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        if (!QFile::exists(QString::fromStdString(kBin))) QSKIP("../shared/models is not there");
    }

    void cardEqualsLoadedCard_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("format");
        QTest::newRow("llama2.c") << QString::fromStdString(kBin) << "llama2.c .bin";
        QTest::newRow("hf folder") << QString::fromStdString(kHf) << "Hugging Face safetensors";
        QTest::newRow("gguf") << QString::fromStdString(kShared + "/models/stories260K-gguf/stories260K-f32.gguf")
                              << "GGUF";
        QTest::newRow("slm4096") << QString::fromStdString(kShared + "/models/slm4096/ckpt.pt") << "PyTorch checkpoint";
    }

    void cardEqualsLoadedCard() {
        QFETCH(QString, path);
        QFETCH(QString, format);
        const std::optional<CheckpointProbe> p = probe_checkpoint(path.toStdString());
        QVERIFY(p.has_value());
        QVERIFY2(p->problem.empty(), p->problem.c_str());
        QVERIFY(p->tokenizer_found);
        QVERIFY2(contains(p->card.format, format.toStdString()), p->card.format.c_str());
        QVERIFY(p->card.dtype.empty() && p->card.device.empty());  // nothing was loaded

        waypoint::LoadOptions o;
        o.checkpoint = path.toStdString();
        o.device = "cpu";
        const waypoint::ModelCard loaded = waypoint::Model::load(o)->card();
        QCOMPARE(p->card.name, loaded.name);
        QCOMPARE(p->card.path, loaded.path);
        QCOMPARE(p->card.format, loaded.format);
        QCOMPARE(p->card.architecture, loaded.architecture);
        QCOMPARE(p->card.tokenizer, loaded.tokenizer);
        QCOMPARE(p->card.parameters, loaded.parameters);
        QCOMPARE(p->card.layers, loaded.layers);
        QCOMPARE(p->card.heads, loaded.heads);
        QCOMPARE(p->card.kv_heads, loaded.kv_heads);
        QCOMPARE(p->card.width, loaded.width);
        QCOMPARE(p->card.vocabulary, loaded.vocabulary);
        QCOMPARE(p->card.context, loaded.context);
        QCOMPARE(p->card.tied_embeddings, loaded.tied_embeddings);
        QCOMPARE(p->card.file_bytes, loaded.file_bytes);
        QCOMPARE(p->card.training_step, loaded.training_step);
        QCOMPARE(p->card.validation_loss, loaded.validation_loss);
    }

    void notACheckpoint() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        spit(d + "/notes.txt", "Once upon a time\n");
        copy_file(kShared + "/models/stories260K/tok512.model", d + "/tok512.model");
        QVERIFY(!probe_checkpoint(d + "/notes.txt"));
        QVERIFY(!probe_checkpoint(d + "/tok512.model"));  // a tokenizer is no checkpoint
        QVERIFY(!probe_checkpoint(d + "/missing.bin"));
        spit(d + "/empty.bin", "");
        QVERIFY(!probe_checkpoint(d + "/empty.bin"));
        // A folder that merely holds a checkpoint file is not one itself.
        copy_file(kBin, d + "/stories.bin");
        QVERIFY(!probe_checkpoint(d));
        QVERIFY(probe_checkpoint(d + "/stories.bin").has_value());
    }

    void missingTokenizerIsDescribed() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("alone.bin").toStdString();
        copy_file(kBin, path);
        const auto p = probe_checkpoint(path);
        QVERIFY(p.has_value());
        QVERIFY(!p->tokenizer_found);
        QVERIFY(p->card.tokenizer.empty());
        QVERIFY2(contains(p->problem, "no tokenizer found") && contains(p->problem, "--tokenizer"), p->problem.c_str());
        QCOMPARE(p->card.name, std::string("alone"));
        QCOMPARE(p->card.layers, 5);  // the rest of the card is there
        QCOMPARE(p->card.file_bytes, int64_t(QFileInfo(QString::fromStdString(path)).size()));
    }

    void brokenCheckpointIsDescribed() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("cut.bin").toStdString();
        spit(path, slurp(kBin).substr(0, 100000));
        const auto p = probe_checkpoint(path);
        QVERIFY(p.has_value());
        QCOMPARE(p->card.format, std::string("llama2.c .bin"));
        QCOMPARE(p->card.name, std::string("cut"));
        QCOMPARE(p->card.file_bytes, int64_t(100000));
        QVERIFY2(contains(p->problem, "cut.bin") && contains(p->problem, "truncated"), p->problem.c_str());
    }

    // Probing reads shapes only: a Q8_0 GGUF's matrices come back as meta
    // tensors (no data), while loading expands them.
    void quantizedWeightsStayUnexpanded() {
        const wd::CheckpointData bin = wd::read_checkpoint(kBin, "");
        std::vector<GTensor> ts;
        for (const auto& [name, t] : bin.tensors) {
            std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
            if (t.dim() == 2 && t.size(1) % 32 == 0)
                ts.push_back({gguf_name(name), shape, 8, q8_0(t).first});
            else
                ts.push_back({gguf_name(name), shape, 0, raw(t)});
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("q8.gguf").toStdString();
        spit(path, gguf_bytes(stories_kvs(), ts));
        wd::ReadOptions probing(kShared + "/models/stories260K/tok512.model");
        probing.probe = true;
        const wd::CheckpointData probed = wd::read_checkpoint(path, probing);
        QVERIFY(probed.tensors.at("layers.0.attention.wq.weight").is_meta());
        QVERIFY(!probed.tensors.at("norm.weight").is_meta());  // F32: a view of the file
        const wd::CheckpointData loaded = wd::read_checkpoint(path, kShared + "/models/stories260K/tok512.model");
        QVERIFY(!loaded.tensors.at("layers.0.attention.wq.weight").is_meta());
    }
};

QTEST_GUILESS_MAIN(TestProbe)
#include "tst_probe.moc"
