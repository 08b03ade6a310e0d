// Chat templates rendered by the engine equal Python's jinja2 as transformers
// runs it, byte for byte: every template in ../shared/chat-templates over the
// conversations in tests/data/chat_templates/conversations.json, against
// expected.json (made by make_expected.py with Debian's python3-jinja2).
#include <QtTest>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chat/chat_internal.h"
#include "waypoint/chat_template.h"

using json = nlohmann::ordered_json;

namespace {

const QString kTemplates = QStringLiteral(WAYPOINT_SHARED_DIR "/chat-templates");
const QString kData = QStringLiteral(WAYPOINT_SOURCE_DIR "/tests/data/chat_templates");
constexpr int64_t kNow = 1772874302;  // 2026-03-07 09:05:02 UTC, as NOW in make_expected.py

std::string slurp(const QString& path) {
    std::ifstream f(path.toStdString(), std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// A readable first difference: the bytes around it, JSON-quoted.
QByteArray first_difference(const std::string& want, const std::string& got) {
    size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    size_t from = i > 40 ? i - 40 : 0;
    auto cut = [&](const std::string& s) { return json(s.substr(std::min(from, s.size()), 100)).dump(-1, ' ', false, json::error_handler_t::replace); };
    return QByteArray::fromStdString("first difference at byte " + std::to_string(i) + "\n  want: " + cut(want) +
                                     "\n  got:  " + cut(got));
}

}  // namespace

class TstChatTemplate : public QObject {
    Q_OBJECT

private:
    json expected_;
    std::map<std::string, json> conversations_;

private Q_SLOTS:
    void initTestCase() {
        std::string e = slurp(kData + "/expected.json"), c = slurp(kData + "/conversations.json");
        QVERIFY2(!e.empty() && !c.empty(), "tests/data/chat_templates/*.json missing");
        expected_ = json::parse(e);
        for (const auto& conv : json::parse(c)) conversations_[conv["name"].get<std::string>()] = conv;
    }

    // expected.json covers exactly the templates in ../shared (else rerun make_expected.py).
    void expectedCoversEverySharedTemplate() {
        QDir dir(kTemplates);
        if (!dir.exists()) QSKIP("../shared/chat-templates is not there");
        std::set<std::string> on_disk, in_data;
        for (const auto& f : dir.entryList({"*.jinja"}, QDir::Files)) on_disk.insert(f.toStdString());
        for (const auto& c : expected_["cases"]) in_data.insert(c["template"].get<std::string>());
        QCOMPARE(int(on_disk.size()), 57);
        QVERIFY2(on_disk == in_data, "expected.json is stale: run tests/data/chat_templates/make_expected.py");
    }

    void matchesPython_data() {
        QTest::addColumn<QString>("name");
        std::set<std::string> names;
        for (const auto& c : expected_["cases"]) names.insert(c["template"].get<std::string>());
        for (const auto& n : names) QTest::newRow(n.c_str()) << QString::fromStdString(n);
    }

    // Every conversation, with and without the generation prompt: the same
    // bytes as Python, or an error where Python raised one (the template's
    // own raise_exception message word for word).
    void matchesPython() {
        QFETCH(QString, name);
        std::string source = slurp(kTemplates + "/" + name);
        if (source.empty()) QSKIP("../shared/chat-templates is not there");
        waypoint::ChatTemplate tpl(source, name.toStdString());
        int checked = 0;
        for (const auto& c : expected_["cases"]) {
            if (c["template"] != name.toStdString()) continue;
            const json& conv = conversations_.at(c["conversation"].get<std::string>());
            waypoint::ChatTemplateOptions o;
            o.bos_token = expected_["bos_token"];
            o.eos_token = expected_["eos_token"];
            o.add_generation_prompt = c["add_generation_prompt"];
            o.now = kNow;
            if (conv.contains("tools")) o.tools_json = conv["tools"].dump();
            QByteArray where = QByteArray::fromStdString(c["conversation"].get<std::string>() +
                                                         (o.add_generation_prompt ? " +prompt" : " -prompt"));
            std::string got;
            try {
                got = tpl.render_json(conv["messages"].dump(), o);
            } catch (const waypoint::ChatTemplateError& e) {
                QVERIFY2(c.contains("error"), (where + ": raised " + e.what()).constData());
                if (c.value("raised", false)) {
                    QVERIFY2(e.raised(), (where + ": expected raise_exception, got " + e.what()).constData());
                    QCOMPARE(QString::fromStdString(e.message()), QString::fromStdString(c["error"]));
                }
                ++checked;
                continue;
            }
            // QVERIFY2 builds its message even when the check passes: value(), not
            // operator[], which on a const object without the key reads past its end.
            QVERIFY2(!c.contains("error"),
                     (where + ": Python raised " + QByteArray::fromStdString(c.value("error", json()).dump())).constData());
            std::string want = c["output"];
            QVERIFY2(got == want, (where + ": " + first_difference(want, got)).constData());
            ++checked;
        }
        QCOMPARE(checked, int(conversations_.size()) * 2);
    }

    // The message vector API gives what the JSON one gives.
    void vectorApiEqualsJson() {
        std::string source = slurp(kTemplates + "/Qwen-Qwen2.5-7B-Instruct.jinja");
        if (source.empty()) QSKIP("../shared/chat-templates is not there");
        waypoint::ChatTemplate tpl(source, "qwen");
        waypoint::ChatTemplateOptions o;
        std::vector<waypoint::ChatMessage> msgs{{"system", "Be brief."}, {"user", "Grüße 🌍"}};
        QCOMPARE(tpl.render(msgs, o),
                 tpl.render_json(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Grüße 🌍"}])", o));
        QCOMPARE(QString::fromStdString(waypoint::render_chat_template(source, "qwen", msgs, "", "", false)),
                 QString::fromStdString(tpl.render(msgs, [] { waypoint::ChatTemplateOptions x; x.add_generation_prompt = false; return x; }())));
    }

    // raise_exception becomes an error naming the template and its message.
    void raiseExceptionNamesTemplate() {
        waypoint::ChatTemplate tpl("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok",
                                   "gemma.jinja");
        try {
            tpl.render({{"system", "x"}}, {});
            QFAIL("no error");
        } catch (const waypoint::ChatTemplateError& e) {
            QVERIFY(e.raised());
            QCOMPARE(QString::fromStdString(e.message()), QStringLiteral("System role not supported"));
            QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("chat template gemma.jinja: System role not supported"));
            QCOMPARE(e.kind(), waypoint::ErrorKind::InvalidArgument);
        }
        QCOMPARE(QString::fromStdString(tpl.render({{"user", "x"}}, {})), QStringLiteral("ok"));
    }

    void syntaxErrorNamesLine() {
        try {
            waypoint::ChatTemplate("line one\n{% for x in %}", "broken.jinja");
            QFAIL("no error");
        } catch (const waypoint::ChatTemplateError& e) {
            QCOMPARE(e.kind(), waypoint::ErrorKind::BadFormat);
            QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains("broken.jinja") && what.contains("line 2"), qPrintable(what));
        }
        for (const char* bad : {"{{ 1 + }}", "{% if x %}", "{{ 'open }}", "{% endfor %}", "{% frobnicate %}", "{{ x"}) {
            bool threw = false;
            try { waypoint::ChatTemplate(bad, "bad"); } catch (const waypoint::ChatTemplateError&) { threw = true; }
            QVERIFY2(threw, bad);
        }
        bool threw = false;
        try { waypoint::ChatTemplate("x", "t").render_json("{not json", {}); } catch (const waypoint::ChatTemplateError&) { threw = true; }
        QVERIFY(threw);
    }

