// Tokenizers of the Llama family: sentencepiece through the dlopen'ed bridge
// (in a process that also runs libtorch: docs/ARCHITECTURE.md trap 2), llama2.c's
// tokenizer.bin. The UTF-8-safe TextStream is tst_text_stream.
#include <ATen/ATen.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <sstream>

#include "spm_bridge/spm_bridge_loader.h"
#include "tokenizer/tokenizers.h"
#include "waypoint/error.h"

using waypoint::Error;
using waypoint::ErrorKind;
using waypoint::TextStream;
using waypoint::Tokenizer;
namespace wd = waypoint::detail;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kLlama2Model = kShared + "/tokenizers/llama2/tokenizer.model";
const std::string kLlama2Bin = kShared + "/tokenizers/llama2/tokenizer.bin";
const std::string kStoriesModel = kShared + "/models/stories260K/tok512.model";
const std::string kStoriesBin = kShared + "/models/stories260K/tok512.bin";
const std::string kVectors = kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-llama-spm.gguf";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct VectorCase {
    std::string text;
    std::vector<int> ids;
};

// llama.cpp's test-tokenizer-0: the .inp holds the strings, each followed by
// "\n__ggml_vocab_test__\n"; the .out one line of space-separated ids per
// string. The ids are tokenize(text, add_special = false): no BOS, but the
// sentencepiece dummy-prefix space is there.
std::vector<VectorCase> read_vectors(const std::string& base) {
    const std::string inp = read_file(base + ".inp"), out = read_file(base + ".out");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<VectorCase> cases;
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
        for (int id; ids >> id;) c.ids.push_back(id);
    }
    return cases;
}

QString show(const std::vector<int>& ids) {
    QStringList s;
    for (int id : ids) s << QString::number(id);
    return s.join(' ');
}

}  // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void bridgeWorksInATorchProcess();
    void bridgeErrorSaysWhereItLooked();
    void llamaSpmVectors();
    void llama2cBinOnLlamaSpmVectors();
    void stories260KModelAndBinAgree();
    void piecesAfterBos();
    void badModelFiles();
    void badTokenizerBin();
    void otherLlama2cVocabulary();
    void concurrentUse();
};

void TestTokenizer::bridgeWorksInATorchProcess() {
    // libtorch (system protobuf 3.21) is loaded and used before and after
    // sentencepiece (its own protobuf 3.14) comes in through the bridge.
    const at::Tensor a = at::arange(16, at::kFloat).reshape({4, 4});
    QCOMPARE(at::mm(a, a).sum().item<float>(), 3920.0f);

    const auto tok = wd::load_sentencepiece(kLlama2Model);
    QCOMPARE(tok->encode("Hello world", true), (std::vector<int>{1, 15043, 3186}));
    QCOMPARE(tok->vocab_size(), 32000);
    QCOMPARE(tok->bos(), 1);
    QCOMPARE(tok->eos(), 2);
    QCOMPARE(tok->description(), std::string("sentencepiece (tokenizer.model)"));
    QCOMPARE(at::mm(a, a).sum().item<float>(), 3920.0f);

    // Both protobufs really are in this process: the isolation did the work.
    const std::string maps = read_file("/proc/self/maps");
    QVERIFY(maps.find("libtorch_cpu") != std::string::npos);
    QVERIFY(maps.find("libprotobuf.so.32") != std::string::npos);  // torch's protobuf
    QVERIFY(maps.find("libsentencepiece.so") != std::string::npos);
    QVERIFY(maps.find("libwaypoint_spm_bridge.so") != std::string::npos);
    // The bridge's C API itself: kinds, pieces, sentencepiece's own decode,
    // and an error message instead of an exception for a bad file.
    const auto& bridge = wd::spm_bridge();
    qInfo() << "bridge loaded from" << bridge.path.c_str();
    char err[256] = {0};
    wp_spm* h = bridge.create(kLlama2Model.c_str(), err, sizeof err);
    QVERIFY2(h != nullptr, err);
    QCOMPARE(bridge.vocab_size(h), 32000);
    QCOMPARE(bridge.unk_id(h), 0);
    QCOMPARE(bridge.piece_kind(h, 0), int(WP_SPM_UNKNOWN));
    QCOMPARE(bridge.piece_kind(h, 1), int(WP_SPM_CONTROL));
    QCOMPARE(bridge.piece_kind(h, 13), int(WP_SPM_BYTE));
    QCOMPARE(bridge.piece_kind(h, 15043), int(WP_SPM_NORMAL));
    QCOMPARE(bridge.piece_kind(h, 32000), -1);
    size_t len = 0;
    const char* piece = bridge.id_to_piece(h, 15043, &len);
    QCOMPARE(std::string(piece, len), std::string("\xE2\x96\x81Hello"));
    QVERIFY(bridge.id_to_piece(h, -1, &len) == nullptr);
    const int ids[] = {1, 15043, 3186, 13, 2};
    char text[64];
    const long n = bridge.decode(h, ids, 5, text, sizeof text);
    QCOMPARE(std::string(text, static_cast<size_t>(n)), std::string("Hello world\n"));
    QCOMPARE(bridge.decode(h, ids, 5, nullptr, 0), n);  // size query
    int small[1];
    QCOMPARE(bridge.encode(h, "Hello world", 11, small, 1), 2);  // needs 2, wrote 1
    QCOMPARE(small[0], 15043);
    bridge.destroy(h);
    QVERIFY(bridge.create("/nonexistent.model", err, sizeof err) == nullptr);
    QVERIFY2(std::string(err).size() > 0, "an error message");
}

