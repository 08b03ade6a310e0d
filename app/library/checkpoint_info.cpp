#include "checkpoint_info.h"

#include <QDir>
#include <QFileInfo>

#include "waypoint/probe.h"

namespace waypoint::app {

bool CheckpointInfo::operator==(const CheckpointInfo& o) const {
    const auto sameLoss = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    return path == o.path && name == o.name && modelName == o.modelName && format == o.format && bytes == o.bytes &&
           step == o.step && sameLoss(valLoss, o.valLoss) && tokenizerFound == o.tokenizerFound && problem == o.problem;
}

namespace {
QString listedName(const QFileInfo& fi) { return fi.isDir() ? fi.fileName() : fi.completeBaseName(); }
}  // namespace

std::optional<CheckpointInfo> probeCheckpoint(const QString& path) {
    const std::optional<waypoint::CheckpointProbe> p = waypoint::probe_checkpoint(QFile::encodeName(path).toStdString());
    if (!p) return std::nullopt;
    const waypoint::ModelCard& card = p->card;
    CheckpointInfo c;
    c.path = path;
    c.name = listedName(QFileInfo(path));
    c.modelName = card.name.empty() ? c.name : QString::fromStdString(card.name);
    c.format = QString::fromStdString(card.format);
    c.bytes = card.file_bytes;
    if (card.training_step) c.step = *card.training_step;
    if (card.validation_loss) c.valLoss = *card.validation_loss;
    c.tokenizerFound = p->tokenizer_found;
    c.problem = QString::fromStdString(p->problem);
    return c;
}

std::optional<CheckpointInfo> probeOpened(const QString& path) {
    if (auto c = probeCheckpoint(path)) return c;
    const QFileInfo fi(path);
    if (!fi.exists()) return std::nullopt;
    if (fi.isDir()) {
        // The engine loads a folder's one checkpoint file; several are ambiguous.
        std::optional<CheckpointInfo> found;
        int count = 0;
        for (const QFileInfo& f : QDir(path).entryInfoList(QDir::Files, QDir::Name)) {
            if (auto c = probeCheckpoint(f.filePath())) {
                found = c;
                ++count;
            }
        }
        if (count == 1) {
            found->path = path;
            found->name = fi.fileName();
            return found;
        }
    }
    CheckpointInfo c;
    c.path = path;
    c.name = fi.fileName();
    c.modelName = c.name;
    c.format = kUnrecognised;
    c.bytes = fi.isDir() ? 0 : fi.size();
    return c;
}

}  // namespace waypoint::app
