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
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.sampling.temperature)) return;
    v_.sampling.temperature = float(v);
    write("temperature", v);
}
void SamplingSettings::setTopK(int v) {
    v = std::clamp(v, 0, 1000);
    if (v == v_.sampling.top_k) return;
    v_.sampling.top_k = v;
    write("topK", v);
}
void SamplingSettings::setTopP(double v) {
    v = std::clamp(v, 0.0, 1.0);
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.sampling.top_p)) return;
    v_.sampling.top_p = float(v);
    write("topP", v);
}
void SamplingSettings::setMinP(double v) {
    v = std::clamp(v, 0.0, 1.0);
    if (qFuzzyCompare(1.0 + v, 1.0 + v_.sampling.min_p)) return;
    v_.sampling.min_p = float(v);
    write("minP", v);
}
void SamplingSettings::setRepeatPenalty(double v) {
    v = std::clamp(v, 1.0, 2.0);
    if (qFuzzyCompare(v, double(v_.sampling.repeat_penalty))) return;
    v_.sampling.repeat_penalty = float(v);
    write("repeatPenalty", v);
}
void SamplingSettings::setMaxNewTokens(int v) {
    v = std::clamp(v, 1, 8192);
    if (v == v_.max_new_tokens) return;
    v_.max_new_tokens = v;
    write("maxNewTokens", v);
}
void SamplingSettings::setRandomSeed(bool v) {
    if (v == randomSeed_) return;
    randomSeed_ = v;
    write("randomSeed", v);
}
void SamplingSettings::setStopAtEos(bool v) {
    if (v == v_.stop_at_eos) return;
    v_.stop_at_eos = v;
    write("stopAtEos", v);
}
void SamplingSettings::setSeedText(const QString& text) {
    bool ok = false;
    const quint64 v = text.trimmed().toULongLong(&ok);
    if (!ok || v == v_.sampling.seed) return;
    v_.sampling.seed = v;
    write("seed", QString::number(v));
}

waypoint::GenerateOptions SamplingSettings::parseDefaults(const QString& json) {
    waypoint::GenerateOptions d;
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    if (o.contains(QLatin1String("temperature"))) d.sampling.temperature = float(o.value(QLatin1String("temperature")).toDouble());
    if (o.contains(QLatin1String("top_k"))) d.sampling.top_k = o.value(QLatin1String("top_k")).toInt();
    if (o.contains(QLatin1String("top_p"))) d.sampling.top_p = float(o.value(QLatin1String("top_p")).toDouble());
    if (o.contains(QLatin1String("min_p"))) d.sampling.min_p = float(o.value(QLatin1String("min_p")).toDouble());
    if (o.contains(QLatin1String("repetition_penalty")))
        d.sampling.repeat_penalty = float(o.value(QLatin1String("repetition_penalty")).toDouble());
    if (o.contains(QLatin1String("max_new_tokens"))) d.max_new_tokens = o.value(QLatin1String("max_new_tokens")).toInt();
    // Hugging Face: do_sample false means greedy whatever the temperature says.
    if (o.contains(QLatin1String("do_sample")) && !o.value(QLatin1String("do_sample")).toBool()) d.sampling.temperature = 0.0f;
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
    base_ = defaults_.isEmpty() ? waypoint::GenerateOptions{} : parseDefaults(defaults_);
    QSettings& s = store();
    s.beginGroup(fullGroup());
    v_.sampling.temperature = s.value(QStringLiteral("temperature"), base_.sampling.temperature).toFloat();
    v_.sampling.top_k = s.value(QStringLiteral("topK"), base_.sampling.top_k).toInt();
    v_.sampling.top_p = s.value(QStringLiteral("topP"), base_.sampling.top_p).toFloat();
    v_.sampling.min_p = s.value(QStringLiteral("minP"), base_.sampling.min_p).toFloat();
    v_.sampling.repeat_penalty = s.value(QStringLiteral("repeatPenalty"), base_.sampling.repeat_penalty).toFloat();
    v_.max_new_tokens = s.value(QStringLiteral("maxNewTokens"), base_.max_new_tokens).toInt();
    v_.sampling.seed = s.value(QStringLiteral("seed"), QStringLiteral("42")).toString().toULongLong();
    randomSeed_ = s.value(QStringLiteral("randomSeed"), true).toBool();
    v_.stop_at_eos = s.value(QStringLiteral("stopAtEos"), true).toBool();
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

waypoint::GenerateOptions SamplingSettings::next() {
    waypoint::GenerateOptions out = v_;
    if (hasSeedOnce_) out.sampling.seed = seedOnce_;
    else if (randomSeed_) out.sampling.seed = QRandomGenerator::global()->generate64();
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
