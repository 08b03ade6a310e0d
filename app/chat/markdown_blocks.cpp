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

// A line of plain running text: one that starts with a letter, a quote or
// punctuation that goes on or ends a sentence (an answer that continues the
// prompt starts with ", there was..."), so no block syntax (list, quote,
// table, heading, HTML, setext underline, link reference).
// Prose is cut before such a line, or inside it, only where its paragraph
// began with one and has no table cell: then the cut ends a paragraph of plain
// text early and starts another, and nothing changes meaning.
bool plainText(const QString& line) {
    if (line.isEmpty() || line.contains(QLatin1Char('|'))) return false;
    const QChar c = line.at(0);
    return c.isLetter() || c == QLatin1Char('"') || c == QLatin1Char('\'') || c == QChar(0x201C) ||
           QStringLiteral(",;:.!?)").contains(c);
}

// The inline spans (`code`, *emphasis*, _emphasis_, [link]) open so far in a
// paragraph: it may be cut only where none is.
struct OpenSpans {
    int ticks = 0, stars = 0, unders = 0, brackets = 0;
    void add(QChar c) {
        ticks += c == QLatin1Char('`');
        stars += c == QLatin1Char('*');
        unders += c == QLatin1Char('_');
        brackets += c == QLatin1Char('[') ? 1 : c == QLatin1Char(']') ? -1 : 0;
    }
    void add(const QString& text) {
        for (const QChar c : text) add(c);
    }
    bool none() const { return ticks % 2 == 0 && stars % 2 == 0 && unders % 2 == 0 && brackets == 0; }
};

// Where a plain line may be cut between sentences, at or after `from`: the
// index where the next sentence starts (after ". ", "! " or "? ", at a
// capital letter) with no span open across it (`spans`: those open before
// the line); -1 if nowhere.
int sentenceCut(const QString& line, int from, OpenSpans spans) {
    for (int i = 0; i + 2 < line.size(); ++i) {
        const QChar c = line.at(i);
        spans.add(c);
        if (i + 1 < from || (c != QLatin1Char('.') && c != QLatin1Char('!') && c != QLatin1Char('?'))) continue;
        if (line.at(i + 1) == QLatin1Char(' ') && line.at(i + 2).isUpper() && spans.none()) return i + 2;
    }
    return -1;
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
    int paragraphChars = 0;       // of the paragraph being read, in the piece being made
    bool plainParagraph = false;  // every line of the paragraph being read is plainText()
    OpenSpans spans;              // in the paragraph being read, up to the last line read
    QString fence, info;
    bool inCode = false;
    const auto flushProse = [&] {
        const QString text = prose.join(QLatin1Char('\n'));
        if (!text.trimmed().isEmpty()) out.push_back({false, text, {}});
        prose.clear();
        proseChars = paragraphChars = 0;
    };
    for (const QString& line : lines) {
        if (!inCode) {
            if (fenceOpen(line, &fence, &info)) {
                flushProse();
                inCode = true;
                code.clear();
            } else {
                const bool paragraphStart = prose.isEmpty() || prose.last().trimmed().isEmpty();
                if (paragraphStart) {
                    plainParagraph = plainText(line);
                    spans = {};
                    paragraphChars = 0;
                } else {
                    plainParagraph = plainParagraph && plainText(line);
                }
                if (proseChars >= kMarkdownProseChunk && paragraphStart && !prose.isEmpty() && startsNewBlock(line))
                    flushProse();
                // A long paragraph of plain text: cut at a line break in it,
                // else between sentences.
                else if (paragraphChars >= kMarkdownProseChunk && !paragraphStart && plainParagraph && spans.none())
                    flushProse();
                QString rest = line;
                int cut = 0;
                while (plainParagraph && paragraphChars + rest.size() > kMarkdownProseChunk &&
                       (cut = sentenceCut(rest, kMarkdownProseChunk - paragraphChars, spans)) > 0) {
                    prose << rest.left(cut).trimmed();
                    flushProse();
                    rest = rest.mid(cut);
                    spans = {};  // none open at the cut
                }
                spans.add(rest);
                prose << rest;
                proseChars += int(rest.size()) + 1;
                paragraphChars += int(rest.size()) + 1;
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
