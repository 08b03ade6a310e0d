#include "serve/serve_controller.h"


#include "api_server.h"
#include "backend/backend_registry.h"
#include "files/file_paths.h"

namespace waypoint::app {
namespace {

QString localPath(const QString& pathOrUrl) { return FilePaths::localPath(pathOrUrl); }

}  // namespace

ServeController::ServeController(QObject* parent) : QObject(parent) {
    poll_.setInterval(500);
    connect(&poll_, &QTimer::timeout, this, &ServeController::poll);
}

ServeController::~ServeController() {
    if (job_) {
        // Its finished handler, which deletes it, goes with this object. A
        // server a start job made is held by that handler alone and stops
        // when ~QObject drops it.
        job_->wait();
        delete job_;
    }
    if (server_) server_->stop(std::chrono::milliseconds(0));
}

void ServeController::setCheckpoint(const QString& path) {
    if (path == checkpoint_) return;
    checkpoint_ = path;
    Q_EMIT settingsChanged();
}
void ServeController::setDevice(const QString& device) {
    if (device == device_) return;
    device_ = device;
    Q_EMIT settingsChanged();
}
void ServeController::setHost(const QString& host) {
    if (host == host_) return;
    host_ = host;
    Q_EMIT settingsChanged();
}
void ServeController::setPort(int port) {
    if (port == port_) return;
    port_ = port;
    Q_EMIT settingsChanged();
}
void ServeController::setApiKey(const QString& key) {
    if (key == apiKey_) return;
    apiKey_ = key;
    Q_EMIT settingsChanged();
}

void ServeController::start() {
    if (server_ || job_) return;
    if (checkpoint_.isEmpty()) {
        error_ = tr("Load a checkpoint first.");
        Q_EMIT stateChanged();
        return;
    }
    error_.clear();
    auto backend = sharedBackend(QStringLiteral("engine"));
    const std::string checkpoint = localPath(checkpoint_).toStdString();
    const std::string device = device_.toStdString();
    waypoint::server::ServerOptions options;
    options.host = host_.toStdString();
    options.port = port_;
    options.api_key = apiKey_.toStdString();
    options.parallel = 1;
    auto result = std::make_shared<std::unique_ptr<waypoint::server::ApiServer>>();
    auto failure = std::make_shared<QString>();
    job_ = QThread::create([backend, checkpoint, device, options, result, failure] {
        try {
            // The chat's LoadedModel when it holds this checkpoint (the sharing backend).
            const auto loaded = backend->load(checkpoint, device, "");
            auto model = loaded->engineModel();
            if (!model) throw std::runtime_error("this backend runs no engine model that could be served");
            auto server = std::make_unique<waypoint::server::ApiServer>(std::move(model), options);
            server->start();
            *result = std::move(server);
        } catch (const std::exception& e) {
            *failure = QString::fromStdString(e.what());
        }
    });
    connect(job_, &QThread::finished, this, [this, result, failure] {
        finishJob();
        if (*result) {
            server_ = std::move(*result);
            url_ = QString::fromStdString(server_->url()) + QStringLiteral("/v1");
            servedModel_ = QString::fromStdString(server_->model_id());
            poll_.start();
        } else {
            error_ = tr("Could not serve: %1").arg(*failure);
        }
        Q_EMIT stateChanged();
        poll();
    });
    job_->start();
    Q_EMIT stateChanged();
}

void ServeController::stop() {
    if (!server_ || job_) return;
    poll_.stop();
    std::shared_ptr<waypoint::server::ApiServer> server(std::move(server_));
    // The answers in flight finish (up to 3 s) on the helper thread.
    job_ = QThread::create([server] { server->stop(std::chrono::seconds(3)); });
    connect(job_, &QThread::finished, this, [this] {
        finishJob();
        url_.clear();
        servedModel_.clear();
        active_ = 0;
        Q_EMIT stateChanged();
        Q_EMIT countsChanged();
    });
    job_->start();
    Q_EMIT stateChanged();
}

void ServeController::finishJob() {
    job_->deleteLater();
    job_ = nullptr;
}

void ServeController::poll() {
    if (!server_) return;
    const int active = server_->requests_in_flight();
    const int answered = static_cast<int>(server_->requests_answered());
    if (active == active_ && answered == answered_) return;
    active_ = active;
    answered_ = answered;
    Q_EMIT countsChanged();
}

}  // namespace waypoint::app
