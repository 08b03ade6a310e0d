// The prompt mode chosen for a checkpoint (chat template, completion,
// transcript with its labels), remembered in QSettings per checkpoint path so
// the next load of that checkpoint uses it again.
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

// "template" | "completion" | "transcript", and back ("" or unknown: Template).
QString promptModeName(PromptMode mode);
PromptMode promptModeFromName(const QString& name);

}  // namespace waypoint::app
