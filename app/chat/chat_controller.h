// The chat window's controller: owns the worker QThread (Qt's
// threadedfetchmore shape), the conversation model and the sampling settings.
// Tokens (text delta, probability, top 5) arrive as queued signals and are
// appended to the model at most once per frame (a 16 ms timer). Stop raises an atomic the worker's token loop
// reads; the destructor stops, quits and joins the thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <QtQml/qqmlregistration.h>
#include <atomic>
#include <memory>

#include "backend/inference_backend.h"
#include "backend/metatypes.h"
#include "backend/model_card_value.h"
#include "chat/message_model.h"
#include "chat/prompt_modes.h"
#include "settings/sampling_settings.h"

namespace waypoint::app {

class EngineWorker;

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(waypoint::app::MessageModel* messages READ messages CONSTANT)
    Q_PROPERTY(waypoint::app::SamplingSettings* sampling READ sampling CONSTANT)
    // A backend name from backend_registry.h: "engine" (the default, the only
    // one the product has); tests register fakes under other names.
    Q_PROPERTY(QString backend READ backendName WRITE setBackendName NOTIFY backendChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY stateChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY stateChanged)
    Q_PROPERTY(bool modelLoaded READ modelLoaded NOTIFY modelChanged)
    Q_PROPERTY(QString checkpointPath READ checkpointPath NOTIFY modelChanged)
    Q_PROPERTY(QString loadingPath READ loadingPath NOTIFY stateChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
    // What the window calls the model: its name, with the training step when
    // the name does not say it (a nanochat run is named after the run).
    Q_PROPERTY(QString modelTitle READ modelTitle NOTIFY modelChanged)
    Q_PROPERTY(waypoint::app::ModelCardValue card READ card NOTIFY modelChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY errorChanged)
    // The last load failed for want of a tokenizer: the window offers
    // "Choose tokenizer…" for `tokenizerWantedFor` (that checkpoint).
    Q_PROPERTY(bool needsTokenizer READ needsTokenizer NOTIFY errorChanged)
    Q_PROPERTY(QString tokenizerWantedFor READ tokenizerWantedFor NOTIFY errorChanged)
    Q_PROPERTY(QStringList devices READ devices NOTIFY devicesChanged)
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY deviceChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(double timeToFirstTokenMs READ timeToFirstTokenMs NOTIFY statsChanged)
    Q_PROPERTY(int lastNewTokens READ lastNewTokens NOTIFY statsChanged)
    Q_PROPERTY(int lastPromptTokens READ lastPromptTokens NOTIFY statsChanged)
    Q_PROPERTY(QString lastFinish READ lastFinish NOTIFY statsChanged)
    // The conversation's system prompt (the chat's own; "" for none).
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY systemPromptChanged)
    // How the conversation becomes the prompt, chosen per checkpoint and
    // remembered: "template" | "completion" | "transcript".
    Q_PROPERTY(QString promptMode READ promptMode WRITE setPromptMode NOTIFY promptModeChanged)
    // What is used: "template" falls back to "completion" without a template.
    Q_PROPERTY(QString effectivePromptMode READ effectivePromptMode NOTIFY promptModeChanged)
    Q_PROPERTY(QString userLabel READ userLabel WRITE setUserLabel NOTIFY promptModeChanged)
    Q_PROPERTY(QString assistantLabel READ assistantLabel WRITE setAssistantLabel NOTIFY promptModeChanged)
    Q_PROPERTY(bool hasChatTemplate READ hasChatTemplate NOTIFY modelChanged)
    Q_PROPERTY(QString chatTemplateOrigin READ chatTemplateOrigin NOTIFY modelChanged)
    // A template beside the checkpoint that cannot be used (its error), or "".
    Q_PROPERTY(QString chatTemplateProblem READ chatTemplateProblem NOTIFY modelChanged)
    Q_PROPERTY(int lastReusedTokens READ lastReusedTokens NOTIFY statsChanged)
    Q_PROPERTY(int lastDroppedTurns READ lastDroppedTurns NOTIFY statsChanged)
    // The last answer was cut off at the token limit and can be continued.
    Q_PROPERTY(bool canContinue READ canContinue NOTIFY canContinueChanged)
    Q_PROPERTY(QString examplePrompt READ examplePrompt NOTIFY exampleChanged)
    Q_PROPERTY(QString exampleAnswer READ exampleAnswer NOTIFY exampleChanged)
    Q_PROPERTY(bool exampleBusy READ exampleBusy NOTIFY exampleChanged)
public:
    explicit ChatController(QObject* parent = nullptr);
    // For tests: a given backend (e.g. a fake from tests/support with chosen timing).
    explicit ChatController(std::shared_ptr<InferenceBackend> backend, QObject* parent = nullptr);
    ~ChatController() override;