void TestTokenizer::bridgeErrorSaysWhereItLooked() {
    try {
        wd::open_spm_bridge({"/nonexistent/libwaypoint_spm_bridge.so", "/etc/hostname"});
        QFAIL("expected an Error");
    } catch (const Error& e) {
        const std::string m = e.what();
        QCOMPARE(e.kind(), ErrorKind::FileNotFound);
        QVERIFY2(m.find("/nonexistent/libwaypoint_spm_bridge.so: not there") != std::string::npos, e.what());
        QVERIFY2(m.find("/etc/hostname") != std::string::npos, e.what());
    }
    // The override is the only place looked at; unset, the executable's
    // folder comes first and the build tree is among the candidates.
    const char* old = std::getenv("WAYPOINT_SPM_BRIDGE");
    const std::string saved = old ? old : "";
    ::setenv("WAYPOINT_SPM_BRIDGE", "/opt/x/libwaypoint_spm_bridge.so", 1);
    QCOMPARE(wd::spm_bridge_candidates(),
             std::vector<std::string>{"/opt/x/libwaypoint_spm_bridge.so"});
    ::setenv("WAYPOINT_SPM_BRIDGE", "/tmp", 1);
    QCOMPARE(wd::spm_bridge_candidates(),
             std::vector<std::string>{"/tmp/libwaypoint_spm_bridge.so"});
    ::unsetenv("WAYPOINT_SPM_BRIDGE");
    const auto c = wd::spm_bridge_candidates();
    QVERIFY(c.size() >= 4);
    QVERIFY(QString::fromStdString(c.front()).startsWith(QCoreApplication::applicationDirPath()));
    QVERIFY(std::find(c.begin(), c.end(),
                      std::string(WAYPOINT_BINARY_DIR) + "/lib/waypoint/libwaypoint_spm_bridge.so") !=
            c.end());
    if (old) ::setenv("WAYPOINT_SPM_BRIDGE", saved.c_str(), 1);
}

void TestTokenizer::llamaSpmVectors() {
    const auto cases = read_vectors(kVectors);
    QCOMPARE(cases.size(), size_t(46));
    const auto tok = wd::load_sentencepiece(kLlama2Model);
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto got = tok->encode(cases[i].text, false);
        QVERIFY2(got == cases[i].ids,
                 qPrintable(QString("case %1 \"%2\": got %3, expected %4")
                                .arg(i).arg(QString::fromStdString(cases[i].text).left(40))
                                .arg(show(got), show(cases[i].ids))));
        // Decoding after a BOS gives the text back exactly (no leading space).
        std::vector<int> with_bos{1};
        with_bos.insert(with_bos.end(), got.begin(), got.end());
        QCOMPARE(tok->decode(with_bos), cases[i].text);
    }
}

void TestTokenizer::llama2cBinOnLlamaSpmVectors() {
    // run.c's greedy merge by score is sentencepiece's BPE: the same ids on
    // every vector (checked here, so a difference would show up by name).
    const auto cases = read_vectors(kVectors);
    const auto bin = wd::load_llama2c_tokenizer(kLlama2Bin, 32000);
    QCOMPARE(bin->vocab_size(), 32000);
    QStringList differ;
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto got = bin->encode(cases[i].text, false);
        if (got != cases[i].ids)
            differ << QString("case %1: got %2, expected %3").arg(i).arg(show(got), show(cases[i].ids));
        std::vector<int> with_bos{1};
        with_bos.insert(with_bos.end(), got.begin(), got.end());
        QCOMPARE(bin->decode(with_bos), cases[i].text);
    }
    QVERIFY2(differ.isEmpty(), qPrintable(differ.join('\n')));
}

