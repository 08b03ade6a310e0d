// The chat history for the GUI thread: every call returns at once (a few
// microseconds: it copies values and posts them), and a thread of its own owns
// the database connection and runs the work in the order it was asked for
// (Qt's threadedfetchmore shape: the store owns the QThread, the destructor
// finishes the queued writes and joins). Ids are made here, so a new chat or
// message can be referred to before it is written.
//
// A streaming answer: startAnswer() once, updateAnswer() with the whole text
// so far as often as wished (each token is fine), finishAnswer() at the end.
// The text is written at most saveIntervalMs after it was given (default
// 500 ms), so a crash loses at most that much of an answer and nothing else.
#pragma once

#include <QHash>
#include <QObject>
#include <QQmlParserStatus>
#include <QThread>
#include <QTimer>
#include <QVariantList>

#include "chat_list_model.h"
#include "history_types.h"

namespace waypoint::history {

class HistoryDatabase;

class HistoryStore : public QObject, public QQmlParserStatus {
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    // The database file; "" (default): history.sqlite in the user's app-data
    // folder. Set before the store opens (QML: in the declaration).
    Q_PROPERTY(QString path READ path WRITE setPath NOTIFY pathChanged)
    Q_PROPERTY(bool ready READ ready NOTIFY readyChanged)
    // A sentence for the person when the history file was set aside or cannot
    // be kept; "" when all is well.
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
    // The last failed write ("Could not save ... : disk full"), or "".
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    Q_PROPERTY(bool persistent READ persistent NOTIFY readyChanged)
    Q_PROPERTY(bool fullTextSearch READ fullTextSearch NOTIFY readyChanged)
    Q_PROPERTY(waypoint::history::ChatListModel* chats READ chats CONSTANT)
    Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY undoChanged)
    Q_PROPERTY(QString undoTitle READ undoTitle NOTIFY undoChanged)
    Q_PROPERTY(int saveIntervalMs READ saveIntervalMs WRITE setSaveIntervalMs NOTIFY saveIntervalChanged)
public:
    explicit HistoryStore(QObject* parent = nullptr);
    ~HistoryStore() override;

    static QString defaultPath();

    QString path() const { return path_; }
    void setPath(const QString& path);
    bool ready() const { return ready_; }
    QString notice() const { return notice_; }
    QString lastError() const { return lastError_; }
    bool persistent() const { return persistent_; }
    bool fullTextSearch() const { return fts_; }
    ChatListModel* chats() { return &chats_; }
    bool canUndoDelete() const { return !deleted_.isEmpty(); }
    QString undoTitle() const { return deleted_.isEmpty() ? QString() : deleted_.last().title; }
    int saveIntervalMs() const { return saveTimer_.interval(); }
    void setSaveIntervalMs(int ms);

    void classBegin() override {}
    void componentComplete() override { open(); }

    // Opens path() (once); ready and the chat list follow.
    Q_INVOKABLE void open();

    // Chats. newChat returns the new chat's id; it is at the top of chats() at once.
    Q_INVOKABLE qint64 newChat(const QString& title = {}, const QString& checkpoint = {},
                               const QString& systemPrompt = {}, const QVariantMap& sampling = {});
    Q_INVOKABLE void renameChat(qint64 chatId, const QString& title);
    Q_INVOKABLE void setSystemPrompt(qint64 chatId, const QString& text);
    Q_INVOKABLE void setSampling(qint64 chatId, const QVariantMap& sampling);
    Q_INVOKABLE void setCheckpoint(qint64 chatId, const QString& checkpoint);
    // Hides the chat at once; undoDelete() brings back the last one deleted.
    // Deleted chats leave the file at the next start.
    Q_INVOKABLE void deleteChat(qint64 chatId);
    Q_INVOKABLE void undoDelete();
    Q_INVOKABLE QVariantMap chat(qint64 chatId) const;  // from the list; {} when unknown

