// GPT-2 byte-level BPE (vocab.json + merges.txt or tokenizer.json, RE2
// pre-tokenization) against llama.cpp's gpt-2 test vectors, and the
// character-level tokenizer.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

#include "tokenizer/gpt2_pretokenizer.h"
#include "tokenizer/tokenizers.h"
#include "tokenizer/utf8.h"
#include "waypoint/error.h"

using waypoint::Error;
using waypoint::ErrorKind;
using waypoint::TextStream;
using waypoint::Tokenizer;
namespace wd = waypoint::detail;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kVocab = kShared + "/tokenizers/gpt2/vocab.json";
const std::string kMerges = kShared + "/tokenizers/gpt2/merges.txt";
const std::string kVectors = kShared + "/tokenizers/llamacpp-vocab/ggml-vocab-gpt-2.gguf";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

struct VectorCase {
    std::string text;
    std::vector<int> ids;
};

// llama.cpp's test-tokenizer-0 format: strings each followed by
// "\n__ggml_vocab_test__\n"; one line of ids per string (add_special=false).
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

bool is_whole_utf8(const std::string& s) {
    std::string clean;
    return wd::utf8_sanitize(s, false, clean) == s.size() && clean == s;
}

void check_vectors(const Tokenizer& tok) {
    const auto cases = read_vectors(kVectors);
    QCOMPARE(cases.size(), size_t(46));
    for (size_t i = 0; i < cases.size(); ++i) {
        const auto got = tok.encode(cases[i].text, false);
        QVERIFY2(got == cases[i].ids,
                 qPrintable(QString("case %1 \"%2\": got %3, expected %4")
                                .arg(i).arg(QString::fromStdString(cases[i].text).left(40))
                                .arg(show(got), show(cases[i].ids))));
        QCOMPARE(tok.decode(got), cases[i].text);
    }
}

}  // namespace

class TestGpt2Tokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void preTokenizerLookahead();
    void gpt2Vectors();
    void tokenizerJson();
    void streamsWholeCharacters();
    void badFiles();
    void charTokenizer();
};

void TestGpt2Tokenizer::preTokenizerLookahead() {
    // Reference: Python's `regex` module running GPT-2's pattern, lookahead
    // included (re.findall), on strings that exercise `\s+(?!\S)`, Unicode
    // whitespace and the contractions.
    const char* reference = R"([
      ["Hello   world", ["Hello", "  ", " world"]],
      ["x  \n", ["x", "  \n"]],
      ["\u3000\u3000x", ["\u3000", "\u3000", "x"]],
      ["a\u00a0\u00a0b", ["a", "\u00a0", "\u00a0", "b"]],
      ["tab\t\tend\t", ["tab", "\t", "\t", "end", "\t"]],
      ["  leading", [" ", " leading"]],
      ["it's  I'M we'll 2024!!  ", ["it", "'s", " ", " I", "'", "M", " we", "'ll", " 2024", "!!", "  "]],
      ["\n\n\nX", ["\n\n", "\n", "X"]],
      ["caf\u00e9 \u65e5\u672c\u8a9e \ud83d\ude00\ud83d\ude00 ok", ["caf\u00e9", " \u65e5\u672c\u8a9e", " \ud83d\ude00\ud83d\ude00", " ok"]],
      ["a \u2003 b", ["a", " \u2003", " b"]],
      [" \u3000x", [" ", "\u3000", "x"]],
      ["x\u200b\u200by", ["x", "\u200b\u200b", "y"]]
    ])";
    const wd::Gpt2PreTokenizer pre;
    for (const auto& v : QJsonDocument::fromJson(reference).array()) {
        const std::string text = v[0].toString().toStdString();
        std::vector<std::string> want, got;
        for (const auto& w : v[1].toArray()) want.push_back(w.toString().toStdString());
        for (auto w : pre.split(text)) got.emplace_back(w);
        QCOMPARE(got, want);
    }
    // Bytes that are not UTF-8 still tile the text.
    std::string joined;
    for (auto w : pre.split("ab\xFF\xFE cd\x80")) joined += w;
    QCOMPARE(joined, std::string("ab\xFF\xFE cd\x80"));
}

void TestGpt2Tokenizer::gpt2Vectors() {
    const auto tok = wd::load_gpt2_bpe(kVocab, kMerges);  // merges.txt without "#version"
    QCOMPARE(tok->vocab_size(), 50257);
    QCOMPARE(tok->bos(), -1);
    QCOMPARE(tok->eos(), 50256);
    QCOMPARE(tok->piece_bytes(50256, -1), std::string());
    QCOMPARE(tok->encode("Hello world", true), (std::vector<int>{15496, 995}));
    QCOMPARE(tok->description(), std::string("GPT-2 BPE (vocab.json)"));
    // <|endoftext|> typed by a user is text, not the control token.
    QVERIFY(tok->encode("<|endoftext|>", false).size() > 1);
    check_vectors(*tok);
}

