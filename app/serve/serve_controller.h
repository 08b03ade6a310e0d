// "Serve this model": the app's switch for waypoint-server's library
// (server/api_server.h) on the checkpoint the chat has loaded. The model is
// asked from the process's shared backend ("engine", backend_registry.h) with
// the chat's checkpoint and device, so the sharing backend hands out the very
// LoadedModel the chat holds: the weights are not loaded twice. The server
// runs on its own threads; starting (a load when the checkpoint is not loaded
// yet, then binding) and stopping (draining) run on a helper thread, so the
// window never waits. Properties update about twice a second while serving.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>
#include <QtQml/qqmlregistration.h>
#include <memory>

namespace waypoint::server { class ApiServer; }

namespace waypoint::app {

class ServeController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    // What to serve: the chat's checkpoint path and device (bind them).
    Q_PROPERTY(QString checkpoint READ checkpoint WRITE setCheckpoint NOTIFY settingsChanged)
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY settingsChanged)
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY settingsChanged)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY settingsChanged)  // 0: any free port
    Q_PROPERTY(QString apiKey READ apiKey WRITE setApiKey NOTIFY settingsChanged)  // "": none
    Q_PROPERTY(bool running READ running NOTIFY stateChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY stateChanged)  // starting or stopping
    Q_PROPERTY(QString url READ url NOTIFY stateChanged)  // "http://HOST:PORT/v1" while running
    Q_PROPERTY(QString servedModel READ servedModel NOTIFY stateChanged)  // the model id clients use
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)
    Q_PROPERTY(int activeRequests READ activeRequests NOTIFY countsChanged)
    Q_PROPERTY(int answeredRequests READ answeredRequests NOTIFY countsChanged)
public:
    explicit ServeController(QObject* parent = nullptr);
    ~ServeController() override;

    QString checkpoint() const { return checkpoint_; }
    void setCheckpoint(const QString& path);
    QString device() const { return device_; }
    void setDevice(const QString& device);
    QString host() const { return host_; }
    void setHost(const QString& host);
    int port() const { return port_; }
    void setPort(int port);
    QString apiKey() const { return apiKey_; }
    void setApiKey(const QString& key);

    bool running() const { return server_ != nullptr; }
    bool busy() const { return job_ != nullptr; }
    QString url() const { return url_; }
    QString servedModel() const { return servedModel_; }
    QString error() const { return error_; }
    int activeRequests() const { return active_; }
    int answeredRequests() const { return answered_; }

    Q_INVOKABLE void start();
    Q_INVOKABLE void stop();

Q_SIGNALS:
    void settingsChanged();
    void stateChanged();
    void countsChanged();

private:
    void poll();
    void finishJob();

    QString checkpoint_, device_ = QStringLiteral("auto"), host_ = QStringLiteral("127.0.0.1"), apiKey_;
    int port_ = 8080;
    std::unique_ptr<waypoint::server::ApiServer> server_;
    QThread* job_ = nullptr;  // starting or stopping
    QString url_, servedModel_, error_;
    int active_ = 0;
    int answered_ = 0;
    QTimer poll_;
};

}  // namespace waypoint::app
