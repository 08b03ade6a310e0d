#include "checkpoint_steps.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtEndian>

namespace waypoint::app {

namespace {
// Metadata files are small; anything bigger is not what we are looking for,
// and the picker must stay quick on a folder full of large checkpoints.
constexpr qint64 kMaxJsonBytes = 4 << 20;
constexpr quint64 kMaxSafetensorsHeader = 16u << 20;

QJsonObject readJsonObject(const QString& path) {
    QFile f(path);
    if (f.size() > kMaxJsonBytes || !f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// Numbers come as JSON numbers (meta.json) or strings (safetensors
// __metadata__ holds only strings).
bool toNumber(const QJsonValue& v, double* out) {
    if (v.isDouble()) {
        *out = v.toDouble();
        return true;
    }
    bool ok = false;
    const double d = v.toString().toDouble(&ok);
    if (ok) *out = d;
    return ok;
}

void takeFrom(const QJsonObject& o, StepInfo& info) {
    double d = 0;
    for (const char* k : {"step", "global_step", "iter_num", "iteration"})
        if (!info.hasStep() && toNumber(o.value(QLatin1String(k)), &d) && d >= 0) info.step = qint64(d);
    for (const char* k : {"val_loss", "validation_loss", "eval_loss", "best_val_loss"})
        if (!info.hasValLoss() && toNumber(o.value(QLatin1String(k)), &d)) info.valLoss = d;
}

QJsonObject safetensorsMetadata(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray len = f.read(8);
    if (len.size() != 8) return {};
    const quint64 n = qFromLittleEndian<quint64>(len.constData());
    if (n == 0 || n > kMaxSafetensorsHeader || qint64(n) > f.size() - 8) return {};
    return QJsonDocument::fromJson(f.read(qint64(n))).object().value(QLatin1String("__metadata__")).toObject();
}

// "arith-step000500", "checkpoint-1000", "ckpt_iter_200", "step_002920".
const QRegularExpression& stepName() {
    static const QRegularExpression re(QStringLiteral("^(.*?)[-_. ]*(?:step|iter|ckpt|checkpoint)[-_. ]?(\\d+)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

bool isGenericFolderName(const QString& n) {
    static const QRegularExpression re(QStringLiteral("^(?:\\w+_)?(?:checkpoints?|ckpts?|runs?|out)$"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re.match(n).hasMatch();
}
}  // namespace

StepInfo readStepInfo(const SniffedCheckpoint& c) {
    StepInfo info;
    const QFileInfo fi(c.path);
    if (fi.isDir()) {
        const QDir dir(c.path);
        // nanochat: meta_<step>.json beside model_<step>.pt (the latest is the one loaded).
        const QStringList metas = dir.entryList({QStringLiteral("meta_*.json")}, QDir::Files, QDir::Name);
        if (!metas.isEmpty()) takeFrom(readJsonObject(dir.filePath(metas.last())), info);
        const QStringList shards = dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name);
        if (!shards.isEmpty()) takeFrom(safetensorsMetadata(dir.filePath(shards.first())), info);
        // Hugging Face Trainer: global_step, and the last evaluation's loss.
        if (dir.exists(QStringLiteral("trainer_state.json"))) {
            const QJsonObject state = readJsonObject(dir.filePath(QStringLiteral("trainer_state.json")));
            takeFrom(state, info);
            const QJsonArray log = state.value(QLatin1String("log_history")).toArray();
            for (auto it = log.end(); it != log.begin() && !info.hasValLoss();) takeFrom((--it)->toObject(), info);
        }
    } else if (c.path.endsWith(QLatin1String(".safetensors"))) {
        takeFrom(safetensorsMetadata(c.path), info);
    }
    if (!info.hasStep()) {
        const QRegularExpressionMatch m = stepName().match(c.name);
        if (m.hasMatch()) info.step = m.captured(2).toLongLong();
    }
    return info;
}

RunInfo runOf(const SniffedCheckpoint& c) {
    const QRegularExpressionMatch m = stepName().match(c.name);
    if (!m.hasMatch()) return {};
    const QFileInfo fi(c.path);
    const QDir parent = fi.dir();
    QString parentName = parent.dirName();
    if (isGenericFolderName(parentName)) {
        // .../demo-nanochat/checkpoints/step_000500: the run is "demo-nanochat".
        QDir up = parent;
        if (up.cdUp() && !up.dirName().isEmpty()) parentName = up.dirName();
    }
    RunInfo run;
    const QString prefix = m.captured(1);
    run.key = parent.absolutePath() + QLatin1Char('/') + prefix;
    run.name = prefix.isEmpty() ? parentName : prefix;
    run.stepFolder = fi.isDir() && prefix.isEmpty() && c.name.startsWith(QLatin1String("step"), Qt::CaseInsensitive);
    return run;
}

}  // namespace waypoint::app
