// Splits an answer's Markdown into prose and fenced code blocks, so the view
// renders prose with Qt's Markdown support (Text.MarkdownText) and each code
// block in a box of its own with a Copy button. An unclosed fence (an answer
// still streaming, or cut off) runs to the end of the text.
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

QVector<MarkdownBlock> splitMarkdownBlocks(const QString& markdown);
// The same for QML: [{code: bool, text, language}, ...].
QVariantList markdownBlocksForQml(const QString& markdown);

}  // namespace waypoint::app