    // Messages. parentId 0: the chat's first message. A new message becomes
    // the chat's current branch end and moves the chat to the top.
    Q_INVOKABLE qint64 addMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& text,
                                  const QString& checkpoint = {}, const QVariantMap& stats = {},
                                  const QString& finishReason = {});
    Q_INVOKABLE qint64 startAnswer(qint64 chatId, qint64 parentId, const QString& checkpoint = {});
    Q_INVOKABLE void updateAnswer(qint64 messageId, const QString& textSoFar);
    Q_INVOKABLE void finishAnswer(qint64 messageId, const QString& text, const QVariantMap& stats = {},
                                  const QString& finishReason = {});

    // Reads the branch ending at `leaf` (0: the chat's current one) and
    // answers with conversationLoaded. showAlternative makes the newest
    // branch through `messageId` current first ("2/2" -> "1/2").
    Q_INVOKABLE void loadConversation(qint64 chatId, qint64 leaf = 0);
    Q_INVOKABLE void showAlternative(qint64 chatId, qint64 messageId);
    // The same for the sibling `step` places from `messageId` (-1: the one
    // before, "2/3" -> "1/3"; +1: the next).
    Q_INVOKABLE void showSibling(qint64 chatId, qint64 messageId, int step);

    // Writes the chat's branch on show to `file` (a path or a file: URL) as
    // Markdown, or JSON when the name ends in .json; answers with exportFinished.
    Q_INVOKABLE void exportChat(qint64 chatId, const QString& file);
    // The folder the export dialog offers first: Documents/Waypoint chats
    // when it exists (where exports went before the dialog asked), else the
    // documents folder (home when there is none). Nothing is created.
    Q_INVOKABLE static QString exportFolder();
    // A file name for exporting the chat ("markdown" or "json"): its title
    // and today's date, not yet taken in `folder` ("Sums 2026-12-01 (2).md").
    Q_INVOKABLE QString exportFileNameFor(qint64 chatId, const QString& format, const QString& folder) const;

    // Waits until everything asked so far is written (tests, shutdown).
    Q_INVOKABLE void sync();

    static QVariantMap toVariant(const MessageRecord& m);

Q_SIGNALS:
    void pathChanged();
    void readyChanged();
    void noticeChanged();
    void lastErrorChanged();
    void undoChanged();
    void saveIntervalChanged();
    void conversationLoaded(qint64 chatId, const QVector<waypoint::history::MessageRecord>& messages);
    // The same for QML: a list of maps (toVariant).
    void conversationLoadedForQml(qint64 chatId, const QVariantList& messages);
    // error is "" on success, else a sentence naming the file.
    void exportFinished(qint64 chatId, const QString& path, const QString& error);
    // A streaming answer's text up to `length` characters is in the file.
    void answerSaved(qint64 messageId, int length);

private:
    // Runs `job` on the database thread, in order.
    template <typename Job>
    void post(Job&& job);
    void reportError(const QString& what, const QString& error);
    void flushAnswers();
    // A message with a new id, made now (the store opened first).
    MessageRecord newMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& checkpoint);
    // Posts its write (`what` names it in an error) and makes it its chat's
    // current branch end, the chat moving to the top; returns its id.
    qint64 saveNew(const MessageRecord& m, const QString& what);
    void saveChat(const ChatRecord& chat);
    // Sets one field of a chat and saves it, unless it holds `value` already.
    template <typename T>
    void setChatField(qint64 chatId, T ChatRecord::*field, const T& value);
    void search(const QString& text);

    QString path_;
    bool opened_ = false, ready_ = false, persistent_ = false, fts_ = false;
    QString notice_, lastError_;
    ChatListModel chats_;
    QVector<ChatRecord> deleted_;  // undo stack
    QThread thread_;
    QObject* worker_ = nullptr;   // lives in thread_; the context of posted jobs
    HistoryDatabase* db_ = nullptr;  // made, used and deleted on thread_ only
    QHash<Id, MessageRecord> streaming_;  // answers started and not finished
    QHash<Id, QString> pendingText_;  // answers' text not yet posted
    QTimer saveTimer_;
    QTimer searchTimer_;
};

}  // namespace waypoint::history
