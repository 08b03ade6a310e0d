// The whole window driven with the keyboard only, as a person without a
// mouse meets it: the real Main.qml (the engine on the demo checkpoint,
// offscreen), Tab pressed until the focus comes back to where it started.
// Every stop must be a control that is shown, enabled and inside the visible
// part of its scroll area; the chain must hold the controls of each area;
// Shift+Tab must walk it backwards; a popup (a compare pane's settings, the
// model card) keeps Tab inside itself, Esc closes it and the focus goes back
// to the control that opened it. The chains are printed (qInfo) for review.
#include <QtTest>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>

#include "app_options.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

namespace {

const QString kDemo = QStringLiteral(WAYPOINT_SOURCE_DIR) + "/resources/demo";

QString describe(const QQuickItem* item) {
    if (!item) return QStringLiteral("(none)");
    QString name = QString::fromLatin1(item->metaObject()->className());
    name = name.section(QLatin1Char('_'), 0, 0).remove(QStringLiteral("QQuick"));
    const QString text = item->property("text").toString().left(30);
    return QStringLiteral("%1[%2|%3]").arg(name, item->objectName(), text);
}

// True when an item with `name` (objectName) or text `text` is in the chain.
bool has(const QList<QQuickItem*>& chain, const QString& name) {
    for (const QQuickItem* i : chain)
        if (i->objectName() == name || i->property("text").toString() == name) return true;
    return false;
}

bool isInside(const QQuickItem* item, const QQuickItem* ancestor) {
    for (const QQuickItem* p = item; p; p = p->parentItem())
        if (p == ancestor) return true;
    return false;
}

// "" when `item` is a fair focus stop; else why not.
QString problemWith(QQuickItem* item) {
    if (!item->isVisible()) return QStringLiteral("not visible");
    if (!item->isEnabled()) return QStringLiteral("disabled");
    if (item->width() <= 0 || item->height() <= 0) return QStringLiteral("no size");
    // Inside every clipping ancestor (a scroll area shows it).
    const QRectF r = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
    for (QQuickItem* p = item->parentItem(); p; p = p->parentItem()) {
        if (!p->clip()) continue;
        const QRectF clipRect = p->mapRectToScene(QRectF(0, 0, p->width(), p->height()));
        if (!clipRect.intersects(r) || clipRect.intersected(r).height() < r.height() * 0.5)
            return QStringLiteral("scrolled out of view of %1").arg(describe(p));
    }
    const QRectF window(0, 0, item->window()->width(), item->window()->height());
    if (!window.contains(r.center())) return QStringLiteral("outside the window");
    return {};
}

}  // namespace

class TstKeyboardWalk : public QObject {
    Q_OBJECT

    QTemporaryDir home_;
    QQmlApplicationEngine* engine_ = nullptr;
    QQuickWindow* window_ = nullptr;

    QQuickItem* focus() const { return window_->activeFocusItem(); }
    QQuickItem* find(const QString& name) const { return window_->contentItem()->findChild<QQuickItem*>(name); }

