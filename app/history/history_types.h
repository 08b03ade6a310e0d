// Value types of the saved chat history. They cross from the history thread
// to the GUI thread in queued calls, so they are plain copyable values.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVariantMap>
#include <QVector>

namespace waypoint::history {

// Ids are made on the GUI thread (HistoryIds) before the row is written, so a
// new chat or message can be shown and referred to at once. They grow with time
// (milliseconds << 10 | a counter), so sorting by id is creation order, and stay
// below 2^53 so QML's numbers hold them exactly.
using Id = qint64;

struct ChatRecord {
    Id id = 0;
    QString title;
    QString checkpoint;     // the checkpoint the chat last used (path)
    QString systemPrompt;
    QVariantMap sampling;   // stored as JSON
    qint64 createdMs = 0;   // ms since the epoch, UTC
    qint64 lastUsedMs = 0;
    Id currentLeaf = 0;     // the last message of the branch on show; 0: none
};

struct MessageRecord {
    Id id = 0;
    Id chatId = 0;
    Id parentId = 0;        // 0: the first message of the chat
    QString role;           // "user" | "assistant" (free text; the store does not judge)
    QString text;
    QString checkpoint;     // the checkpoint that wrote it (assistant messages)
    QVariantMap stats;      // stored as JSON
    QString finishReason;   // "" while it streams or when cut off by a crash
    qint64 createdMs = 0;
    bool complete = true;   // false: an answer still streaming (or cut off)
    // Filled when a conversation is read: this message is alternative
    // `alternative` (0-based) of `alternatives` siblings with the same parent.
    int alternative = 0;
    int alternatives = 1;
};

}  // namespace waypoint::history

Q_DECLARE_METATYPE(waypoint::history::ChatRecord)
Q_DECLARE_METATYPE(waypoint::history::MessageRecord)
