// Recognises checkpoints by content (magic bytes, folder layout), cheaply,
// for the picker's list. The engine decides for real when it loads.
#pragma once

#include <QString>
#include <optional>

namespace waypoint::app {

struct SniffedCheckpoint {
    QString path;    // the file, or the folder for folder formats
    QString name;    // file stem or folder name
    QString format;  // "llama2.c .bin", "Hugging Face folder", "GGUF", "PyTorch .pt", "nanochat step folder"
    qint64 bytes = 0;
};

// A folder that is itself a checkpoint (HF folder, nanochat step folder).
std::optional<SniffedCheckpoint> sniffFolder(const QString& dir);
// A single-file checkpoint.
std::optional<SniffedCheckpoint> sniffFile(const QString& file);

}  // namespace waypoint::app
