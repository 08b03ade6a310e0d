#include "history_export.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace waypoint::history {

namespace {

QString isoTime(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toOffsetFromUtc(0).toString(Qt::ISODate); }

QString checkpointName(const QString& path) {
    const QFileInfo info(path);
    return info.fileName().isEmpty() ? path : info.fileName();
}

QString heading(const MessageRecord& m) {
    if (m.role == QLatin1String("user")) return QStringLiteral("You");
    if (m.role == QLatin1String("system")) return QStringLiteral("System");
    QString h = m.role == QLatin1String("assistant") ? QStringLiteral("Assistant") : m.role;
    if (!m.checkpoint.isEmpty()) h += QStringLiteral(" (%1)").arg(checkpointName(m.checkpoint));
    return h;
}

// A line under an answer: tokens, speed, why it ended.
QString statsLine(const MessageRecord& m) {
    QStringList parts;
    const QVariant tokens = m.stats.value(QStringLiteral("newTokens"));
    if (tokens.isValid()) parts << QStringLiteral("%1 tokens").arg(tokens.toInt());
    const QVariant speed = m.stats.value(QStringLiteral("tokensPerSecond"));
    if (speed.isValid()) parts << QStringLiteral("%1 tokens/s").arg(speed.toDouble(), 0, 'f', 1);
    if (!m.finishReason.isEmpty()) parts << QStringLiteral("finished: %1").arg(m.finishReason);
    if (!m.complete) parts << QStringLiteral("cut off");
    return parts.join(QStringLiteral(" · "));
}

}  // namespace

QString chatToMarkdown(const ChatRecord& chat, const QVector<MessageRecord>& messages) {
    QString out = QStringLiteral("# %1\n\n").arg(chat.title);
    if (!chat.checkpoint.isEmpty()) out += QStringLiteral("- Checkpoint: `%1`\n").arg(chat.checkpoint);
    out += QStringLiteral("- Started: %1\n").arg(isoTime(chat.createdMs));
    out += QStringLiteral("- Exported from Waypoint: %1\n").arg(isoTime(QDateTime::currentMSecsSinceEpoch()));
    if (!chat.systemPrompt.isEmpty()) {
        out += QStringLiteral("\n## System prompt\n\n");
        for (const QString& line : chat.systemPrompt.split(QLatin1Char('\n')))
            out += (line.isEmpty() ? QStringLiteral(">") : QStringLiteral("> ") + line) + QLatin1Char('\n');
    }
    for (const MessageRecord& m : messages) {
        out += QStringLiteral("\n## %1\n\n").arg(heading(m));
        out += m.text;
        if (!m.text.endsWith(QLatin1Char('\n'))) out += QLatin1Char('\n');
        const QString stats = statsLine(m);
        if (!stats.isEmpty()) out += QStringLiteral("\n*%1*\n").arg(stats);
    }
    return out;
}

QByteArray chatToJson(const ChatRecord& chat, const QVector<MessageRecord>& messages) {
    QJsonArray list;
    if (!chat.systemPrompt.isEmpty())
        list.append(QJsonObject{{"role", "system"}, {"content", chat.systemPrompt}});
    for (const MessageRecord& m : messages) {
        QJsonObject o{{"role", m.role}, {"content", m.text}, {"created", isoTime(m.createdMs)}};
        if (!m.checkpoint.isEmpty()) o.insert("checkpoint", m.checkpoint);
        if (!m.stats.isEmpty()) o.insert("stats", QJsonObject::fromVariantMap(m.stats));
        if (!m.finishReason.isEmpty()) o.insert("finish_reason", m.finishReason);
        if (!m.complete) o.insert("complete", false);
        if (m.alternatives > 1) o.insert("alternative", QStringLiteral("%1/%2").arg(m.alternative + 1).arg(m.alternatives));
        list.append(o);
    }
    const QJsonObject root{{"title", chat.title},
                           {"checkpoint", chat.checkpoint},
                           {"system_prompt", chat.systemPrompt},
                           {"sampling", QJsonObject::fromVariantMap(chat.sampling)},
                           {"created", isoTime(chat.createdMs)},
                           {"last_used", isoTime(chat.lastUsedMs)},
                           {"messages", list}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QString exportFormatFor(const QString& fileName) {
    return fileName.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? QStringLiteral("json")
                                                                           : QStringLiteral("markdown");
}

}  // namespace waypoint::history
