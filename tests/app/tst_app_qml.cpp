// Qt Quick Test runner for qml/tst_*.qml: imports the app's static QML module
// and gives the tests `testOutputFolder`, an empty temporary folder; the
// tests' controllers ask for backend "fake" (tests/support).
#include <QCoreApplication>
#include <QQmlContext>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

#include "fake_backend.h"

Q_IMPORT_QML_PLUGIN(WaypointPlugin)

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable() {
        QCoreApplication::setOrganizationName(QStringLiteral("waypoint-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_app_qml"));
        waypoint::app::test::registerFakeBackend();
    }
    void qmlEngineAvailable(QQmlEngine* engine) {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        // A folder the tests may write into (saving a file); removed at exit.
        engine->rootContext()->setContextProperty(QStringLiteral("testOutputFolder"), output_.path());
    }

private:
    QTemporaryDir output_;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_app_qml, Setup)
#include "tst_app_qml.moc"
