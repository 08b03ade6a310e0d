// waypoint::ModelCard as QML reads it: a value type (Q_GADGET) over the
// engine's own struct, no copy into string-keyed maps. Property names are the
// QML spelling of the struct's fields; trainingStep and validationLoss are
// undefined in QML where the checkpoint does not record them.
#pragma once

#include <QString>
#include <QVariant>
#include <QtQml/qqmlregistration.h>

#include "backend/metatypes.h"

namespace waypoint::app {

class ModelCardValue {
    Q_GADGET
    QML_VALUE_TYPE(modelCard)
    Q_PROPERTY(QString name READ name CONSTANT)
    Q_PROPERTY(QString path READ path CONSTANT)
    Q_PROPERTY(QString architecture READ architecture CONSTANT)
    Q_PROPERTY(QString format READ format CONSTANT)
    Q_PROPERTY(QString dtype READ dtype CONSTANT)
    Q_PROPERTY(QString device READ device CONSTANT)
    Q_PROPERTY(QString tokenizer READ tokenizer CONSTANT)
    Q_PROPERTY(qint64 parameters READ parameters CONSTANT)
    Q_PROPERTY(int layers READ layers CONSTANT)
    Q_PROPERTY(int heads READ heads CONSTANT)
    Q_PROPERTY(int kvHeads READ kvHeads CONSTANT)
    Q_PROPERTY(int width READ width CONSTANT)
    Q_PROPERTY(int hidden READ hidden CONSTANT)
    Q_PROPERTY(int vocabulary READ vocabulary CONSTANT)
    Q_PROPERTY(int context READ context CONSTANT)
    Q_PROPERTY(bool tiedEmbeddings READ tiedEmbeddings CONSTANT)
    Q_PROPERTY(qint64 fileBytes READ fileBytes CONSTANT)
    Q_PROPERTY(QVariant trainingStep READ trainingStep CONSTANT)
    Q_PROPERTY(QVariant validationLoss READ validationLoss CONSTANT)
public:
    ModelCardValue() = default;
    explicit ModelCardValue(waypoint::ModelCard card) : c_(std::move(card)) {}

    const waypoint::ModelCard& card() const { return c_; }

    QString name() const { return QString::fromStdString(c_.name); }
    QString path() const { return QString::fromStdString(c_.path); }
    QString architecture() const { return QString::fromStdString(c_.architecture); }
    QString format() const { return QString::fromStdString(c_.format); }
    QString dtype() const { return QString::fromStdString(c_.dtype); }
    QString device() const { return QString::fromStdString(c_.device); }
    QString tokenizer() const { return QString::fromStdString(c_.tokenizer); }
    qint64 parameters() const { return c_.parameters; }
    int layers() const { return c_.layers; }
    int heads() const { return c_.heads; }
    int kvHeads() const { return c_.kv_heads; }
    int width() const { return c_.width; }
    int hidden() const { return c_.hidden; }
    int vocabulary() const { return c_.vocabulary; }
    int context() const { return c_.context; }
    bool tiedEmbeddings() const { return c_.tied_embeddings; }
    qint64 fileBytes() const { return c_.file_bytes; }
    QVariant trainingStep() const { return c_.training_step ? QVariant(qint64(*c_.training_step)) : QVariant(); }
    QVariant validationLoss() const { return c_.validation_loss ? QVariant(*c_.validation_loss) : QVariant(); }

private:
    waypoint::ModelCard c_;
};

}  // namespace waypoint::app
