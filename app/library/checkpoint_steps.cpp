#include "checkpoint_steps.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace waypoint::app {

namespace {
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

qint64 stepInName(const QString& name) {
    const QRegularExpressionMatch m = stepName().match(name);
    return m.hasMatch() ? m.captured(2).toLongLong() : -1;
}

RunInfo runOf(const CheckpointInfo& c) {
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
