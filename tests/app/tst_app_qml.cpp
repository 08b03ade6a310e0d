// Qt Quick Test runner for qml/tst_*.qml: imports the app's static QML module
// and gives the tests the singleton `TestEnvironment` (import WaypointTest)
// whose `outputFolder` is an empty temporary folder; the tests' controllers
// ask for backend "fake" (tests/support).
#include <QCoreApplication>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

#include "fake_backend.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

// What the QML tests need from their runner, as a typed singleton.
class TestEnvironment : public QObject {
    Q_OBJECT
    // A folder the tests may write into (saving a file); removed at exit.
    Q_PROPERTY(QString outputFolder MEMBER outputFolder_ CONSTANT)
public:
    explicit TestEnvironment(QString outputFolder) : outputFolder_(std::move(outputFolder)) {}

private:
    QString outputFolder_;
};

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_app_qml"));
        waypoint::app::test::registerFakeBackend();
        // One instance per engine (each tst_*.qml gets its own), owned by it.
        const QString folder = output_.path();
        qmlRegisterSingletonType<TestEnvironment>("WaypointTest", 1, 0, "TestEnvironment",
                                                  [folder](QQmlEngine*, QJSEngine*) { return new TestEnvironment(folder); });
    }
    void qmlEngineAvailable(QQmlEngine* engine) { engine->addImportPath(QStringLiteral("qrc:/qt/qml")); }

private:
    QTemporaryDir output_;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_app_qml, Setup)
#include "tst_app_qml.moc"
