#include "tokenizer_choices.h"

#include <QFileInfo>
#include <QSettings>
#include <QVariantMap>

namespace waypoint::app {
namespace {
const QString kKey = QStringLiteral("checkpoints/tokenizers");  // {checkpoint path: tokenizer path}
}

QString TokenizerChoices::forCheckpoint(const QString& checkpoint) {
    const QString t = QSettings().value(kKey).toMap().value(checkpoint).toString();
    return !t.isEmpty() && QFileInfo::exists(t) ? t : QString();
}

void TokenizerChoices::remember(const QString& checkpoint, const QString& tokenizer) {
    QSettings s;
    QVariantMap m = s.value(kKey).toMap();
    if (m.value(checkpoint).toString() == tokenizer) return;
    m.insert(checkpoint, tokenizer);
    s.setValue(kKey, m);
}

void TokenizerChoices::forget(const QString& checkpoint) {
    QSettings s;
    QVariantMap m = s.value(kKey).toMap();
    if (m.remove(checkpoint) > 0) s.setValue(kKey, m);
}

bool isMissingTokenizer(const QString& loadError) { return loadError.contains(QLatin1String("--tokenizer")); }

QString forTheWindow(const QString& loadError) {
    QString m = loadError;
    m.replace(QLatin1String("pass --tokenizer PATH"), QStringLiteral("choose one with “Choose tokenizer…”"));
    m.replace(QLatin1String("--tokenizer PATH"), QStringLiteral("“Choose tokenizer…”"));
    m.replace(QLatin1String("--tokenizer"), QStringLiteral("“Choose tokenizer…”"));
    return m;
}

}  // namespace waypoint::app
