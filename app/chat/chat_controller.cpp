#include "chat_controller.h"

#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <limits>

#include "backend/backend_registry.h"
#include "chat/engine_worker.h"
#include "files/file_paths.h"
#include "library/tokenizer_choices.h"
#include "waypoint/platform/thread_priority.h"

namespace waypoint::app {

namespace {
constexpr int kFlushIntervalMs = 16;  // about one model update per frame
constexpr int kExampleTokens = 48;
}

ChatController::ChatController(QObject* parent) : ChatController(nullptr, parent) {}

ChatController::ChatController(std::shared_ptr<InferenceBackend> backend, QObject* parent)
    : QObject(parent), backend_(std::move(backend)) {
    if (backend_) backendName_ = QStringLiteral("custom");
    flushTimer_.setInterval(kFlushIntervalMs);
    flushTimer_.setSingleShot(true);
    connect(&flushTimer_, &QTimer::timeout, this, &ChatController::flushDeltas);
    // Continue depends on the last row's finish reason and on the state.
    connect(this, &ChatController::stateChanged, this, &ChatController::canContinueChanged);
    connect(&messages_, &MessageModel::countChanged, this, &ChatController::canContinueChanged);
    connect(&messages_, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
                if (roles.contains(MessageModel::FinishRole)) Q_EMIT canContinueChanged();
            });
}

ChatController::~ChatController() { shutdownWorker(); }

void ChatController::ensureWorker() {
    if (worker_) return;
    if (!backend_)
        backend_ = sharedBackend(backendName_);
    if (!backend_) {
        qWarning("ChatController: no backend named \"%s\"; using the engine", qPrintable(backendName_));
        backend_ = sharedBackend(QStringLiteral("engine"));
    }
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("waypoint-engine"));
    worker_ = new EngineWorker(backend_, cancelUpTo_);  // no parent: it moves to the thread
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(thread_, &QThread::started, worker_, &platform::lower_current_thread_priority);  // runs on the new thread
    connect(this, &ChatController::requestLoad, worker_, &EngineWorker::load);
    connect(this, &ChatController::requestGenerate, worker_, &EngineWorker::generate);
    connect(this, &ChatController::requestReply, worker_, &EngineWorker::reply);
    connect(this, &ChatController::requestExampleRun, worker_, &EngineWorker::example);
    connect(this, &ChatController::requestDevices, worker_, &EngineWorker::listDevices);
    connect(worker_, &EngineWorker::loaded, this, &ChatController::onLoaded);
    connect(worker_, &EngineWorker::loadFailed, this, &ChatController::onLoadFailed);
    connect(worker_, &EngineWorker::token, this, &ChatController::onToken);
    connect(worker_, &EngineWorker::generationFinished, this, &ChatController::onFinished);
    connect(worker_, &EngineWorker::replyFinished, this, &ChatController::onReplyFinished);
    connect(worker_, &EngineWorker::chatFormatFound, this, [this](quint64 id, const QString& origin, const QString& problem) {
        if (id != pendingLoad_) return;
        loadingTemplateOrigin_ = origin;
        loadingTemplateProblem_ = problem;
    });
    connect(worker_, &EngineWorker::generationFailed, this, &ChatController::onFailed);
    connect(worker_, &EngineWorker::exampleReady, this, &ChatController::onExample);
    connect(worker_, &EngineWorker::devicesListed, this, [this](const QStringList& list) {
        devices_ = list;
        Q_EMIT devicesChanged();
    });
    thread_->start();
    Q_EMIT requestDevices();
}

void ChatController::shutdownWorker() {
    if (!thread_) return;
    // Stop whatever runs or waits in the queue, then join: no token loop
    // outlives the controller. A load in progress finishes first (it cannot be
    // interrupted), then the queued requests return at once.
    cancelUpTo_->store(std::numeric_limits<quint64>::max());
    thread_->quit();
    thread_->wait();
    delete thread_;  // the worker was deleted on finished
    thread_ = nullptr;
    worker_ = nullptr;
    cancelUpTo_ = std::make_shared<std::atomic<quint64>>(0);
}

QString ChatController::modelTitle() const {
    const QString name = modelName();
    const QVariant step = card_.trainingStep();
    if (!step.isValid() || step.isNull() || name.contains(QLatin1String("step"), Qt::CaseInsensitive)) return name;
    return QStringLiteral("%1 · step %2").arg(name).arg(step.toLongLong());
}

void ChatController::setBackendName(const QString& name) {
    if (name == backendName_) return;
    shutdownWorker();
    backend_.reset();
    backendName_ = name;
    pendingLoad_ = currentGen_ = exampleId_ = 0;
    checkpointPath_.clear();
    card_ = {};
    Q_EMIT backendChanged();
    Q_EMIT stateChanged();
    Q_EMIT modelChanged();
}

