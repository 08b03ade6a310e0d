// A generated token on the Qt side: what the worker sends to the GUI thread
// (queued, by value) and what MessageModel keeps per model message, for the
// probability popup and the colouring (issue 5).
#pragma once

#include <QMetaType>
#include <QString>
#include <QVector>

namespace waypoint::app {

struct GeneratedToken {
    struct Alternative {
        int id = 0;
        QString text;
        float probability = 0.0f;
    };
    int id = -1;             // -1: only held-back text at the end, not a token
    QString delta;           // what this token adds to the message text (may be "")
    QString piece;           // the token's own piece, readable
    float probability = 0.0f;  // of the chosen token, after temperature
    QVector<Alternative> top;  // the sampler's top 5, best first
};

}  // namespace waypoint::app

Q_DECLARE_METATYPE(waypoint::app::GeneratedToken)