    MessageModel* messages() { return &messages_; }
    SamplingSettings* sampling() { return &sampling_; }
    QString backendName() const { return backendName_; }
    void setBackendName(const QString& name);
    bool loading() const { return pendingLoad_ != 0; }
    bool generating() const { return currentGen_ != 0; }
    bool modelLoaded() const { return !checkpointPath_.isEmpty(); }
    QString checkpointPath() const { return checkpointPath_; }
    QString loadingPath() const { return loadingPath_; }
    QString modelName() const { return card_.name(); }
    QString modelTitle() const;
    ModelCardValue card() const { return card_; }
    QString lastError() const { return lastError_; }
    bool needsTokenizer() const { return !tokenizerWantedFor_.isEmpty(); }
    QString tokenizerWantedFor() const { return tokenizerWantedFor_; }
    QStringList devices() const { return devices_; }
    QString device() const { return device_; }
    void setDevice(const QString& device);
    // The last finished generation's stats, as the engine measured them
    // (reset when another checkpoint loads).
    const waypoint::GenerationStats& lastStats() const { return lastStats_; }
    double tokensPerSecond() const { return lastStats_.decode_tokens_per_s; }
    double timeToFirstTokenMs() const { return lastStats_.time_to_first_token_ms; }
    int lastNewTokens() const { return lastStats_.new_tokens; }
    int lastPromptTokens() const { return lastStats_.prompt_tokens; }  // as fed, BOS included
    QString lastFinish() const { return hasStats_ ? QString::fromLatin1(waypoint::to_string(lastStats_.finish)) : QString(); }
    QString systemPrompt() const { return systemPrompt_; }
    void setSystemPrompt(const QString& text);
    QString promptMode() const { return promptModeName(mode_.mode); }
    void setPromptMode(const QString& mode);
    QString effectivePromptMode() const;
    QString userLabel() const { return mode_.userLabel; }
    void setUserLabel(const QString& label);
    QString assistantLabel() const { return mode_.assistantLabel; }
    void setAssistantLabel(const QString& label);
    bool hasChatTemplate() const { return !chatTemplateOrigin_.isEmpty(); }
    QString chatTemplateOrigin() const { return chatTemplateOrigin_; }
    QString chatTemplateProblem() const { return chatTemplateProblem_; }
    int lastReusedTokens() const { return lastStats_.reused_tokens; }
    int lastDroppedTurns() const { return lastDroppedTurns_; }
    bool canContinue() const;
    // The conversation as the engine gets it: the system prompt, then the
    // model's user and model rows up to (not including) `endRow`.
    ConversationRequest conversationUpTo(int endRow) const;
    QString examplePrompt() const { return examplePrompt_; }
    QString exampleAnswer() const { return exampleAnswer_; }
    bool exampleBusy() const { return exampleId_ != 0; }

