#include "compare_layout.h"

#include <QSettings>
#include <algorithm>

namespace waypoint::app {

CompareLayout CompareLayout::load() {
    CompareLayout l;
    QSettings s;
    s.beginGroup(QStringLiteral("compare"));
    l.linked = s.value(QStringLiteral("linked"), false).toBool();
    l.sameSeed = s.value(QStringLiteral("sameSeed"), true).toBool();
    l.nextUid = s.value(QStringLiteral("nextUid"), 1).toInt();
    const int n = s.beginReadArray(QStringLiteral("panes"));
    for (int i = 0; i < n; ++i) {
        s.setArrayIndex(i);
        Pane p{s.value(QStringLiteral("uid")).toInt(), s.value(QStringLiteral("checkpoint")).toString()};
        if (p.uid > 0) l.panes.append(p);
        l.nextUid = std::max(l.nextUid, p.uid + 1);
    }
    s.endArray();
    return l;
}

void CompareLayout::save() const {
    QSettings s;
    s.beginGroup(QStringLiteral("compare"));
    s.setValue(QStringLiteral("linked"), linked);
    s.setValue(QStringLiteral("sameSeed"), sameSeed);
    s.setValue(QStringLiteral("nextUid"), nextUid);
    s.remove(QStringLiteral("panes"));  // a shorter list leaves no stale entries
    s.beginWriteArray(QStringLiteral("panes"), int(panes.size()));
    for (int i = 0; i < panes.size(); ++i) {
        s.setArrayIndex(i);
        s.setValue(QStringLiteral("uid"), panes[i].uid);
        s.setValue(QStringLiteral("checkpoint"), panes[i].checkpoint);
    }
    s.endArray();
}

void CompareLayout::forgetPanes(const QVector<int>& uids) {
    if (uids.isEmpty()) return;
    QSettings s;  // one write-back for all of them
    for (int uid : uids) s.remove(QStringLiteral("compare/pane-%1").arg(uid));
}

}  // namespace waypoint::app
