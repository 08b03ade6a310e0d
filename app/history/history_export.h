// A saved chat as a file a person can keep or share: Markdown to read, JSON to
// process (its "messages" are OpenAI-style {role, content} objects, plus what
// Waypoint knows of each: checkpoint, stats, finish reason). The branch on
// show is exported, not the alternatives.
#pragma once

#include <QByteArray>
#include <QString>
#include <QVector>

#include "history_types.h"

namespace waypoint::history {

QString chatToMarkdown(const ChatRecord& chat, const QVector<MessageRecord>& messages);
QByteArray chatToJson(const ChatRecord& chat, const QVector<MessageRecord>& messages);
// "markdown" for .md / .markdown (and anything unknown), "json" for .json.
QString exportFormatFor(const QString& fileName);

}  // namespace waypoint::history