    // A template is code from a downloaded checkpoint: one that does not end,
    // recurses, builds huge text or overflows 64-bit integers stops with an
    // error that says so, quickly, instead of hanging or running out of memory.
    void hostileTemplatesStopWithAClearError_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("says");
        QTest::newRow("endless loops") << "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}" << "steps";
        QTest::newRow("endless recursion") << "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}" << "nest more than 400";
        QTest::newRow("huge repeat") << "{{ 'x' * 1000000000000 }}" << "more than 64 MiB";
        QTest::newRow("huge list") << "{{ ['x'] * 1000000000000 }}" << "steps";
        QTest::newRow("replace bomb") << "{% set s = 'abcdefgh' * 100000 %}{{ s.replace('', s) }}" << "more than 64 MiB";
        QTest::newRow("self reference") << "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}" << "nest more than";
        QTest::newRow("int overflow") << "{{ 9223372036854775807 + 1 }}" << "integer overflow";
        QTest::newRow("pow overflow") << "{{ 2 ** 64 }}" << "integer overflow";
        QTest::newRow("float to int") << "{{ 1e300|int }}" << "too large";
    }
    void hostileTemplatesStopWithAClearError() {
        QFETCH(QString, source);
        QFETCH(QString, says);
        QElapsedTimer clock;
        clock.start();
        try {
            waypoint::ChatTemplate(source.toStdString(), "hostile.jinja").render({{"user", "hi"}}, {});
            QFAIL("no error");
        } catch (const waypoint::ChatTemplateError& e) {
            QCOMPARE(e.kind(), waypoint::ErrorKind::InvalidArgument);
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith("chat template hostile.jinja: ") && what.contains(says), qPrintable(what));
        }
        qInfo("%s: stopped after %lld ms", QTest::currentDataTag(), (long long)clock.elapsed());
    }

    // Parsing refuses nesting no template needs, before the recursive parser
    // or the renderer could run out of stack.
    void deepNestingIsASyntaxError() {
        const std::string deep[] = {"{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}",
                                    "{{ 1" + [] { std::string s; for (int k = 0; k < 5000; ++k) s += " + 1"; return s; }() + " }}",
                                    [] { std::string s; for (int k = 0; k < 5000; ++k) s += "{% if x %}"; return s; }(),
                                    "{{ " + [] { std::string s; for (int k = 0; k < 5000; ++k) s += "not "; return s; }() + "x }}"};
        for (const auto& source : deep) {
            try {
                waypoint::ChatTemplate(source, "deep.jinja");
                QFAIL("no error");
            } catch (const waypoint::ChatTemplateError& e) {
                QCOMPARE(e.kind(), waypoint::ErrorKind::BadFormat);
                QVERIFY2(QString::fromUtf8(e.what()).contains("nests more than 100 levels"), e.what());
            }
        }
    }

    // The limits are far from what real templates need: the step budget a
    // 1000-message conversation takes, found by halving, for every shared
    // template; the most any takes is printed and must stay under a quarter
    // of the default.
    void realTemplatesStayFarBelowTheLimits() {
        std::vector<waypoint::ChatMessage> msgs = {{"system", "Be brief."}};
        for (int k = 0; k < 500; ++k) {
            msgs.push_back({"user", "Question " + std::to_string(k)});
            msgs.push_back({"assistant", "Answer " + std::to_string(k)});
        }
        msgs.push_back({"user", "Last"});
        const int64_t budget = waypoint::ChatTemplateLimits{}.max_steps;
        auto stops = [&](const waypoint::ChatTemplate& tpl, int64_t steps) {
            waypoint::ChatTemplateOptions o;
            o.limits.max_steps = steps;
            o.now = kNow;
            try {
                (void)tpl.render(msgs, o);
                return false;
            } catch (const waypoint::ChatTemplateError& e) {
                // Templates may refuse this conversation (no tools given, ...).
                return QString::fromUtf8(e.what()).contains("rendering stopped");
            }
        };
        int64_t most = 0;
        std::string hungriest;
        for (const QString& f : QDir(kTemplates).entryList({"*.jinja"}, QDir::Files)) {
            waypoint::ChatTemplate tpl(slurp(kTemplates + "/" + f), f.toStdString());
            int64_t lo = 0, hi = budget / 4;  // stops at lo, finishes at hi
            QVERIFY2(!stops(tpl, hi), qPrintable(f + " needs more than a quarter of the step budget"));
            while (hi - lo > hi / 16 + 1) {
                const int64_t mid = lo + (hi - lo) / 2;
                (stops(tpl, mid) ? lo : hi) = mid;
            }
            if (hi > most) most = hi, hungriest = f.toStdString();
        }
        qInfo("most steps for 1000 messages: about %lld (%s); the default budget is %lld", (long long)most,
              hungriest.c_str(), (long long)budget);
    }

    // Small templates of one feature each (make_expected.py's FEATURES), with
    // their variables: the text Python's jinja2 gave.
    void features() {
        int n = 0;
        for (const auto& f : expected_["features"]) {
            std::string source = f["source"], want = f["output"];
            std::string got = waypoint::detail::render_template_with(source, f["variables"].dump(), kNow);
            QVERIFY2(got == want, (QByteArray::fromStdString(json(source).dump()) + ": " + first_difference(want, got)).constData());
            ++n;
        }
        QVERIFY(n >= 15);
    }

    // Case filters outside ASCII go through the platform layer's wide case
    // mapping (Python's str.upper/lower/title give these same strings).
    void nonAsciiCaseFilters() {
        auto render = [](const std::string& source) {
            return QString::fromStdString(waypoint::detail::render_template_with(source, "{}", kNow));
        };
        QCOMPARE(render("{{ 'grüne äpfel, ωμέγα' | upper }}"), QStringLiteral("GRÜNE ÄPFEL, ΩΜΈΓΑ"));
        QCOMPARE(render("{{ 'ÉCOLE ÀÎÕ' | lower }}"), QStringLiteral("école àîõ"));
        QCOMPARE(render("{{ 'élan vital' | title }}"), QStringLiteral("Élan Vital"));
    }
};
QTEST_GUILESS_MAIN(TstChatTemplate)
#include "tst_chat_template.moc"
