#include "checkpoint_sniffer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtEndian>

namespace waypoint::app {

std::optional<SniffedCheckpoint> sniffFolder(const QString& path) {
    const QDir dir(path);
    const QString name = QFileInfo(path).fileName();
    if (dir.exists(QStringLiteral("config.json"))) {
        const QStringList shards = dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files);
        if (!shards.isEmpty()) {
            qint64 bytes = 0;
            for (const QString& s : shards) bytes += QFileInfo(dir.filePath(s)).size();
            return SniffedCheckpoint{path, name, QStringLiteral("Hugging Face folder"), bytes};
        }
    }
    const QStringList models = dir.entryList({QStringLiteral("model_*.pt")}, QDir::Files, QDir::Name);
    if (!models.isEmpty() && !dir.entryList({QStringLiteral("meta_*.json")}, QDir::Files).isEmpty()) {
        // nanochat keeps one model_<step>.pt per step; the engine loads the latest.
        return SniffedCheckpoint{path, name, QStringLiteral("nanochat step folder"),
                                 QFileInfo(dir.filePath(models.last())).size()};
    }
    return std::nullopt;
}

std::optional<SniffedCheckpoint> sniffFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return std::nullopt;
    const QByteArray head = f.read(28);
    const QFileInfo info(path);
    SniffedCheckpoint c{path, info.completeBaseName(), QString(), info.size()};
    if (head.startsWith("GGUF")) {
        c.format = QStringLiteral("GGUF");
        return c;
    }
    if (head.startsWith("PK\x03\x04") &&
        (path.endsWith(QLatin1String(".pt")) || path.endsWith(QLatin1String(".pth")) ||
         path.endsWith(QLatin1String(".ckpt")) || path.endsWith(QLatin1String(".bin")))) {
        c.format = QStringLiteral("PyTorch checkpoint");
        return c;
    }
    if (head.size() == 28 && path.endsWith(QLatin1String(".bin"))) {
        // llama2.c: 7 int32 (dim, hidden, layers, heads, kv_heads, vocab, seq_len);
        // a negative vocab marks an untied classifier. A tokenizer.bin fails these checks.
        qint32 h[7];
        for (int i = 0; i < 7; ++i) h[i] = qFromLittleEndian<qint32>(head.constData() + 4 * i);
        const bool plausible = h[0] > 0 && h[0] <= 65536 && h[1] > 0 && h[1] <= 262144 && h[2] > 0 &&
                               h[2] <= 1024 && h[3] > 0 && h[3] <= 1024 && h[4] > 0 && h[4] <= h[3] &&
                               h[5] != 0 && qAbs(h[5]) <= 1 << 20 && h[6] > 0 && h[6] <= 1 << 20 &&
                               h[0] % h[3] == 0;
        if (plausible) {
            c.format = QStringLiteral("llama2.c .bin");
            return c;
        }
    }
    return std::nullopt;
}

std::optional<SniffedCheckpoint> sniffFolderContents(const QString& path) {
    std::optional<SniffedCheckpoint> best;
    for (const QFileInfo& f : QDir(path).entryInfoList(QDir::Files, QDir::Name)) {
        const auto c = sniffFile(f.filePath());
        if (c && (!best || c->bytes > best->bytes)) best = c;
    }
    if (!best) return std::nullopt;
    return SniffedCheckpoint{path, QFileInfo(path).fileName(), best->format, best->bytes};
}

QString displayName(const SniffedCheckpoint& c) {
    static const QStringList generic{QStringLiteral("ckpt"), QStringLiteral("model"), QStringLiteral("checkpoint"),
                                     QStringLiteral("pytorch_model"), QStringLiteral("weights"), QStringLiteral("state_dict"),
                                     QStringLiteral("final"), QStringLiteral("latest"), QStringLiteral("best"),
                                     QStringLiteral("last"), QStringLiteral("out")};
    const QFileInfo info(c.path);
    if (info.isDir() || !generic.contains(c.name, Qt::CaseInsensitive)) return c.name;
    const QString folder = info.dir().dirName();
    return folder.isEmpty() || folder == QLatin1String(".") ? c.name : folder;
}

}  // namespace waypoint::app
