// The prompt mode chosen for a checkpoint (chat template, completion,
// transcript with its labels) and the system prompt last used, remembered in
// QSettings per checkpoint path so the next load of (or new chat with) that
// checkpoint uses them again.
#pragma once

#include <QString>

#include "backend/inference_backend.h"

namespace waypoint::app {

struct PromptModeChoice {
    PromptMode mode = PromptMode::Template;
    QString userLabel = QStringLiteral("User");
    QString assistantLabel = QStringLiteral("Assistant");
    bool remembered = false;  // false: nothing chosen for this checkpoint yet
};

struct PromptModes {
    static PromptModeChoice forCheckpoint(const QString& checkpoint);
    static void remember(const QString& checkpoint, const PromptModeChoice& choice);
};

// The system prompt last used with a checkpoint (QSettings, per checkpoint
// path): a new chat with that checkpoint starts with it.
struct SystemPrompts {
    static QString forCheckpoint(const QString& checkpoint);  // "" when none was used
    static void remember(const QString& checkpoint, const QString& text);
};

// "template" | "completion" | "transcript", and back ("" or unknown: Template).
QString promptModeName(PromptMode mode);
PromptMode promptModeFromName(const QString& name);

}  // namespace waypoint::app
