#include "button_keys.h"

#include <QCoreApplication>
#include <QKeyEvent>
#include <QQuickItem>

namespace waypoint::app {

ButtonKeys::ButtonKeys(QObject* parent) : QObject(parent) {
    if (QCoreApplication::instance()) QCoreApplication::instance()->installEventFilter(this);
}

ButtonKeys::~ButtonKeys() {
    if (QCoreApplication::instance()) QCoreApplication::instance()->removeEventFilter(this);
}

bool ButtonKeys::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::KeyPress && event->type() != QEvent::KeyRelease) return false;
    const auto* key = static_cast<QKeyEvent*>(event);
    if (key->key() != Qt::Key_Return && key->key() != Qt::Key_Enter) return false;
    if (key->modifiers() & ~Qt::KeypadModifier) return false;  // Ctrl+Enter etc. stay shortcuts
    // The window hands key events to its focus item; only buttons are changed.
    auto* item = qobject_cast<QQuickItem*>(watched);
    if (!item || !item->inherits("QQuickAbstractButton") || !item->isEnabled()) return false;
    QKeyEvent space(event->type(), Qt::Key_Space, Qt::NoModifier, QStringLiteral(" "), key->isAutoRepeat());
    QCoreApplication::sendEvent(item, &space);
    return true;
}

}  // namespace waypoint::app
