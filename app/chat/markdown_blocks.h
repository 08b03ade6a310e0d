// Splits an answer's Markdown into prose and fenced code blocks, so the view
// renders prose with Qt's Markdown support (Text.MarkdownText) and each code
// block in a box of its own with a Copy button. An unclosed fence (an answer
// still streaming, or cut off) runs to the end of the text.
//
// Long prose is cut at paragraph breaks into pieces of about
// kMarkdownProseChunk characters (a long paragraph of plain text at a line
// break in it, else between sentences): the view lays out each piece as one item,
// and one item is work the GUI thread cannot interrupt (about 7 ms per 1000
// characters of Markdown on our 2-core machine), so a long answer turning into
// Markdown when it ends is made in several steps instead of one long stall.
#pragma once

#include <QString>
#include <QVariantList>
#include <QVector>

namespace waypoint::app {

struct MarkdownBlock {
    bool code = false;
    QString text;      // prose: Markdown; code: the code itself, without the fences
    QString language;  // code: the fence's info word ("python"), else ""
};

// A prose piece ends at the first paragraph break after this many characters
// where the next paragraph starts a new block (not indented, not a list item);
// a paragraph of plain text longer than this, at the first line break or
// sentence end after this many of its characters (shown as a paragraph break).
constexpr int kMarkdownProseChunk = 600;

QVector<MarkdownBlock> splitMarkdownBlocks(const QString& markdown);
// The same for QML: [{code: bool, text, language}, ...].
QVariantList markdownBlocksForQml(const QString& markdown);

}  // namespace waypoint::app
