// Enter presses the focused button, as Space does. Qt Quick Controls 6.4
// press a button only on Space; people expect Enter to work too (every
// button, check box, tab, list row and dialog button: anything that is an
// AbstractButton). Made once in the window (`ButtonKeys {}`): while it lives,
// an application event filter turns Return/Enter on a button into Space.
#pragma once

#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace waypoint::app {

class ButtonKeys : public QObject {
    Q_OBJECT
    QML_ELEMENT
public:
    explicit ButtonKeys(QObject* parent = nullptr);
    ~ButtonKeys() override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
};

}  // namespace waypoint::app
