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
// A folder that holds a single-file checkpoint (a nanoGPT out/ folder with
// ckpt.pt and a tokenizer): named after the folder, with the file's format
// and size (the largest such file when there are several).
std::optional<SniffedCheckpoint> sniffFolderContents(const QString& dir);

// What a list shows for a checkpoint: its name, or for a file with a generic
// name (ckpt.pt, model.safetensors, pytorch_model.bin, ...) its folder's name.
QString displayName(const SniffedCheckpoint& c);

}  // namespace waypoint::app