void TestTokenizer::stories260KModelAndBinAgree() {
    const auto spm = wd::load_sentencepiece(kStoriesModel);
    const auto bin = wd::load_llama2c_tokenizer(kStoriesBin, 512);
    QCOMPARE(spm->description(), std::string("sentencepiece (tok512.model)"));
    QCOMPARE(spm->vocab_size(), 512);

    QFile f(QString::fromStdString(kShared + "/golden/stories260K_greedy.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto cases = QJsonDocument::fromJson(f.readAll()).object()["cases"].toArray();
    QCOMPARE(cases.size(), 3);
    for (const auto& v : cases) {
        const auto c = v.toObject();
        const std::string prompt = c["prompt"].toString().toStdString();
        std::vector<int> prompt_ids, all;
        for (const auto& id : c["prompt_ids"].toArray()) prompt_ids.push_back(id.toInt());
        QCOMPARE(spm->encode(prompt, true), prompt_ids);
        QCOMPARE(bin->encode(prompt, true), prompt_ids);
        // The reference printed every piece after BOS, prompt included, with
        // run.c's decode (the first piece after BOS loses its space).
        all = prompt_ids;
        for (const auto& id : c["greedy_ids"].toArray()) all.push_back(id.toInt());
        const std::string text = c["text"].toString().toStdString();
        QCOMPARE(spm->decode(all), text);
        QCOMPARE(bin->decode(all), text);
        TextStream stream(*spm);
        std::string streamed;
        for (int id : all) streamed += stream.push(id);
        QCOMPARE(streamed + stream.flush(), text);
    }

    // And on 197 KB of TinyStories, line by line. tok512.model was trained
    // with sentencepiece's default remove_extra_whitespaces (leading,
    // trailing and repeated spaces dropped before encoding); run.c knows
    // nothing of that, so the two agree on text already in that form.
    std::istringstream lines(read_file(kShared + "/text/tinystories_train_head_Niklas6.txt"));
    std::string whole;
    int n = 0, normalized = 0;
    for (std::string raw; std::getline(lines, raw); ++n) {
        std::string line;
        for (char c : raw)
            if (c != ' ' || (!line.empty() && line.back() != ' ')) line.push_back(c);
        if (!line.empty() && line.back() == ' ') line.pop_back();
        normalized += line != raw;
        const auto a = spm->encode(line, true);
        QVERIFY2(a == bin->encode(line, true), qPrintable(QString::fromStdString(line)));
        QCOMPARE(spm->decode(a), line);
        QCOMPARE(spm->encode(raw, true), a);  // sentencepiece normalizes the raw line itself
        whole += line + "\n";
    }
    // All of it at once: ~200k symbols through the heap-based merge.
    QElapsedTimer timer;
    timer.start();
    const auto whole_ids = bin->encode(whole, true);
    qInfo("tok512.bin encoded %zu bytes into %zu tokens in %lld ms", whole.size(),
          whole_ids.size(), static_cast<long long>(timer.elapsed()));
    QCOMPARE(whole_ids, spm->encode(whole, true));
    QCOMPARE(bin->decode(whole_ids), whole);
    QVERIFY(n > 100);
    qInfo("%d TinyStories lines agree (%d had extra spaces)", n, normalized);
}

void TestTokenizer::piecesAfterBos() {
    const auto spm = wd::load_sentencepiece(kStoriesModel);
    const auto bin = wd::load_llama2c_tokenizer(kStoriesBin, 512);
    for (const Tokenizer* t : {spm.get(), bin.get()}) {
        QCOMPARE(t->piece_bytes(403, 1), std::string("Once"));   // ▁Once after BOS
        QCOMPARE(t->piece_bytes(403, 432), std::string(" Once"));
        QCOMPARE(t->piece_bytes(403, -1), std::string(" Once"));
        QCOMPARE(t->piece_bytes(1, -1), std::string());           // control tokens
        QCOMPARE(t->piece_bytes(2, 5), std::string());
        QCOMPARE(t->piece_bytes(0, 5), std::string());
        QCOMPARE(t->piece_bytes(13, 5), std::string("\n"));       // <0x0A>
        QCOMPARE(t->piece_bytes(3 + 0x20, 1), std::string(" "));  // <0x20> keeps its byte
        QCOMPARE(t->piece_bytes(3 + 0xE2, 1), std::string("\xE2"));
        QVERIFY_THROWS_EXCEPTION(Error, t->piece_bytes(512, 1));
        QVERIFY_THROWS_EXCEPTION(Error, t->piece_bytes(-1, 1));
        QCOMPARE(t->encode("", true), std::vector<int>{1});
        QCOMPARE(t->encode("", false), std::vector<int>{});
    }
}

void TestTokenizer::badModelFiles() {
    try {
        wd::load_sentencepiece("/nonexistent/tok.model");
        QFAIL("expected an Error");
    } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::FileNotFound);
        QVERIFY(std::string(e.what()).find("/nonexistent/tok.model") != std::string::npos);
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::vector<std::string> garbage = {
        std::string(),                                    // empty
        std::string(1000, '\xFF'),                        // not protobuf
        "this is not a sentencepiece model\n",
        read_file(kStoriesModel).substr(0, 3000),          // truncated
        read_file(kStoriesBin),                            // the other format
    };
    int i = 0;
    for (const auto& bytes : garbage) {
        const std::string path = dir.path().toStdString() + "/bad" + std::to_string(i++) + ".model";
        std::ofstream(path, std::ios::binary) << bytes;
        try {
            wd::load_sentencepiece(path);
            QFAIL(qPrintable(QString("no Error for %1").arg(path.c_str())));
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
        }
    }
    // A folder is not a model either.
    QVERIFY_THROWS_EXCEPTION(Error, wd::load_sentencepiece(dir.path().toStdString()));
}

void TestTokenizer::badTokenizerBin() {
    QVERIFY_THROWS_EXCEPTION(Error, wd::load_llama2c_tokenizer("/nonexistent/tokenizer.bin", 512));
    QTemporaryDir dir;
    const std::string good = read_file(kStoriesBin);
    auto with_int = [&](size_t offset, int32_t v) {
        std::string s = good;
        std::memcpy(s.data() + offset, &v, 4);
        return s;
    };
    const std::vector<std::pair<std::string, int>> bad = {
        {std::string(), 512},                        // empty
        {good.substr(0, 2), 512},                    // header cut
        {good.substr(0, good.size() - 3), 512},      // last token cut
        {good, 32000},                               // fewer tokens than the model's vocab
        {good, 100},                                 // more tokens than the model's vocab
        {with_int(0, -5), 512},                      // negative max_token_length
        {with_int(0, 1 << 30), 512},                 // absurd max_token_length
        {with_int(8, 1 << 30), 512},                 // token 0 claims 1 GB
        {with_int(8, -1), 512},                      // negative length
        {with_int(4, 0x7FC00000), 512},              // NaN score
        {good, 1 << 30},                             // absurd vocab size
    };
    int i = 0;
    for (const auto& [bytes, vocab] : bad) {
        const std::string path = dir.path().toStdString() + "/tok" + std::to_string(i++) + ".bin";
        std::ofstream(path, std::ios::binary) << bytes;
        try {
            wd::load_llama2c_tokenizer(path, vocab);
            QFAIL(qPrintable(QString("no Error for %1").arg(path.c_str())));
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
        }
    }
    // The good file reads whole with vocab_size <= 0 ("all of it").
    QCOMPARE(wd::load_llama2c_tokenizer(kStoriesBin, 0)->vocab_size(), 512);
}

void TestTokenizer::otherLlama2cVocabulary() {
    // aidreams260K: someone else's 512-token llama2.c vocabulary (no .model).
    const std::string path = kShared + "/models/aidreams260K/tok512.bin";
    const auto tok = wd::load_llama2c_tokenizer(path, 512);
    QCOMPARE(tok->vocab_size(), 512);
    QCOMPARE(tok->description(), std::string("llama2.c tokenizer (tok512.bin)"));
    const std::string text = "The AI dreamed of electric sheep \xE2\x80\x94 and woke up.\n";
    const auto ids = tok->encode(text, true);
    QCOMPARE(ids.front(), 1);
    QVERIFY(ids.size() < text.size());  // merges happened
    QCOMPARE(tok->decode(ids), text);
}

void TestTokenizer::concurrentUse() {
    // Tokenizers are immutable and shared by sessions on several threads.
    const auto spm = wd::load_sentencepiece(kLlama2Model);
    const auto bin = wd::load_llama2c_tokenizer(kLlama2Bin, 32000);
    const std::string text = read_file(kShared + "/text/cs336_tinystories_sample.txt");
    const auto want_spm = spm->encode(text, true), want_bin = bin->encode(text, true);
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                if (spm->encode(text, true) != want_spm) ++mismatches;
                if (bin->encode(text, true) != want_bin) ++mismatches;
                if (spm->decode(want_spm) != bin->decode(want_bin)) ++mismatches;
            }
        });
    for (auto& th : threads) th.join();
    QCOMPARE(mismatches.load(), 0);
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
