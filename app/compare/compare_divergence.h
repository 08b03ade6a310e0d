// Where two panes' answers part: by generated token ids when the message
// model records them, else by characters of the text. Pure functions (tested
// on constructed cases in tst_compare_controller).
#pragma once

#include <QString>
#include <QVector>
#include <vector>

namespace waypoint::app {

struct Divergence {
    int index = -1;      // first differing token (or character), from 0; -1: identical
    int offset = -1;     // character offset in answer B where it starts; -1: identical
    bool byTokens = false;
};

// A is the reference pane (pane 1), B the other. Token ids win when both are
// given; the offset is then where B's token `index` starts (`startsB`, one
// UTF-16 index per token of B), or B's end when B is the shorter.
Divergence findDivergence(const std::vector<int>& idsA, const QString& answerA,
                          const std::vector<int>& idsB, const QVector<int>& startsB, const QString& answerB);

// "differs from pane 1 at token 3" (counted from 1: token 3 is index 2),
// "same as pane 1", ...
QString divergenceLabel(const Divergence& d, int referencePane);

}  // namespace waypoint::app
