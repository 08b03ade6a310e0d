// The compare view's layout as kept in QSettings ("compare/..."): the panes in
// order (each with the id of its own sampling scope "compare/pane-<id>" and
// its checkpoint) and the link / same-seed switches.
#pragma once

#include <QString>
#include <QVector>

namespace waypoint::app {

struct CompareLayout {
    struct Pane {
        int uid = 0;
        QString checkpoint;
    };
    QVector<Pane> panes;
    bool linked = false;
    bool sameSeed = true;
    int nextUid = 1;

    static CompareLayout load();
    void save() const;
    // Forgets removed panes' own sampling settings.
    static void forgetPanes(const QVector<int>& uids);
};

}  // namespace waypoint::app
