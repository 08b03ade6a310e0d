// What the picker shows of a checkpoint, as the engine's probe_checkpoint()
// (waypoint/probe.h) finds it without loading weights: format, model name,
// size, training step and validation loss, whether its tokenizer is found
// and, when it would not load, why. The app recognises no format itself.
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>
#include <cmath>
#include <limits>
#include <optional>

namespace waypoint::app {

struct CheckpointInfo {
    QString path;       // the file or folder as listed
    QString name;       // its file stem or folder name (what runs are grouped by)
    QString modelName;  // the engine's name for the model (a generic ckpt.pt: its folder's name)
    QString format;     // the engine's format name; kUnrecognised for a path no reader takes
    qint64 bytes = 0;   // size on disk of the weights
    qint64 step = -1;   // training step where the checkpoint records it; -1: not recorded
    double valLoss = std::numeric_limits<double>::quiet_NaN();  // NaN: not recorded
    bool tokenizerFound = false;
    QString problem;    // "" when it reads; else what Model::load would say

    bool hasStep() const { return step >= 0; }
    bool hasValLoss() const { return !std::isnan(valLoss); }
    bool operator==(const CheckpointInfo& o) const;
};

inline const QString kUnrecognised = QStringLiteral("unrecognised");

// The engine's probe of `path`; nullopt when it is no checkpoint (or a
// folder that only holds one). Safe on any thread; reads headers only.
std::optional<CheckpointInfo> probeCheckpoint(const QString& path);

// A path the user opened (a Recent row): the probe; else, for a folder that
// holds exactly one checkpoint file (a nanoGPT out/ with ckpt.pt and a
// tokenizer, which the engine loads from the folder), that file's facts
// under the folder's path and name; else, when it exists, an unrecognised row.
std::optional<CheckpointInfo> probeOpened(const QString& path);

}  // namespace waypoint::app

Q_DECLARE_METATYPE(waypoint::app::CheckpointInfo)
