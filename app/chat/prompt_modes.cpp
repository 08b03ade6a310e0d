#include "prompt_modes.h"

#include <QSettings>
#include <QVariantMap>

namespace waypoint::app {

namespace {
const QString kKey = QStringLiteral("chat/promptModes");  // {checkpoint: {mode, user, assistant}}
const QString kSystemKey = QStringLiteral("chat/systemPrompts");  // {checkpoint: text}
}

QString promptModeName(PromptMode mode) {
    switch (mode) {
    case PromptMode::Template: return QStringLiteral("template");
    case PromptMode::Completion: return QStringLiteral("completion");
    case PromptMode::Transcript: return QStringLiteral("transcript");
    }
    return QStringLiteral("template");
}

PromptMode promptModeFromName(const QString& name) {
    if (name == QLatin1String("completion")) return PromptMode::Completion;
    if (name == QLatin1String("transcript")) return PromptMode::Transcript;
    return PromptMode::Template;
}

PromptModeChoice PromptModes::forCheckpoint(const QString& checkpoint) {
    PromptModeChoice c;
    const QVariantMap m = QSettings().value(kKey).toMap().value(checkpoint).toMap();
    if (m.isEmpty()) return c;
    c.remembered = true;
    c.mode = promptModeFromName(m.value(QStringLiteral("mode")).toString());
    const QString user = m.value(QStringLiteral("user")).toString();
    const QString assistant = m.value(QStringLiteral("assistant")).toString();
    if (!user.isEmpty()) c.userLabel = user;
    if (!assistant.isEmpty()) c.assistantLabel = assistant;
    return c;
}

void PromptModes::remember(const QString& checkpoint, const PromptModeChoice& choice) {
    if (checkpoint.isEmpty()) return;
    QSettings s;
    QVariantMap all = s.value(kKey).toMap();
    all.insert(checkpoint, QVariantMap{{QStringLiteral("mode"), promptModeName(choice.mode)},
                                       {QStringLiteral("user"), choice.userLabel},
                                       {QStringLiteral("assistant"), choice.assistantLabel}});
    s.setValue(kKey, all);
}

QString SystemPrompts::forCheckpoint(const QString& checkpoint) {
    if (checkpoint.isEmpty()) return {};
    return QSettings().value(kSystemKey).toMap().value(checkpoint).toString();
}

void SystemPrompts::remember(const QString& checkpoint, const QString& text) {
    if (checkpoint.isEmpty()) return;
    QSettings s;
    QVariantMap all = s.value(kSystemKey).toMap();
    if (all.contains(checkpoint) && all.value(checkpoint).toString() == text) return;  // no write per message
    if (text.isEmpty() && !all.contains(checkpoint)) return;
    all.insert(checkpoint, text);
    s.setValue(kSystemKey, all);
}

}  // namespace waypoint::app