    // Tab (or Shift+Tab) until the focus is back at the start; the stops in order.
    QList<QQuickItem*> walk(bool backwards, int limit = 150) {
        QList<QQuickItem*> chain;
        QQuickItem* start = focus();
        for (int n = 0; n < limit; ++n) {
            QTest::keyClick(window_, Qt::Key_Tab, backwards ? Qt::ShiftModifier : Qt::NoModifier);
            QQuickItem* now = focus();
            if (!now || now == start) break;
            chain.append(now);
        }
        return chain;
    }
    void print(const char* what, const QList<QQuickItem*>& chain) {
        QStringList names;
        for (const QQuickItem* i : chain) names << describe(i);
        qInfo("%s (%lld stops): %s", what, qlonglong(chain.size()), qPrintable(names.join(QStringLiteral(" > "))));
    }
    void checkStops(const QList<QQuickItem*>& chain) {
        QStringList problems;
        for (QQuickItem* i : chain) {
            const QString p = problemWith(i);
            if (!p.isEmpty()) problems << describe(i) + ": " + p;
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("\n"))));
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // history and documents in a test folder
        qputenv("HOME", home_.path().toUtf8());
        int code = 0;
        QVERIFY(waypoint::app::AppOptions::parse(
            {QStringLiteral("waypoint"), QStringLiteral("--checkpoint"), kDemo + "/arith-step004000"}, &code));
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        engine_ = new QQmlApplicationEngine(this);
        engine_->addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine_->load(QUrl(QStringLiteral("qrc:/qt/qml/Waypoint/qml/Main.qml")));
        QVERIFY(!engine_->rootObjects().isEmpty());
        window_ = qobject_cast<QQuickWindow*>(engine_->rootObjects().first());
        QVERIFY(window_);
        window_->resize(1280, 820);
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        window_->requestActivate();
        QTRY_VERIFY_WITH_TIMEOUT(find(QStringLiteral("promptArea"))->isEnabled(), 30000);
        QTRY_VERIFY(find(QStringLiteral("modelTitle"))->property("text").toString().contains(QStringLiteral("arith")));
    }

    void chatViewTabChain() {
        find(QStringLiteral("promptArea"))->forceActiveFocus(Qt::TabFocusReason);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        const QList<QQuickItem*> forward = walk(false);
        print("chat view, Tab", forward);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));  // the chain closes
        checkStops(forward);
        for (const char* name : {"viewTabs", "compareTab", "checkpointList", "temperatureField", "temperatureSlider",
                                 "maxNewTokensField", "randomSeed", "stopAtEos", "exportButton", "newChatButton",
                                 "chatSearch", "chatListView", "colorTokensSwitch", "deviceBox", "sendButton"})
            QVERIFY2(has(forward, QString::fromLatin1(name)) ||
                         (QString::fromLatin1(name) == QLatin1String("viewTabs") && has(forward, QStringLiteral("Chat  (Ctrl+1)"))),
                     name);
        // Backwards: the same stops in the reverse order.
        const QList<QQuickItem*> backward = walk(true);
        QList<QQuickItem*> reversed(backward.rbegin(), backward.rend());
        QCOMPARE(reversed.size(), forward.size());
        QVERIFY(reversed == forward);
    }

    // Compare view: the panes' checkpoint combos and settings buttons are
    // stops; a pane's settings popup holds the focus until Esc, then gives it
    // back to its button; arrows on a closed combo do not load a checkpoint.
    void compareViewAndPaneSettings() {
        QTest::keyClick(window_, Qt::Key_2, Qt::ControlModifier);
        QTRY_COMPARE(find(QStringLiteral("viewTabs"))->property("currentIndex").toInt(), 1);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        const QList<QQuickItem*> forward = walk(false);
        print("compare view, Tab", forward);
        checkStops(forward);
        int pickers = 0, settings = 0;
        for (QQuickItem* i : forward) {
            pickers += i->objectName() == QLatin1String("panePicker");
            settings += i->objectName() == QLatin1String("paneSettingsButton");
        }
        QCOMPARE(pickers, 2);
        QCOMPARE(settings, 2);
        QVERIFY(has(forward, QStringLiteral("linkSwitch")));
        QVERIFY(has(forward, QStringLiteral("exportButton")));

        QQuickItem* button = nullptr;
        for (QQuickItem* i : forward)
            if (i->objectName() == QLatin1String("paneSettingsButton")) { button = i; break; }
        button->forceActiveFocus(Qt::TabFocusReason);
        QTest::keyClick(window_, Qt::Key_Return);
        QObject* popup = nullptr;
        QTRY_VERIFY((popup = window_->findChild<QObject*>(QStringLiteral("paneSettingsPopup"), Qt::FindChildrenRecursively)) &&
                    popup->property("opened").toBool());
        QQuickItem* popupItem = qvariant_cast<QQuickItem*>(popup->property("contentItem"))->parentItem();
        QTRY_VERIFY2(focus() && isInside(focus(), popupItem), qPrintable(describe(focus())));
        QList<QQuickItem*> inside;
        for (int n = 0; n < 30; ++n) {
            QTest::keyClick(window_, Qt::Key_Tab);
            QVERIFY2(isInside(focus(), popupItem), qPrintable("Tab left the popup: " + describe(focus())));
            if (inside.contains(focus())) break;
            inside.append(focus());
        }
        print("pane settings popup, Tab", inside);
        checkStops(inside);
        QVERIFY(has(inside, QStringLiteral("paneTemperatureSlider")));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!popup->property("visible").toBool());
        QTRY_COMPARE(focus(), button);
    }

    void modelCardDialog() {
        QTest::keyClick(window_, Qt::Key_1, Qt::ControlModifier);
        QTRY_COMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        QQuickItem* before = focus();
        QTest::keyClick(window_, Qt::Key_I, Qt::ControlModifier);
        QObject* card = nullptr;
        QTRY_VERIFY((card = window_->findChild<QObject*>(QStringLiteral("modelCardDialog"), Qt::FindChildrenRecursively)) &&
                    card->property("opened").toBool());
        QQuickItem* cardItem = qvariant_cast<QQuickItem*>(card->property("contentItem"))->parentItem();
        QTRY_VERIFY2(focus() && isInside(focus(), cardItem), qPrintable(describe(focus())));
        QTest::keyClick(window_, Qt::Key_Tab);
        QVERIFY2(isInside(focus(), cardItem), qPrintable(describe(focus())));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!card->property("visible").toBool());
        QTRY_COMPARE(focus(), before);
    }

    void cleanupTestCase() {
        delete engine_;
        engine_ = nullptr;
    }
};

QTEST_MAIN(TstKeyboardWalk)
#include "tst_keyboard_walk.moc"
