// TextStream (tokenizer/text_stream.cpp), which turns generated ids into
// text deltas that are always whole UTF-8: on the Llama tokenizers
// (sentencepiece and llama2.c's tokenizer.bin) with text that makes them
// fall back to bytes, and on a byte tokenizer with split and invalid UTF-8.
#include <QtTest>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizers.h"
#include "tokenizer/utf8.h"

using waypoint::TextStream;
using waypoint::Tokenizer;
namespace wd = waypoint::detail;

namespace {

const std::string kShared = WAYPOINT_SHARED_DIR;
const std::string kLlama2Model = kShared + "/tokenizers/llama2/tokenizer.model";
const std::string kLlama2Bin = kShared + "/tokenizers/llama2/tokenizer.bin";

bool is_whole_utf8(const std::string& s) {
    std::string clean;
    return wd::utf8_sanitize(s, /*final=*/false, clean) == s.size() && clean == s;
}

// A tokenizer whose ids 0..255 are the bytes themselves: for TextStream's
// handling of split and invalid UTF-8 without a model file.
class ByteTokenizer final : public Tokenizer {
public:
    std::vector<int> encode(std::string_view text, bool) const override {
        return std::vector<int>(text.begin(), text.end());
    }
    std::string piece_bytes(int id, int) const override {
        return std::string(1, static_cast<char>(id));
    }
    int vocab_size() const override { return 256; }
    int bos() const override { return -1; }
    int eos() const override { return -1; }
    std::string description() const override { return "bytes"; }
};

std::vector<int> bytes_of(std::string_view s) {
    std::vector<int> ids;
    for (unsigned char c : s) ids.push_back(c);
    return ids;
}

}  // namespace

class TestTextStream : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void streamedDeltasAreWholeUtf8();
    void streamReplacesInvalidBytes();
};

void TestTextStream::streamedDeltasAreWholeUtf8() {
    const std::vector<std::string> texts = {
        "Caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e, na\xC3\xAFve fa\xC3\xA7" "ade",
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE6\x96\x87\xE7\xAB\xA0\xE3\x81\xA7"
        "\xE3\x81\x99\xE3\x80\x82 \xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C",
        "emoji \xF0\x9F\x98\x80\xF0\x9F\x8E\x89 \xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB and "
        "\xF0\x9F\xA6\x99 flags \xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",
        "\xE1\x9E\x80\xE1\x9E\xB6\xE1\x9E\x93\xE1\x9F\x8B Khmer, \xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2"
        "\xD0\xB5\xD1\x82 \xCE\xB1\xCE\xB2\xCE\xB3 \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",
    };
    const auto spm = wd::load_sentencepiece(kLlama2Model);
    const auto bin = wd::load_llama2c_tokenizer(kLlama2Bin, 32000);
    int held_back = 0;
    for (const Tokenizer* t : {spm.get(), bin.get()}) {
        for (const auto& text : texts) {
            const auto ids = t->encode(text, true);
            TextStream stream(*t);
            std::string all;
            for (int id : ids) {
                const std::string d = stream.push(id);
                QVERIFY2(is_whole_utf8(d), qPrintable(QString("delta of id %1").arg(id)));
                if (d.empty() && t->piece_bytes(id, 0).size() == 1 && id >= 3 && id < 259) ++held_back;
                all += d;
            }
            const std::string rest = stream.flush();
            QVERIFY(rest.empty());
            all += rest;
            QCOMPARE(all, t->decode(ids));
            QCOMPARE(all, text);
        }
    }
    QVERIFY2(held_back > 10, "the texts should make the tokenizer fall back to bytes");
    QCOMPARE(spm->encode(texts[2], true), bin->encode(texts[2], true));
}

void TestTextStream::streamReplacesInvalidBytes() {
    const ByteTokenizer bytes;
    const std::string kFFFD = "\xEF\xBF\xBD";
    struct Case {
        std::string in, out;
    };
    const std::vector<Case> cases = {
        {"a\xE2\x82\xAC" "b", "a\xE2\x82\xAC" "b"},      // € whole
        {"a\x80" "b", "a" + kFFFD + "b"},                // lone continuation
        {"a\xE2\x82" "b", "a" + kFFFD + "b"},            // cut short: one U+FFFD
        {"\xC0\xAF", kFFFD + kFFFD},                     // overlong
        {"\xED\xA0\x80", kFFFD + kFFFD + kFFFD},         // surrogate
        {"\xF4\x90\x80\x80", kFFFD + kFFFD + kFFFD + kFFFD},  // > U+10FFFF
        {"x\xF0\x9F\x98", "x" + kFFFD},                  // truncated at the end
        {"\xFF\xF0\x9F\x98\x80", kFFFD + "\xF0\x9F\x98\x80"},
    };
    for (const auto& c : cases) {
        const auto ids = bytes_of(c.in);
        QCOMPARE(bytes.decode(ids), c.out);
        TextStream stream(bytes);
        std::string all;
        for (int id : ids) {
            const std::string d = stream.push(id);
            QVERIFY(is_whole_utf8(d));
            all += d;
        }
        all += stream.flush();
        QCOMPARE(all, c.out);
    }
    // A 4-byte character arrives in one piece only when its last byte does.
    TextStream stream(bytes);
    QCOMPARE(stream.push(0xF0), std::string());
    QCOMPARE(stream.push(0x9F), std::string());
    QCOMPARE(stream.push(0x98), std::string());
    QCOMPARE(stream.push(0x80), std::string("\xF0\x9F\x98\x80"));
    QCOMPARE(stream.push(0xE2), std::string());
    QCOMPARE(stream.push('a'), kFFFD + "a");  // clearly invalid: not held
    QCOMPARE(stream.flush(), std::string());
}

QTEST_GUILESS_MAIN(TestTextStream)
#include "tst_text_stream.moc"
