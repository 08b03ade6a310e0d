#include "sampling_settings.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSettings>
#include <algorithm>

namespace waypoint::app {

SamplingSettings::SamplingSettings(QObject* parent) : QObject(parent) { loadGroup(); }

QSettings& SamplingSettings::store() const {
    // One QSettings per object, made on first use (after main() named the
    // application): its writes are flushed by the event loop, together,
    // instead of one file sync on the GUI thread per slider step.
    if (!settings_) settings_ = std::make_unique<QSettings>();
    return *settings_;
}

void SamplingSettings::write(const char* key, const QVariant& value) {
    store().setValue(fullGroup() + QLatin1Char('/') + QLatin1String(key), value);
    Q_EMIT changed();
}

void SamplingSettings::setTemperature(double v) {
    v = std::clamp(v, 0.0, 2.0);
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.temperature)) return;
    v_.temperature = float(v);
    write("temperature", v);
}
void SamplingSettings::setTopK(int v) {
    v = std::clamp(v, 0, 1000);
    if (v == v_.topK) return;
    v_.topK = v;
    write("topK", v);
}
void SamplingSettings::setTopP(double v) {
    v = std::clamp(v, 0.0, 1.0);
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.topP)) return;
    v_.topP = float(v);
    write("topP", v);
}
void SamplingSettings::setMinP(double v) {
    v = std::clamp(v, 0.0, 1.0);
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.minP)) return;
    v_.minP = float(v);
    write("minP", v);
}
void SamplingSettings::setRepeatPenalty(double v) {
    v = std::clamp(v, 1.0, 2.0);
    if (qFuzzyCompare(v, double(v_.repeatPenalty))) return;
    v_.repeatPenalty = float(v);
    write("repeatPenalty", v);
}
void SamplingSettings::setMaxNewTokens(int v) {
    v = std::clamp(v, 1, 8192);
    if (v == v_.maxNewTokens) return;
    v_.maxNewTokens = v;
    write("maxNewTokens", v);
}
void SamplingSettings::setRandomSeed(bool v) {
    if (v == randomSeed_) return;
    randomSeed_ = v;
    write("randomSeed", v);
}
void SamplingSettings::setStopAtEos(bool v) {
    if (v == v_.stopAtEos) return;
    v_.stopAtEos = v;
    write("stopAtEos", v);
}
void SamplingSettings::setSeedText(const QString& text) {
    bool ok = false;
    const quint64 v = text.trimmed().toULongLong(&ok);
    if (!ok || v == v_.seed) return;
    v_.seed = v;
    write("seed", QString::number(v));
}

SamplingValues SamplingSettings::parseDefaults(const QString& json) {
    SamplingValues d;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    if (o.contains(QLatin1String("temperature"))) d.temperature = float(o.value(QLatin1String("temperature")).toDouble());
    if (o.contains(QLatin1String("top_k"))) d.topK = o.value(QLatin1String("top_k")).toInt();
    if (o.contains(QLatin1String("top_p"))) d.topP = float(o.value(QLatin1String("top_p")).toDouble());
    if (o.contains(QLatin1String("min_p"))) d.minP = float(o.value(QLatin1String("min_p")).toDouble());
    if (o.contains(QLatin1String("repetition_penalty")))
        d.repeatPenalty = float(o.value(QLatin1String("repetition_penalty")).toDouble());
    if (o.contains(QLatin1String("max_new_tokens"))) d.maxNewTokens = o.value(QLatin1String("max_new_tokens")).toInt();
    // Hugging Face: do_sample false means greedy whatever the temperature says.
    if (o.contains(QLatin1String("do_sample")) && !o.value(QLatin1String("do_sample")).toBool()) d.temperature = 0.0f;
    return d;
}

void SamplingSettings::useCheckpoint(const QString& path, const QString& defaultsJson) {
    const QString trimmed = defaultsJson.trimmed();
    QString group = QStringLiteral("sampling/default");
    if (!trimmed.isEmpty()) {
        const QByteArray key = QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
        group = QStringLiteral("sampling/checkpoint-") + QString::fromLatin1(key);
    }
    defaults_ = trimmed;
    group_ = group;
    loadGroup();
    Q_EMIT groupChanged();
    Q_EMIT changed();
}

void SamplingSettings::loadGroup() {
    base_ = defaults_.isEmpty() ? SamplingValues{} : parseDefaults(defaults_);
    QSettings& s = store();
    s.beginGroup(fullGroup());
    v_.temperature = s.value(QStringLiteral("temperature"), base_.temperature).toFloat();
    v_.topK = s.value(QStringLiteral("topK"), base_.topK).toInt();
    v_.topP = s.value(QStringLiteral("topP"), base_.topP).toFloat();
    v_.minP = s.value(QStringLiteral("minP"), base_.minP).toFloat();
    v_.repeatPenalty = s.value(QStringLiteral("repeatPenalty"), base_.repeatPenalty).toFloat();
    v_.maxNewTokens = s.value(QStringLiteral("maxNewTokens"), base_.maxNewTokens).toInt();
    v_.seed = s.value(QStringLiteral("seed"), QStringLiteral("42")).toString().toULongLong();
    randomSeed_ = s.value(QStringLiteral("randomSeed"), true).toBool();
    v_.stopAtEos = s.value(QStringLiteral("stopAtEos"), true).toBool();
    s.endGroup();
}

void SamplingSettings::resetToDefaults() {
    store().remove(fullGroup());
    loadGroup();
    Q_EMIT changed();
}

QVariant SamplingSettings::stored(const QString& key) const {
    return store().value(fullGroup() + QLatin1Char('/') + key);
}

SamplingValues SamplingSettings::next() {
    SamplingValues out = v_;
    if (hasSeedOnce_) out.seed = seedOnce_;
    else if (randomSeed_) out.seed = QRandomGenerator::global()->generate64();
    hasSeedOnce_ = false;
    lastIssued_ = out;
    return out;
}

void SamplingSettings::setScope(const QString& scope) {
    if (scope == scope_) return;
    scope_ = scope;
    loadGroup();
    Q_EMIT groupChanged();
    Q_EMIT changed();
}

void SamplingSettings::copyFrom(const SamplingSettings& o) {
    setTemperature(o.temperature());
    setTopK(o.topK());
    setTopP(o.topP());
    setMinP(o.minP());
    setRepeatPenalty(o.repeatPenalty());
    setMaxNewTokens(o.maxNewTokens());
    setStopAtEos(o.stopAtEos());
    setRandomSeed(o.randomSeed());
    setSeedText(o.seedText());
}

}  // namespace waypoint::app
