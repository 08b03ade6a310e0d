// One generated token as QML reads it (the probability popup): a value type
// (Q_GADGET) over the engine's waypoint::TokenEvent plus where its text sits
// in the message, no copy into string-keyed maps. `valid` is false for a
// default-constructed value (a bad row or index).
#pragma once

#include <QString>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include "backend/metatypes.h"

namespace waypoint::app {

// One of the sampler's top alternatives for a token (TokenEvent::top[i]).
class TokenAlternativeValue {
    Q_GADGET
    QML_VALUE_TYPE(tokenAlternative)
    Q_PROPERTY(int id MEMBER id CONSTANT)
    Q_PROPERTY(QString text MEMBER text CONSTANT)  // readable piece ("<0xE2>" for a partial byte)
    Q_PROPERTY(double probability MEMBER probability CONSTANT)
    Q_PROPERTY(bool chosen MEMBER chosen CONSTANT)  // the token the sampler drew
public:
    int id = -1;
    QString text;
    double probability = 0;
    bool chosen = false;
};

class TokenValue {
    Q_GADGET
    QML_VALUE_TYPE(tokenInfo)
    Q_PROPERTY(bool valid READ valid CONSTANT)
    Q_PROPERTY(int index READ index CONSTANT)  // in the message, from 0
    Q_PROPERTY(int id READ id CONSTANT)
    Q_PROPERTY(QString text READ text CONSTANT)  // the token's readable piece
    Q_PROPERTY(double probability READ probability CONSTANT)
    Q_PROPERTY(int start READ start CONSTANT)    // first UTF-16 index of the text it added
    Q_PROPERTY(int length READ length CONSTANT)  // may be 0 (a byte of a character finished later)
    // TokenAlternativeValue values, most likely first.
    Q_PROPERTY(QVariantList alternatives READ alternatives CONSTANT)
public:
    TokenValue() = default;
    TokenValue(int index, int start, int length, waypoint::TokenEvent event)
        : valid_(true), index_(index), start_(start), length_(length), e_(std::move(event)) {}

    const waypoint::TokenEvent& event() const { return e_; }
    bool valid() const { return valid_; }
    int index() const { return index_; }
    int id() const { return valid_ ? e_.id : -1; }
    QString text() const { return QString::fromStdString(e_.piece); }
    double probability() const { return double(e_.probability); }
    int start() const { return start_; }
    int length() const { return length_; }
    QList<TokenAlternativeValue> alternativeList() const {
        QList<TokenAlternativeValue> out;
        for (size_t k = 0; k < e_.top.size(); ++k)
            out.append({e_.top[k].id, k < e_.top_pieces.size() ? QString::fromStdString(e_.top_pieces[k]) : QString(),
                        double(e_.top[k].p), e_.top[k].id == e_.id});
        return out;
    }
    QVariantList alternatives() const {
        QVariantList out;
        for (const TokenAlternativeValue& a : alternativeList()) out.append(QVariant::fromValue(a));
        return out;
    }

private:
    bool valid_ = false;
    int index_ = -1, start_ = 0, length_ = 0;
    waypoint::TokenEvent e_;
};

}  // namespace waypoint::app
