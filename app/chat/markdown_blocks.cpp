#include "markdown_blocks.h"

#include <QStringList>
#include <QVariantMap>

namespace waypoint::app {

namespace {
// A fence line: up to 3 spaces, then ``` or ~~~ (3 or more); CommonMark.
bool fenceOpen(const QString& line, QString* fence, QString* info) {
    int i = 0;
    while (i < line.size() && i < 3 && line.at(i) == QLatin1Char(' ')) ++i;
    if (i >= line.size()) return false;
    const QChar c = line.at(i);
    if (c != QLatin1Char('`') && c != QLatin1Char('~')) return false;
    int n = 0;
    while (i + n < line.size() && line.at(i + n) == c) ++n;
    if (n < 3) return false;
    const QString rest = line.mid(i + n).trimmed();
    if (c == QLatin1Char('`') && rest.contains(QLatin1Char('`'))) return false;
    *fence = QString(n, c);
    *info = rest.section(QLatin1Char(' '), 0, 0);
    return true;
}

// Whether prose may be cut before `line` (after a blank line): it starts a
// block of its own. Not an indented line (a list item's continuation, or
// code) and not a list item (a list stays one piece, and keeps its numbers).
bool startsNewBlock(const QString& line) {
    if (line.isEmpty() || line.at(0).isSpace()) return false;
    const QChar c = line.at(0);
    if ((c == QLatin1Char('-') || c == QLatin1Char('*') || c == QLatin1Char('+')) &&
        (line.size() == 1 || line.at(1).isSpace()))
        return false;
    int digits = 0;
    while (digits < line.size() && line.at(digits).isDigit()) ++digits;
    if (digits > 0 && digits < line.size() && (line.at(digits) == QLatin1Char('.') || line.at(digits) == QLatin1Char(')')))
        return false;
    return true;
}

bool fenceClose(const QString& line, const QString& fence) {
    const QString t = line.trimmed();
    return t.size() >= fence.size() && t == QString(t.size(), fence.at(0)) && !line.startsWith(QLatin1String("    "));
}
}  // namespace

QVector<MarkdownBlock> splitMarkdownBlocks(const QString& markdown) {
    QVector<MarkdownBlock> out;
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    QStringList prose, code;
    int proseChars = 0;
    QString fence, info;
    bool inCode = false;
    const auto flushProse = [&] {
        const QString text = prose.join(QLatin1Char('\n'));
        if (!text.trimmed().isEmpty()) out.push_back({false, text, {}});
        prose.clear();
        proseChars = 0;
    };
    for (const QString& line : lines) {
        if (!inCode) {
            if (fenceOpen(line, &fence, &info)) {
                flushProse();
                inCode = true;
                code.clear();
            } else {
                if (proseChars >= kMarkdownProseChunk && !prose.isEmpty() && prose.last().trimmed().isEmpty() &&
                    startsNewBlock(line))
                    flushProse();
                prose << line;
                proseChars += int(line.size()) + 1;
            }
        } else if (fenceClose(line, fence)) {
            out.push_back({true, code.join(QLatin1Char('\n')), info});
            inCode = false;
        } else {
            code << line;
        }
    }
    if (inCode) out.push_back({true, code.join(QLatin1Char('\n')), info});
    else flushProse();
    return out;
}

QVariantList markdownBlocksForQml(const QString& markdown) {
    QVariantList out;
    for (const MarkdownBlock& b : splitMarkdownBlocks(markdown))
        out << QVariantMap{{QStringLiteral("code"), b.code}, {QStringLiteral("text"), b.text},
                           {QStringLiteral("language"), b.language}};
    return out;
}

}  // namespace waypoint::app