void ChatController::setDevice(const QString& device) {
    if (device == device_) return;
    device_ = device;
    Q_EMIT deviceChanged();
    if (!checkpointPath_.isEmpty()) loadWithTokenizer(checkpointPath_, tokenizer_);
}

namespace {
QString localPath(const QString& pathOrUrl) { return FilePaths::localPath(pathOrUrl); }
}  // namespace

void ChatController::load(const QString& rawPath) {
    const QString path = localPath(rawPath);
    loadWithTokenizer(path, TokenizerChoices::forCheckpoint(path));
}

void ChatController::loadWithTokenizer(const QString& rawPath, const QString& tokenizer) {
    const QString path = localPath(rawPath);
    if (path.isEmpty()) return;
    ensureWorker();
    stop();  // a switch mid-generation: the answer ends here, then the load runs
    pendingLoad_ = ++nextId_;
    loadingPath_ = path;
    loadingTokenizer_ = localPath(tokenizer);
    clearError();
    Q_EMIT stateChanged();
    Q_EMIT requestLoad(pendingLoad_, path, device_, loadingTokenizer_);
}

void ChatController::onLoaded(quint64 id, const waypoint::ModelCard& card, const QString& defaultsJson) {
    const QString path = loadingPath_;
    if (id != pendingLoad_) return;  // superseded by a later load
    pendingLoad_ = 0;
    loadingPath_.clear();
    checkpointPath_ = path;
    tokenizer_ = loadingTokenizer_;
    if (!tokenizer_.isEmpty()) TokenizerChoices::remember(path, tokenizer_);
    card_ = ModelCardValue(card);
    chatTemplateOrigin_ = loadingTemplateOrigin_;
    chatTemplateProblem_ = loadingTemplateProblem_;
    mode_ = PromptModes::forCheckpoint(path);
    if (systemPromptIsDefault_ && messages_.rowCount() == 0) useDefaultSystemPrompt();
    if (!mode_.remembered)  // a base model starts in completion mode: what it can continue
        mode_.mode = hasChatTemplate() ? PromptMode::Template : PromptMode::Completion;
    Q_EMIT promptModeChanged();
    // The last answer's speed was another model's (or device's): not this one's.
    statsFromLoad_ = id;
    lastStats_ = {};
    hasStats_ = false;
    lastDroppedTurns_ = 0;
    Q_EMIT statsChanged();
    sampling_.useCheckpoint(path, defaultsJson);
    examplePrompt_ = examplePromptFor(path);
    exampleAnswer_.clear();
    Q_EMIT exampleChanged();
    Q_EMIT modelChanged();
    Q_EMIT stateChanged();
    Q_EMIT loadSucceeded(path);
}

void ChatController::onLoadFailed(quint64 id, const QString& path, const QString& engineMessage) {
    // The engine speaks to the command line ("pass --tokenizer PATH"); the window has a button for it.
    const QString message = forTheWindow(engineMessage);
    Q_EMIT loadFailedFor(path, message);
    if (id != pendingLoad_) return;
    pendingLoad_ = 0;
    loadingPath_.clear();
    // The worker kept the previous model: checkpointPath_ and card_ stay as they are.
    tokenizerWantedFor_ = isMissingTokenizer(engineMessage) ? path : QString();
    setError(message);
    Q_EMIT stateChanged();
}

bool ChatController::send(const QString& prompt) {
    if (loading() || generating()) return false;
    if (!modelLoaded()) {
        setError(QStringLiteral("No checkpoint is loaded yet. Pick one on the left or open one with Ctrl+O."));
        return false;
    }
    messages_.append(QStringLiteral("user"), prompt);
    startGeneration();
    return true;
}

ConversationRequest ChatController::conversationUpTo(int endRow) const {
    ConversationRequest r;
    r.mode = mode_.mode;
    r.userLabel = mode_.userLabel.toStdString();
    r.assistantLabel = mode_.assistantLabel.toStdString();
    if (!systemPrompt_.isEmpty()) r.messages.push_back({"system", systemPrompt_.toStdString()});
    for (int row = 0; row < endRow && row < messages_.rowCount(); ++row) {
        const MessageModel::Message& m = messages_.at(row);
        if (m.role == QLatin1String("user")) r.messages.push_back({"user", m.text.toStdString()});
        else if (m.role == QLatin1String("model")) r.messages.push_back({"assistant", m.text.toStdString()});
    }
    return r;
}

