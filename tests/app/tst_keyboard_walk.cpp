// The whole window driven with the keyboard only, as a person without a
// mouse meets it: the real Main.qml (the engine on the demo checkpoint,
// offscreen), Tab pressed until the focus comes back to where it started.
// Every stop must be a control that is shown, enabled and inside the visible
// part of its scroll area; the chain must hold the controls of each area;
// Shift+Tab must walk it backwards; a popup (a compare pane's settings, the
// model card) keeps Tab inside itself, Esc closes it and the focus goes back
// to the control that opened it. The chains are printed (qInfo) for review.
// With WAYPOINT_FOCUS_SHOTS=DIR each stop of the chat view's walk is saved as
// DIR/focus-NN.png (run under Xvfb to look at the focus rings), and
// WAYPOINT_FOCUS_THEME=dark|light picks the palette as --theme does.
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

// True when a stop is, or lies inside (a list's row), an item whose
// objectName or text is `name`.
bool has(const QList<QQuickItem*>& chain, const QString& name) {
    for (const QQuickItem* i : chain)
        for (const QQuickItem* p = i; p; p = p->parentItem())
            if (p->objectName() == name || p->property("text").toString() == name) return true;
    return false;
}

// The popup (Popup, Dialog, Menu) an item is shown in, or nullptr.
QObject* popupOf(const QQuickItem* item) {
    for (const QQuickItem* p = item; p; p = p->parentItem())
        if (p->inherits("QQuickPopupItem")) return p->parent();
    return nullptr;
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
    QString shotPrefix_ = QStringLiteral("chat");
    QQuickWindow* window_ = nullptr;

    QQuickItem* focus() const { return window_->activeFocusItem(); }
    // Items by objectName anywhere in the scene (the overlay's popups too).
    static QQuickItem* findIn(QQuickItem* root, const QString& name) {
        if (root->objectName() == name) return root;
        for (QQuickItem* c : root->childItems())
            if (QQuickItem* f = findIn(c, name)) return f;
        return nullptr;
    }
    QQuickItem* find(const QString& name) const { return findIn(window_->contentItem(), name); }

    // Tab (or Shift+Tab) until the focus is back at the start; the stops in order.
    QList<QQuickItem*> walk(bool backwards, int limit = 150) {
        QList<QQuickItem*> chain;
        QQuickItem* start = focus();
        for (int n = 0; n < limit; ++n) {
            // Shift+Tab reaches a window as Backtab, as from a keyboard.
            if (backwards) QTest::keyClick(window_, Qt::Key_Backtab, Qt::ShiftModifier);
            else QTest::keyClick(window_, Qt::Key_Tab);
            QQuickItem* now = focus();
            if (!now || now == start) break;
            chain.append(now);
            if (!backwards) shoot(QStringLiteral("%1-%2").arg(shotPrefix_).arg(chain.size(), 2, 10, QLatin1Char('0')));
        }
        return chain;
    }
    // One picture of the window per stop, when asked (WAYPOINT_FOCUS_SHOTS).
    void shoot(const QString& name) {
        const QString dir = qEnvironmentVariable("WAYPOINT_FOCUS_SHOTS");
        if (dir.isEmpty()) return;
        QDir().mkpath(dir);
        QTest::qWait(30);  // the frame with the new focus
        window_->grabWindow().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
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
        const QString theme = qEnvironmentVariable("WAYPOINT_FOCUS_THEME");
        if (!theme.isEmpty()) waypoint::app::applyTheme(*qApp, theme);
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
        QVERIFY(find(QStringLiteral("promptArea")));
        QTRY_VERIFY_WITH_TIMEOUT(find(QStringLiteral("promptArea"))->isEnabled(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(find(QStringLiteral("modelTitle"))->property("text").toString().contains(QStringLiteral("arith")), 30000);
    }

    // The window's own controllers: the QML object's data (not the compare
    // panes' ChatControllers, which their CompareController owns).
    QObject* controller(const char* type) const {
        const QList<QObject*> all = window_->findChildren<QObject*>();
        for (QObject* o : all)
            if (o->inherits(type) && !(o->parent() && o->parent()->inherits("waypoint::app::ComparePaneState")) &&
                !(o->parent() && o->parent()->inherits("waypoint::app::CompareController")))
                return o;
        return nullptr;
    }
    QObject* chat() const { return controller("waypoint::app::ChatController"); }
    void typeAndSend(const QString& text) {
        for (const QChar c : text) QTest::keyClick(window_, c.toLatin1());
        QTest::keyClick(window_, Qt::Key_Return);
    }

    // A chat with an answer (so that its actions and Export are there), then
    // Tab round the window.
    void chatViewTabChain() {
        QVERIFY(chat());
        find(QStringLiteral("promptArea"))->forceActiveFocus(Qt::TabFocusReason);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        QVERIFY2(!find(QStringLiteral("exportButton"))->isEnabled(), "Export with no chat saved yet");
        typeAndSend(QStringLiteral("123+456="));
        QTRY_VERIFY_WITH_TIMEOUT(!chat()->property("generating").toBool() && chat()->property("lastFinish").toString().size() > 0, 30000);
        QTRY_VERIFY(find(QStringLiteral("exportButton"))->isEnabled());
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        const QList<QQuickItem*> forward = walk(false);
        print("chat view, Tab", forward);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));  // the chain closes
        checkStops(forward);
        for (const char* name : {"Chat  (Ctrl+1)", "compareTab", "checkpointList", "temperatureField", "temperatureSlider",
                                 "maxNewTokensField", "randomSeed", "stopAtEos", "exportButton", "newChatButton",
                                 "chatSearch", "chatListView", "colorTokensSwitch", "deviceBox", "Model card",
                                 "Regenerate", "Copy answer", "Copy chat", "Clear", "serveButton", "editButton", "promptModeBox"})
            QVERIFY2(has(forward, QString::fromLatin1(name)), name);
        // Backwards: the same stops in the reverse order.
        const QList<QQuickItem*> backward = walk(true);
        QList<QQuickItem*> reversed(backward.rbegin(), backward.rend());
        QCOMPARE(reversed.size(), forward.size());
        QVERIFY(reversed == forward);
    }

    // The chat list's Export from the keyboard: Space opens the menu, Down
    // and Enter pick Markdown, the save dialog takes the focus, Esc closes it
    // and the focus is back on Export.
    void exportFromTheKeyboard() {
        QQuickItem* exportButton = find(QStringLiteral("exportButton"));
        QVERIFY(exportButton && exportButton->isEnabled());
        exportButton->forceActiveFocus(Qt::TabFocusReason);
        QTest::keyClick(window_, Qt::Key_Space);
        QTRY_VERIFY2(popupOf(focus()) && popupOf(focus())->inherits("QQuickMenu"), qPrintable(describe(focus())));
        QTest::keyClick(window_, Qt::Key_Down);
        QTest::keyClick(window_, Qt::Key_Return);
        QObject* dialog = nullptr;
        QTRY_VERIFY2((dialog = popupOf(focus())) && dialog->objectName() == QLatin1String("chatExportDialog"),
                     qPrintable(describe(focus())));
        QCOMPARE(focus()->objectName(), QStringLiteral("saveFileName"));
        shoot(QStringLiteral("export-dialog"));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!dialog->property("visible").toBool());
        QTRY_COMPARE(focus(), exportButton);
    }

    // The header's Serve button: Enter opens its popup with the focus on the
    // switch, Tab stays inside, Esc closes it and gives the focus back.
    void servePopupFromTheKeyboard() {
        QQuickItem* button = find(QStringLiteral("serveButton"));
        QVERIFY(button && button->isVisible() && button->isEnabled());
        button->forceActiveFocus(Qt::TabFocusReason);
        QTest::keyClick(window_, Qt::Key_Return);
        QObject* popup = nullptr;
        QTRY_VERIFY2((popup = popupOf(focus())) && popup->objectName() == QLatin1String("servePopup"),
                     qPrintable("the focus is not in the serve popup: " + describe(focus())));
        QCOMPARE(focus()->objectName(), QStringLiteral("serveSwitch"));
        QList<QQuickItem*> inside;
        for (int n = 0; n < 20; ++n) {
            QTest::keyClick(window_, Qt::Key_Tab);
            QVERIFY2(popupOf(focus()) == popup, qPrintable("Tab left the popup: " + describe(focus())));
            if (inside.contains(focus())) break;
            inside.append(focus());
        }
        print("serve popup, Tab", inside);
        checkStops(inside);
        QVERIFY(has(inside, QStringLiteral("servePort")));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!popup->property("visible").toBool());
        QTRY_COMPARE(focus(), button);
    }

    // The error banner's buttons are stops; dismissing it from the keyboard
    // leaves the focus on the prompt, not on a hidden button.
    void errorBannerButtons() {
        QTemporaryDir dir;
        const QString alone = dir.filePath(QStringLiteral("alone.bin"));
        QVERIFY(QFile::copy(QStringLiteral(WAYPOINT_SHARED_DIR "/models/stories260K/stories260K.bin"), alone));
        QMetaObject::invokeMethod(chat(), "load", Q_ARG(QString, alone));
        QTRY_VERIFY_WITH_TIMEOUT(find(QStringLiteral("errorBanner"))->isVisible(), 30000);
        QTRY_VERIFY(chat()->property("needsTokenizer").toBool());
        find(QStringLiteral("promptArea"))->forceActiveFocus(Qt::TabFocusReason);
        shotPrefix_ = QStringLiteral("banner");
        const QList<QQuickItem*> forward = walk(false);
        print("chat view with the error banner, Tab", forward);
        checkStops(forward);
        QVERIFY(has(forward, QStringLiteral("chooseTokenizerButton")));
        QQuickItem* dismiss = find(QStringLiteral("dismissErrorButton"));
        QVERIFY(dismiss && forward.contains(dismiss));
        dismiss->forceActiveFocus(Qt::TabFocusReason);
        QTest::keyClick(window_, Qt::Key_Return);
        QTRY_VERIFY(!find(QStringLiteral("errorBanner"))->isVisible());
        QTRY_VERIFY2(focus() && focus()->objectName() == QLatin1String("promptArea"), qPrintable(describe(focus())));
    }

    // Compare view: the panes' checkpoint combos and settings buttons are
    // stops; a pane's settings popup holds the focus until Esc, then gives it
    // back to its button; arrows on a closed combo do not load a checkpoint.
    void compareViewAndPaneSettings() {
        QTest::keyClick(window_, Qt::Key_2, Qt::ControlModifier);
        QTRY_COMPARE(find(QStringLiteral("viewTabs"))->property("currentIndex").toInt(), 1);
        QCOMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        QObject* compare = controller("waypoint::app::CompareController");
        QVERIFY(compare);
        QTRY_VERIFY_WITH_TIMEOUT(focus()->isEnabled() && !compare->property("loading").toBool(), 30000);
        typeAndSend(QStringLiteral("123+456="));
        QTRY_VERIFY_WITH_TIMEOUT(!compare->property("generating").toBool(), 30000);
        shotPrefix_ = QStringLiteral("compare");
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
        QTRY_VERIFY2((popup = popupOf(focus())) && popup->objectName() == QLatin1String("paneSettingsPopup"),
                     qPrintable("the focus is not in the popup: " + describe(focus())));
        QTRY_VERIFY(popup->property("opened").toBool());
        QList<QQuickItem*> inside;
        for (int n = 0; n < 30; ++n) {
            QTest::keyClick(window_, Qt::Key_Tab);
            QVERIFY2(popupOf(focus()) == popup, qPrintable("Tab left the popup: " + describe(focus())));
            if (inside.contains(focus())) break;
            inside.append(focus());
            shoot(QStringLiteral("popup-%1").arg(inside.size(), 2, 10, QLatin1Char('0')));
        }
        print("pane settings popup, Tab", inside);
        checkStops(inside);
        QVERIFY(has(inside, QStringLiteral("paneTemperatureSlider")));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!popup->property("visible").toBool());
        QTRY_COMPARE(focus(), button);

        // Down on a closed checkpoint combo opens its list (it would load the
        // next checkpoint at once); Esc closes it with nothing loaded.
        QQuickItem* combo = nullptr;
        for (QQuickItem* i : forward)
            if (i->objectName() == QLatin1String("panePicker")) { combo = i; break; }
        combo->forceActiveFocus(Qt::TabFocusReason);
        const int index = combo->property("currentIndex").toInt();
        QTest::keyClick(window_, Qt::Key_Down);
        QObject* list = qvariant_cast<QObject*>(combo->property("popup"));
        QTRY_VERIFY(list->property("opened").toBool());
        QCOMPARE(combo->property("currentIndex").toInt(), index);
        QVERIFY(!compare->property("loading").toBool());
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!list->property("visible").toBool());
        QTRY_COMPARE(focus(), combo);
        QVERIFY(!compare->property("loading").toBool());
    }

    void modelCardDialog() {
        QTest::keyClick(window_, Qt::Key_1, Qt::ControlModifier);
        QTRY_COMPARE(focus()->objectName(), QStringLiteral("promptArea"));
        QQuickItem* before = focus();
        QTest::keyClick(window_, Qt::Key_I, Qt::ControlModifier);
        QObject* card = nullptr;
        QTRY_VERIFY2((card = popupOf(focus())) && card->objectName() == QLatin1String("modelCardDialog"),
                     qPrintable("the focus is not in the card: " + describe(focus())));
        QTRY_VERIFY(card->property("opened").toBool());
        QTest::keyClick(window_, Qt::Key_Tab);
        QVERIFY2(popupOf(focus()) == card, qPrintable(describe(focus())));
        QTest::keyClick(window_, Qt::Key_Escape);
        QTRY_VERIFY(!card->property("visible").toBool());
        QTRY_COMPARE(focus(), before);
    }

    // At the smallest window the sampling knobs scroll: each one Tab reaches
    // is scrolled into view.
    void smallestWindow() {
        QTest::keyClick(window_, Qt::Key_1, Qt::ControlModifier);
        window_->resize(880, 560);
        QTRY_COMPARE(window_->height(), 560);
        QTest::qWait(100);  // layouts settle
        find(QStringLiteral("promptArea"))->forceActiveFocus(Qt::TabFocusReason);
        QList<QQuickItem*> chain;
        QStringList problems;
        for (int n = 0; n < 150; ++n) {
            QTest::keyClick(window_, Qt::Key_Tab);
            QTest::qWait(20);  // a scroll into view may animate
            if (focus()->objectName() == QLatin1String("promptArea")) break;
            chain.append(focus());
            shoot(QStringLiteral("small-%1").arg(chain.size(), 2, 10, QLatin1Char('0')));
            const QString p = problemWith(focus());
            if (!p.isEmpty()) problems << describe(focus()) + ": " + p;
        }
        print("880x560, Tab", chain);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("\n"))));
        window_->resize(1280, 820);
    }

    void cleanupTestCase() {
        delete engine_;
        engine_ = nullptr;
    }
};

QTEST_MAIN(TstKeyboardWalk)
#include "tst_keyboard_walk.moc"