void TestGpt2Tokenizer::tokenizerJson() {
    // A tokenizer.json written from the same tables, once with "a b" merges
    // and once with ["a", "b"] pairs (newer tokenizers versions).
    QJsonDocument vocab = QJsonDocument::fromJson(QByteArray::fromStdString(read_file(kVocab)));
    QVERIFY(vocab.isObject());
    QJsonArray merges_str, merges_pair;
    std::istringstream lines(read_file(kMerges));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        merges_str.append(QString::fromStdString(line));
        const auto sp = line.find(' ');
        merges_pair.append(QJsonArray{QString::fromStdString(line.substr(0, sp)),
                                      QString::fromStdString(line.substr(sp + 1))});
    }
    QTemporaryDir dir;
    for (const auto& merges : {merges_str, merges_pair}) {
        QJsonObject model{{"type", "BPE"}, {"vocab", vocab.object()}, {"merges", merges}};
        QJsonObject doc{{"model", model},
                        {"pre_tokenizer", QJsonObject{{"type", "ByteLevel"}}},
                        {"added_tokens", QJsonArray{QJsonObject{
                             {"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}}}}};
        const std::string path = dir.path().toStdString() + "/tokenizer.json";
        write_file(path, QJsonDocument(doc).toJson().toStdString());
        const auto tok = wd::load_gpt2_bpe_tokenizer_json(path);
        QCOMPARE(tok->eos(), 50256);
        QCOMPARE(tok->description(), std::string("GPT-2 BPE (tokenizer.json)"));
        check_vectors(*tok);
    }
    // A sentencepiece-style (Metaspace) tokenizer.json is refused by name.
    const std::string other = dir.path().toStdString() + "/other.json";
    write_file(other, R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []},
                          "pre_tokenizer": {"type": "Metaspace"}})");
    try {
        wd::load_gpt2_bpe_tokenizer_json(other);
        QFAIL("expected an Error");
    } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Unsupported);
        QVERIFY(std::string(e.what()).find(other) != std::string::npos);
    }
}

void TestGpt2Tokenizer::streamsWholeCharacters() {
    const auto tok = wd::load_gpt2_bpe(kVocab, kMerges);
    const std::string text =
        "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x98\x80\xF0\x9F\xA6\x99 "
        "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB \xE1\x9E\x80\xE1\x9E\xB6 ok";
    const auto ids = tok->encode(text, false);
    TextStream stream(*tok);
    std::string all;
    int empty = 0;
    for (int id : ids) {
        const std::string d = stream.push(id);
        QVERIFY(is_whole_utf8(d));
        empty += d.empty();
        all += d;
    }
    all += stream.flush();
    QCOMPARE(all, text);
    QCOMPARE(tok->decode(ids), text);
    QVERIFY2(empty > 0, "some token should have ended inside a character");
}

void TestGpt2Tokenizer::badFiles() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    QVERIFY_THROWS_EXCEPTION(Error, wd::load_gpt2_bpe(d + "/missing.json", kMerges));
    QVERIFY_THROWS_EXCEPTION(Error, wd::load_gpt2_bpe(kVocab, d + "/missing.txt"));
    struct Bad {
        std::string vocab, merges;
    };
    const std::vector<Bad> bad = {
        {"{not json", "a b\n"},
        {"[1, 2, 3]", "a b\n"},
        {"{}", "a b\n"},
        {R"({"a": "zero"})", "a b\n"},
        {R"({"a": -4})", "a b\n"},
        {R"({"a": 0, "b": 1})", "a b c\n"},
        {R"({"a": 0, "b": 1})", "ab\n"},
        {std::string("\xFF\xFE{", 3), "a b\n"},
    };
    int i = 0;
    for (const auto& b : bad) {
        const std::string v = d + "/v" + std::to_string(i) + ".json", m = d + "/m" + std::to_string(i++) + ".txt";
        write_file(v, b.vocab);
        write_file(m, b.merges);
        try {
            wd::load_gpt2_bpe(v, m);
            QFAIL(qPrintable(QString("no Error for %1").arg(v.c_str())));
        } catch (const Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(v) != std::string::npos || msg.find(m) != std::string::npos, e.what());
        }
    }
    const std::string tj = d + "/tokenizer.json";
    for (const std::string& content :
         {std::string("{"), std::string(R"({"model": {"type": "Unigram"}})"),
          std::string(R"({"model": {"vocab": {"a": 0}, "merges": [7]}, "decoder": {"type": "ByteLevel"}})"),
          std::string(R"({"model": {"vocab": {"a": 0}, "merges": []}, "decoder": {"type": "ByteLevel"},
                          "added_tokens": [{"id": 1, "content": 5}]})")}) {
        write_file(tj, content);
        QVERIFY_THROWS_EXCEPTION(Error, wd::load_gpt2_bpe_tokenizer_json(tj));
    }
}

void TestGpt2Tokenizer::charTokenizer() {
    // nanoGPT shakespeare_char style: sorted characters, one per id.
    std::vector<std::string> itos = {"\n", " ", "!", "?", "A", "Q", "S", "a", "e", "h", "i", "s", "t",
                                     "W", "M", "L", ":", "\xC3\xA9"};
    const auto tok = wd::make_char_tokenizer(itos, "characters (test)");
    QCOMPARE(tok->vocab_size(), 18);
    QCOMPARE(tok->bos(), -1);
    QCOMPARE(tok->eos(), -1);
    const std::string text = "Q: What is SLM?\nA: \xC3\xA9t\xC3\xA9!";
    const auto ids = tok->encode(text, true);
    QCOMPARE(ids.size(), size_t(23));  // one id per character; é is one
    QCOMPARE(ids[0], 5);
    QCOMPARE(ids[1], 16);
    QCOMPARE(tok->decode(ids), text);
    TextStream stream(*tok);
    std::string all;
    for (int id : ids) all += stream.push(id);
    QCOMPARE(all + stream.flush(), text);
    try {
        tok->encode("What is xyz", false);
        QFAIL("expected an Error");
    } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::InvalidArgument);
        QVERIFY2(std::string(e.what()).find("\"x\"") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, tok->piece_bytes(18, -1));
    QVERIFY_THROWS_EXCEPTION(Error, wd::make_char_tokenizer({}, "empty"));
}

QTEST_GUILESS_MAIN(TestGpt2Tokenizer)
#include "tst_gpt2_tokenizer.moc"