void ChatController::startGeneration(int continuedRow) {
    ensureWorker();
    SystemPrompts::remember(checkpointPath_, systemPrompt_);  // the next new chat with it starts so
    currentGen_ = ++nextId_;
    if (continuedRow >= 0) {
        answerRow_ = continuedRow;
    } else {
        answerRow_ = messages_.append(QStringLiteral("model"), QString(), true, modelTitle());
    }
    messages_.setCheckpoint(answerRow_, checkpointPath_, modelTitle());
    // The request holds the rows before the answer, and a continued answer's text.
    const ConversationRequest request = conversationUpTo(continuedRow >= 0 ? continuedRow + 1 : answerRow_);
    pending_.clear();
    Q_EMIT stateChanged();
    Q_EMIT requestReply(currentGen_, request, sampling_.next());
}

void ChatController::stop() {
    if (!currentGen_) return;
    cancelUpTo_->store(currentGen_);  // the worker's token loop reads it before the next token
    flushDeltas();
    messages_.setFinish(answerRow_, QStringLiteral("stopped"));
    messages_.finish(answerRow_, QStringLiteral("stopped"));
    currentGen_ = 0;
    answerRow_ = -1;
    Q_EMIT stateChanged();
    Q_EMIT generationDone();
}

void ChatController::onToken(quint64 id, const waypoint::TokenEvent& token) {
    if (id != currentGen_) return;  // a stopped or superseded answer
    pending_.append(token);
    if (!flushTimer_.isActive()) flushTimer_.start();
}

void ChatController::flushDeltas() {
    flushTimer_.stop();
    if (pending_.isEmpty() || answerRow_ < 0) return;
    messages_.appendTokens(answerRow_, pending_);
    pending_.clear();
}

void ChatController::onReplyFinished(quint64 id, const waypoint::GenerationStats& s, int droppedTurns) {
    if (id < statsFromLoad_) return;
    lastDroppedTurns_ = droppedTurns;
    if (id == currentGen_ && answerRow_ >= 0) {
        messages_.setFinish(answerRow_, QString::fromLatin1(waypoint::to_string(s.finish)));
        if (droppedTurns > 0)
            messages_.setNotice(answerRow_, tr("The context (%1 tokens) is full: the %n oldest turn(s) after the system "
                                               "prompt were left out of this answer's prompt.", nullptr, droppedTurns)
                                                .arg(card_.context()));
    }
    onFinished(id, s);
}

void ChatController::onFinished(quint64 id, const waypoint::GenerationStats& s) {
    if (id < statsFromLoad_) return;  // an answer of the model before the last load (stopped by the switch)
    lastStats_ = s;
    hasStats_ = true;
    Q_EMIT statsChanged();
    if (id != currentGen_) return;
    flushDeltas();
    QString stats = QStringLiteral("%1 tokens · %2 tok/s · first token %3 ms · %4")
                        .arg(lastNewTokens())
                        .arg(tokensPerSecond(), 0, 'f', 1)
                        .arg(timeToFirstTokenMs(), 0, 'f', 0)
                        .arg(lastFinish());
    if (s.reused_tokens > 0)
        stats += QStringLiteral(" · prompt %1 tokens, %2 from the cache").arg(s.prompt_tokens).arg(s.reused_tokens);
    const int context = card_.context();
    if (context > 0 && lastPromptTokens() + lastNewTokens() > context)
        // The engine slid the window (dropped the oldest tokens) to go on:
        // what follows no longer sees the prompt's start.
        stats += QStringLiteral(" · context full (%1 tokens): the oldest tokens were dropped to go on").arg(context);
    messages_.finish(answerRow_, stats);
    currentGen_ = 0;
    answerRow_ = -1;
    Q_EMIT stateChanged();
    Q_EMIT generationDone();
}

void ChatController::onFailed(quint64 id, const QString& message) {
    if (id != currentGen_) return;
    flushDeltas();
    messages_.setFinish(answerRow_, QStringLiteral("failed"));
    messages_.finish(answerRow_, QStringLiteral("failed"));
    currentGen_ = 0;
    answerRow_ = -1;
    setError(message);
    Q_EMIT stateChanged();
    Q_EMIT generationDone();
}

void ChatController::regenerate() {
    if (loading() || !modelLoaded()) return;
    stop();
    if (messages_.rowCount() == 0) return;
    if (messages_.at(messages_.rowCount() - 1).role == QLatin1String("model")) messages_.removeLast();
    if (messages_.rowCount() == 0) return;
    if (messages_.at(messages_.rowCount() - 1).role != QLatin1String("user")) return;
    startGeneration();
}

bool ChatController::editAndResend(int row, const QString& text) {
    if (loading() || !modelLoaded() || row < 0 || row >= messages_.rowCount()) return false;
    if (messages_.at(row).role != QLatin1String("user") || text.trimmed().isEmpty()) return false;
    stop();
    messages_.removeFrom(row);
    messages_.append(QStringLiteral("user"), text);
    startGeneration();
    return true;
}

