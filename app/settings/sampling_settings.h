// The sampling knobs the panel edits. Every change goes to QSettings at once
// (flushed to disk by the event loop); values are kept per checkpoint when the checkpoint brings its own
// defaults (generation_config.json), else in one shared group.
#pragma once

#include <QObject>
#include <QSettings>
#include <QString>
#include <QVariant>
#include <QtQml/qqmlregistration.h>
#include <memory>

#include "backend/metatypes.h"

namespace waypoint::app {

class SamplingSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY changed)
    Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY changed)
    Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY changed)
    Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY changed)
    Q_PROPERTY(double repeatPenalty READ repeatPenalty WRITE setRepeatPenalty NOTIFY changed)
    Q_PROPERTY(int maxNewTokens READ maxNewTokens WRITE setMaxNewTokens NOTIFY changed)
    Q_PROPERTY(bool stopAtEos READ stopAtEos WRITE setStopAtEos NOTIFY changed)
    Q_PROPERTY(bool randomSeed READ randomSeed WRITE setRandomSeed NOTIFY changed)
    Q_PROPERTY(QString seed READ seedText WRITE setSeedText NOTIFY changed)
    Q_PROPERTY(QString group READ group NOTIFY groupChanged)
    Q_PROPERTY(bool checkpointDefaults READ checkpointDefaults NOTIFY groupChanged)
public:
    explicit SamplingSettings(QObject* parent = nullptr);

    double temperature() const { return v_.sampling.temperature; }
    int topK() const { return v_.sampling.top_k; }
    double topP() const { return v_.sampling.top_p; }
    double minP() const { return v_.sampling.min_p; }
    double repeatPenalty() const { return v_.sampling.repeat_penalty; }
    int maxNewTokens() const { return v_.max_new_tokens; }
    bool randomSeed() const { return randomSeed_; }
    bool stopAtEos() const { return v_.stop_at_eos; }
    QString seedText() const { return QString::number(v_.sampling.seed); }
    QString group() const { return group_; }
    bool checkpointDefaults() const { return !defaults_.isEmpty(); }

    void setTemperature(double v);
    void setTopK(int v);
    void setTopP(double v);
    void setMinP(double v);
    void setRepeatPenalty(double v);
    void setMaxNewTokens(int v);
    void setRandomSeed(bool v);
    void setStopAtEos(bool v);
    void setSeedText(const QString& v);

    // Switches to the checkpoint's group when it brings defaults (JSON object
    // text as in generation_config.json), else to the shared group; loads the
    // stored values or, the first time, the defaults.
    void useCheckpoint(const QString& path, const QString& defaultsJson);

    // The options for the next generation (sampling, max new tokens, stop at
    // EOS; the worker adds the stop flag); draws a fresh seed when random,
    // unless setSeedOnce() pinned one (the compare view's "same seed everywhere").
    waypoint::GenerateOptions next();
    // What the last next() returned (the seed actually drawn included).
    waypoint::GenerateOptions lastIssued() const { return lastIssued_; }
    void setSeedOnce(quint64 seed) { seedOnce_ = seed; hasSeedOnce_ = true; }

    // A QSettings prefix for every group ("" = the chat's own): each compare
    // pane keeps its knobs under "compare/pane-N/..." so that it never
    // overwrites the chat's settings. Reloads the values from the new scope.
    void setScope(const QString& scope);
    QString scope() const { return scope_; }
    // Copies another settings object's knobs (linked compare panes); written
    // to this object's own scope.
    void copyFrom(const SamplingSettings& other);

    Q_INVOKABLE void resetToDefaults();
    // What QSettings holds for `key` in the current group (tests, debugging).
    Q_INVOKABLE QVariant stored(const QString& key) const;

Q_SIGNALS:
    void changed();
    void groupChanged();

private:
    QSettings& store() const;
    void write(const char* key, const QVariant& value);
    QString fullGroup() const { return scope_.isEmpty() ? group_ : scope_ + QLatin1Char('/') + group_; }
    void loadGroup();
    static waypoint::GenerateOptions parseDefaults(const QString& json);

    waypoint::GenerateOptions v_;
    waypoint::GenerateOptions base_;  // what resetToDefaults() restores
    bool randomSeed_ = true;
    QString group_ = QStringLiteral("sampling/default");
    QString defaults_;
    QString scope_;
    mutable std::unique_ptr<QSettings> settings_;
    waypoint::GenerateOptions lastIssued_;
    quint64 seedOnce_ = 0;
    bool hasSeedOnce_ = false;
};

}  // namespace waypoint::app