    // The fixed prompt of the model card's example, unless the checkpoint's
    // folder holds an example_prompt.txt (e.g. "12+34=" for an arithmetic model).
    static QString examplePromptFor(const QString& checkpointPath);

public Q_SLOTS:
    // With the tokenizer remembered for this checkpoint, if any.
    void load(const QString& path);
    // With this tokenizer (file or folder); remembered for the checkpoint once it loads.
    void loadWithTokenizer(const QString& path, const QString& tokenizer);
    bool send(const QString& prompt);
    void stop();
    void regenerate();
    // Replaces the user message at `row` with `text` and answers it again:
    // the rows after it go (the history keeps them as the earlier branch).
    bool editAndResend(int row, const QString& text);
    // Goes on with the last answer where the token limit cut it.
    bool continueAnswer();
    // A saved chat was opened: its system prompt, and its checkpoint loaded
    // unless it is the one loaded (a clear error when the file is gone).
    void restoreChat(const QString& checkpoint, const QString& systemPrompt);
    void clear();
    // A new chat: the system prompt last used with the loaded checkpoint
    // (empty if none), until the person or an opened chat sets one.
    void useDefaultSystemPrompt();
    void clearError();
    void copyLastAnswer();
    void copyConversation();
    void copyText(const QString& text);
    void requestExample();

Q_SIGNALS:
    void backendChanged();
    void stateChanged();
    void modelChanged();
    void errorChanged();
    void devicesChanged();
    void deviceChanged();
    void statsChanged();
    void exampleChanged();
    void systemPromptChanged();
    void canContinueChanged();
    void promptModeChanged();
    // For the checkpoint library's "loads?" column and recent list.
    void loadSucceeded(const QString& path);
    void loadFailedFor(const QString& path, const QString& message);
    void generationDone();
    // Internal: to the worker (queued).
    void requestLoad(quint64 id, const QString& path, const QString& device, const QString& tokenizer);
    void requestGenerate(quint64 id, const QString& prompt, const waypoint::GenerateOptions& options);
    void requestReply(quint64 id, const waypoint::app::ConversationRequest& request,
                      const waypoint::GenerateOptions& options);
    void requestExampleRun(quint64 id, const QString& prompt, int maxNewTokens);
    void requestDevices();

private:
    void ensureWorker();
    void shutdownWorker();
    // Answers the conversation in rows [0, answer row): a new streaming
    // answer row, or `continued` (the cut-off answer, already re-added).
    void startGeneration(int continuedRow = -1);
    void rememberMode();
    void onReplyFinished(quint64 id, const waypoint::GenerationStats& stats, int droppedTurns);
    void flushDeltas();
    void setError(const QString& message);
    void onLoaded(quint64 id, const waypoint::ModelCard& card, const QString& defaultsJson);
    void onLoadFailed(quint64 id, const QString& path, const QString& message);
    void onToken(quint64 id, const waypoint::TokenEvent& token);
    void onFinished(quint64 id, const waypoint::GenerationStats& stats);
    void onFailed(quint64 id, const QString& message);
    void onExample(quint64 id, const QString& text);

    std::shared_ptr<InferenceBackend> backend_;
    QString backendName_ = QStringLiteral("engine");
    QThread* thread_ = nullptr;
    EngineWorker* worker_ = nullptr;
    // Requests with an id <= this stop before their next token.
    std::shared_ptr<std::atomic<quint64>> cancelUpTo_ = std::make_shared<std::atomic<quint64>>(0);
    quint64 nextId_ = 0;
    quint64 pendingLoad_ = 0;
    quint64 currentGen_ = 0;
    quint64 exampleId_ = 0;
    int answerRow_ = -1;
    QString lastPrompt_;
    QVector<waypoint::TokenEvent> pending_;  // tokens not yet in the model (shown once per frame)
    QTimer flushTimer_;

    MessageModel messages_;
    SamplingSettings sampling_;
    QString checkpointPath_, loadingPath_, lastError_, device_ = QStringLiteral("auto");
    QString loadingTokenizer_, tokenizer_, tokenizerWantedFor_;
    ModelCardValue card_;
    QStringList devices_{QStringLiteral("cpu")};
    waypoint::GenerationStats lastStats_;
    bool hasStats_ = false;
    quint64 statsFromLoad_ = 0;  // answers requested before this load are not the current model's
    QString examplePrompt_, exampleAnswer_;
    QString systemPrompt_;
    // The system prompt is the checkpoint's default (a new chat nobody has
    // set one for): the next checkpoint loaded into an empty chat replaces it.
    bool systemPromptIsDefault_ = true;
    PromptModeChoice mode_;
    QString chatTemplateOrigin_, chatTemplateProblem_, loadingTemplateOrigin_, loadingTemplateProblem_;
    int lastDroppedTurns_ = 0;
};

}  // namespace waypoint::app