bool ChatController::canContinue() const {
    const int last = messages_.rowCount() - 1;
    return !generating() && !loading() && modelLoaded() && last >= 0 &&
           messages_.at(last).role == QLatin1String("model") && messages_.at(last).finish == QLatin1String("length");
}

bool ChatController::continueAnswer() {
    if (!canContinue()) return false;
    // The cut-off answer is answered again as itself plus what follows: a
    // new alternative (the history keeps the cut one), its tokens kept.
    MessageModel::Message answer = messages_.at(messages_.rowCount() - 1);
    messages_.removeLast();
    answer.streaming = true;
    answer.stats.clear();
    answer.finish.clear();
    answer.notice.clear();
    startGeneration(messages_.appendMessage(answer));
    return true;
}

void ChatController::restoreChat(const QString& checkpoint, const QString& systemPrompt) {
    setSystemPrompt(systemPrompt);
    if (checkpoint.isEmpty() || checkpoint == checkpointPath_ || checkpoint == loadingPath_) return;
    if (!QFileInfo::exists(checkpoint)) {
        setError(tr("This chat was written with %1, which is no longer there. Pick a checkpoint on the left to go "
                    "on with it.").arg(checkpoint));
        return;
    }
    load(checkpoint);
}

void ChatController::setSystemPrompt(const QString& text) {
    systemPromptIsDefault_ = false;
    if (text == systemPrompt_) return;
    systemPrompt_ = text;
    Q_EMIT systemPromptChanged();
}

void ChatController::useDefaultSystemPrompt() {
    systemPromptIsDefault_ = true;
    const QString text = SystemPrompts::forCheckpoint(checkpointPath_);
    if (text == systemPrompt_) return;
    systemPrompt_ = text;
    Q_EMIT systemPromptChanged();
}

QString ChatController::effectivePromptMode() const {
    if (mode_.mode == PromptMode::Template && !hasChatTemplate()) return promptModeName(PromptMode::Completion);
    return promptModeName(mode_.mode);
}

void ChatController::setPromptMode(const QString& mode) {
    const PromptMode m = promptModeFromName(mode);
    if (m == mode_.mode && mode_.remembered) return;
    mode_.mode = m;
    rememberMode();
}

void ChatController::setUserLabel(const QString& label) {
    if (label.trimmed().isEmpty() || label == mode_.userLabel) return;
    mode_.userLabel = label;
    rememberMode();
}

void ChatController::setAssistantLabel(const QString& label) {
    if (label.trimmed().isEmpty() || label == mode_.assistantLabel) return;
    mode_.assistantLabel = label;
    rememberMode();
}

void ChatController::rememberMode() {
    mode_.remembered = true;
    PromptModes::remember(checkpointPath_, mode_);
    Q_EMIT promptModeChanged();
}

void ChatController::clear() {
    stop();
    messages_.clear();
    clearError();
}

void ChatController::setError(const QString& message) {
    lastError_ = message;
    Q_EMIT errorChanged();
}

void ChatController::clearError() {
    if (lastError_.isEmpty() && tokenizerWantedFor_.isEmpty()) return;
    lastError_.clear();
    tokenizerWantedFor_.clear();
    Q_EMIT errorChanged();
}

void ChatController::copyLastAnswer() {
    for (int row = messages_.rowCount() - 1; row >= 0; --row) {
        if (messages_.at(row).role == QLatin1String("model")) {
            if (auto* cb = QGuiApplication::clipboard()) cb->setText(messages_.at(row).text);
            return;
        }
    }
}

void ChatController::copyText(const QString& text) {
    if (auto* cb = QGuiApplication::clipboard()) cb->setText(text);
}

void ChatController::copyConversation() {
    if (auto* cb = QGuiApplication::clipboard()) cb->setText(messages_.transcript());
}

QString ChatController::examplePromptFor(const QString& checkpointPath) {
    const QFileInfo info(checkpointPath);
    const QDir dir = info.isDir() ? QDir(checkpointPath) : info.dir();
    QFile f(dir.filePath(QStringLiteral("example_prompt.txt")));
    if (f.open(QIODevice::ReadOnly)) {
        const QString text = QString::fromUtf8(f.readAll()).trimmed();
        if (!text.isEmpty()) return text;
    }
    return QStringLiteral("Once upon a time");
}

void ChatController::requestExample() {
    if (!modelLoaded()) return;
    ensureWorker();
    exampleId_ = ++nextId_;
    exampleAnswer_.clear();
    Q_EMIT exampleChanged();
    Q_EMIT requestExampleRun(exampleId_, examplePrompt_, kExampleTokens);
}

void ChatController::onExample(quint64 id, const QString& text) {
    if (id != exampleId_) return;
    exampleId_ = 0;
    exampleAnswer_ = text;
    Q_EMIT exampleChanged();
}

}  // namespace waypoint::app
