// Keeps the conversation on show and the saved history in step, by watching
// the chat's MessageModel (it never drives the engine): a first user message
// starts a saved chat (titled by its first line), each user turn is added, an
// answer is saved while it streams and finished with the controller's stats;
// regenerate (the last answer removed, a new one streamed) keeps the old answer
// as an alternative; clear() on the model starts a new chat. openChat() puts a
// saved chat back into the model (also on start: the most recent chat).
#pragma once

#include <QObject>
#include <QPointer>
#include <QVector>
#include <QtQml/qqmlregistration.h>

#include "chat/message_model.h"
#include "history_store.h"

namespace waypoint::app {

class ChatRecorder : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(waypoint::history::HistoryStore* history READ history WRITE setHistory NOTIFY historyChanged)
    Q_PROPERTY(waypoint::app::MessageModel* messages READ messages WRITE setMessages NOTIFY messagesChanged)
    // Where the checkpoint path and the last answer's stats are read
    // (checkpointPath, lastFinish, lastNewTokens, lastPromptTokens,
    // tokensPerSecond, timeToFirstTokenMs: ChatController's properties).
    Q_PROPERTY(QObject* controller READ controller WRITE setController NOTIFY controllerChanged)
    // The saved chat on show; 0 until the first message of a new chat.
    Q_PROPERTY(qint64 chatId READ chatId NOTIFY chatIdChanged)
public:
    explicit ChatRecorder(QObject* parent = nullptr);

    waypoint::history::HistoryStore* history() const { return history_; }
    void setHistory(waypoint::history::HistoryStore* history);
    MessageModel* messages() const { return messages_; }
    void setMessages(MessageModel* messages);
    QObject* controller() const { return controller_; }
    void setController(QObject* controller);
    qint64 chatId() const { return chatId_; }

    // Shows the saved chat (its current branch) in the model, with its system
    // prompt, and has the controller load the checkpoint it used.
    Q_INVOKABLE void openChat(qint64 chatId);
    // Forgets the chat on show: the next message starts a new one (New chat).
    Q_INVOKABLE void startNewChat();
    // Shows the most recently used chat, if there is one (for the start: the
    // checkpoint the app starts on, e.g. --checkpoint, stays).
    Q_INVOKABLE void openMostRecent();
    // Shows the alternative `step` places from the one at `row` ("1/2" ->
    // "2/2" is +1), with the newest continuation under it.
    Q_INVOKABLE void showAlternative(int row, int step);
    // The chat's title from its first message: the first line, at most 60 characters.
    static QString titleFor(const QString& firstMessage);

Q_SIGNALS:
    void historyChanged();
    void messagesChanged();
    void controllerChanged();
    void chatIdChanged();

private:
    void onRowsInserted(int first, int last);
    void onDataChanged(int first, int last);
    void onRowsAboutToBeRemoved(int first, int last);
    void onRowsRemoved(int first, int last);
    void onSystemPromptChanged();
    void onReset();
    void onLoaded(qint64 chatId, const QVector<waypoint::history::MessageRecord>& messages);
    void onChatsChanged();
    void setChatId(qint64 id);
    QString checkpoint() const;
    void finishAnswer(int row);

    QPointer<waypoint::history::HistoryStore> history_;
    QPointer<MessageModel> messages_;
    QPointer<QObject> controller_;
    qint64 chatId_ = 0;
    qint64 opening_ = 0;           // a chat asked for and not yet loaded
    bool reloadCheckpoint_ = true; // opening_ loads the chat's checkpoint
    bool restoring_ = false;       // the model changes are ours: do not record them
    QVector<qint64> rowIds_;       // the saved message of each model row (0: not saved, e.g. an error)
    QVector<bool> streaming_;      // rows whose answer is still open in the store
    // An edited, regenerated or continued turn: the row removed last and how
    // many alternatives it had; a row inserted there is the next one.
    int replacedRow_ = -1;
    int replacedAlternatives_ = 0;
};

}  // namespace waypoint::app
