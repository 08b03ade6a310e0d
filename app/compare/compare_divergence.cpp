#include "compare_divergence.h"

#include <algorithm>

#include "waypoint/compare.h"

namespace waypoint::app {

Divergence findDivergence(const std::vector<int>& idsA, const QString& answerA,
                          const std::vector<int>& idsB, const QVector<int>& startsB, const QString& answerB) {
    Divergence d;
    if (!idsA.empty() && !idsB.empty()) {
        d.byTokens = true;
        d.index = waypoint::first_divergence(idsA, idsB);
        if (d.index < 0) return d;
        if (startsB.size() == int(idsB.size())) {
            d.offset = d.index < startsB.size() ? std::min(startsB[d.index], int(answerB.size())) : int(answerB.size());
            return d;
        }
        // No token positions: fall through to the text for the offset only.
    }
    const int n = int(std::min(answerA.size(), answerB.size()));
    int i = 0;
    while (i < n && answerA[i] == answerB[i]) ++i;
    const bool same = answerA.size() == answerB.size() && i == n;
    if (!d.byTokens) d.index = same ? -1 : i;
    d.offset = d.index < 0 ? -1 : (same ? int(answerB.size()) : i);
    return d;
}

QString divergenceLabel(const Divergence& d, int referencePane) {
    if (d.index < 0) return QStringLiteral("same as pane %1").arg(referencePane);
    // People count from 1: "at token 1" is the first generated token.
    return d.byTokens ? QStringLiteral("differs from pane %1 at token %2").arg(referencePane).arg(d.index + 1)
                      : QStringLiteral("differs from pane %1 at character %2").arg(referencePane).arg(d.index + 1);
}

}  // namespace waypoint::app
