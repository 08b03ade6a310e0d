#include "chat_recorder.h"

#include <QFileInfo>
#include <QVariantMap>
#include <algorithm>

#include "chat/chat_controller.h"

using waypoint::history::HistoryStore;
using waypoint::history::MessageRecord;

namespace waypoint::app {

namespace {
// The model calls the answering side "model"; the history (like chat
// templates and OpenAI-style files) calls it "assistant".
QString shownRole(const QString& role) { return role == QLatin1String("assistant") ? QStringLiteral("model") : role; }
}  // namespace

ChatRecorder::ChatRecorder(QObject* parent) : QObject(parent) {}

void ChatRecorder::setHistory(HistoryStore* history) {
    if (history_ == history) return;
    if (history_) disconnect(history_, nullptr, this, nullptr);
    history_ = history;
    if (history_) {
        connect(history_, &HistoryStore::conversationLoaded, this, &ChatRecorder::onLoaded);
        connect(history_->chats(), &QAbstractItemModel::rowsRemoved, this, &ChatRecorder::onChatsChanged);
        connect(history_->chats(), &QAbstractItemModel::modelReset, this, &ChatRecorder::onChatsChanged);
    }
    Q_EMIT historyChanged();
}

void ChatRecorder::setMessages(MessageModel* messages) {
    if (messages_ == messages) return;
    if (messages_) disconnect(messages_, nullptr, this, nullptr);
    messages_ = messages;
    rowIds_.clear();
    streaming_.clear();
    if (messages_) {
        connect(messages_, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex&, int first, int last) { onRowsInserted(first, last); });
        connect(messages_, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex& a, const QModelIndex& b) { onDataChanged(a.row(), b.row()); });
        connect(messages_, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                [this](const QModelIndex&, int first, int last) { onRowsAboutToBeRemoved(first, last); });
        connect(messages_, &QAbstractItemModel::rowsRemoved, this,
                [this](const QModelIndex&, int first, int last) { onRowsRemoved(first, last); });
        connect(messages_, &QAbstractItemModel::modelReset, this, &ChatRecorder::onReset);
        rowIds_.fill(0, messages_->rowCount());
        streaming_.fill(false, messages_->rowCount());
    }
    Q_EMIT messagesChanged();
}

void ChatRecorder::setController(QObject* controller) {
    if (controller_ == controller) return;
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = controller;
    if (auto* c = qobject_cast<ChatController*>(controller))
        connect(c, &ChatController::systemPromptChanged, this, &ChatRecorder::onSystemPromptChanged);
    Q_EMIT controllerChanged();
}

void ChatRecorder::setChatId(qint64 id) {
    if (id == chatId_) return;
    chatId_ = id;
    Q_EMIT chatIdChanged();
}

QString ChatRecorder::checkpoint() const {
    return controller_ ? controller_->property("checkpointPath").toString() : QString();
}

QString ChatRecorder::titleFor(const QString& firstMessage) {
    QString line = firstMessage.trimmed().section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > 60) line = line.left(59).trimmed() + QChar(0x2026);
    return line.isEmpty() ? QStringLiteral("New chat") : line;
}

void ChatRecorder::onRowsInserted(int first, int last) {
    for (int row = first; row <= last; ++row) {
        rowIds_.insert(row, 0);
        streaming_.insert(row, false);
    }
    if (restoring_ || !history_ || !messages_) return;
    for (int row = first; row <= last; ++row) {
        const MessageModel::Message& m = messages_->at(row);
        if (m.role != QLatin1String("user") && m.role != QLatin1String("model")) continue;  // errors are not kept
        qint64 parent = 0;
        for (int r = row - 1; r >= 0 && !parent; --r) parent = rowIds_.at(r);
        if (!chatId_) {
            const QString system = controller_ ? controller_->property("systemPrompt").toString() : QString();
            setChatId(history_->newChat(titleFor(m.text), checkpoint(), system));
        }
        if (row == replacedRow_) {  // the next alternative of the turn removed there
            messages_->setAlternatives(row, replacedAlternatives_, replacedAlternatives_ + 1);
            replacedRow_ = -1;
        }
        if (m.role == QLatin1String("user")) {
            rowIds_[row] = history_->addMessage(chatId_, parent, QStringLiteral("user"), m.text);
        } else if (m.streaming) {
            rowIds_[row] = history_->startAnswer(chatId_, parent, checkpoint());
            history_->setCheckpoint(chatId_, checkpoint());  // the chat reopens with the checkpoint it last used
            streaming_[row] = true;
            if (!m.text.isEmpty()) history_->updateAnswer(rowIds_[row], m.text);
        } else {
            rowIds_[row] = history_->addMessage(chatId_, parent, QStringLiteral("assistant"), m.text, checkpoint());
        }
    }
}

void ChatRecorder::onDataChanged(int first, int last) {
    if (restoring_ || !history_ || !messages_) return;
    for (int row = first; row <= last && row < streaming_.size(); ++row) {
        if (!streaming_.at(row)) continue;
        const MessageModel::Message& m = messages_->at(row);
        if (m.streaming) history_->updateAnswer(rowIds_.at(row), m.text);
        else finishAnswer(row);
    }
}

void ChatRecorder::finishAnswer(int row) {
    const MessageModel::Message& m = messages_->at(row);
    streaming_[row] = false;
    // stop() and failures finish the row with "stopped" / "failed" and leave
    // the controller's stats as they were; a finished answer has fresh ones.
    QString finish = m.stats;
    QVariantMap stats{{QStringLiteral("summary"), m.stats}};
    if (m.stats != QLatin1String("stopped") && m.stats != QLatin1String("failed") && controller_) {
        finish = controller_->property("lastFinish").toString();
        stats.insert(QStringLiteral("newTokens"), controller_->property("lastNewTokens"));
        stats.insert(QStringLiteral("promptTokens"), controller_->property("lastPromptTokens"));
        stats.insert(QStringLiteral("tokensPerSecond"), controller_->property("tokensPerSecond"));
        stats.insert(QStringLiteral("timeToFirstTokenMs"), controller_->property("timeToFirstTokenMs"));
    }
    history_->finishAnswer(rowIds_.at(row), m.text, stats, finish);
}

void ChatRecorder::onRowsAboutToBeRemoved(int first, int) {
    if (restoring_ || !messages_) return;
    replacedRow_ = first;
    replacedAlternatives_ = messages_->at(first).alternatives;
}

void ChatRecorder::onSystemPromptChanged() {
    if (restoring_ || !history_ || !chatId_ || !controller_) return;
    history_->setSystemPrompt(chatId_, controller_->property("systemPrompt").toString());
}

void ChatRecorder::showAlternative(int row, int step) {
    if (!history_ || !chatId_ || row < 0 || row >= rowIds_.size() || !rowIds_.at(row)) return;
    if (controller_ && controller_->property("generating").toBool()) return;  // the branch on show is being written
    opening_ = chatId_;
    history_->showSibling(chatId_, rowIds_.at(row), step);
}

void ChatRecorder::onRowsRemoved(int first, int last) {
    // Regenerate removes the last answer; the saved one stays as an
    // alternative, and the next answer is saved beside it.
    // (An answer removed while streaming stays saved as cut off.)
    for (int row = last; row >= first && row < rowIds_.size(); --row) {
        rowIds_.remove(row);
        streaming_.remove(row);
    }
}

void ChatRecorder::onReset() {
    replacedRow_ = -1;
    rowIds_.fill(0, messages_ ? messages_->rowCount() : 0);
    streaming_.fill(false, rowIds_.size());
    if (!restoring_) setChatId(0);  // cleared: the next message starts a new chat
}

void ChatRecorder::openChat(qint64 chatId) {
    if (!history_ || !chatId) return;
    opening_ = chatId;
    reloadCheckpoint_ = true;
    history_->loadConversation(chatId);
}

void ChatRecorder::startNewChat() {
    opening_ = 0;
    replacedRow_ = -1;
    rowIds_.fill(0);
    setChatId(0);
}

void ChatRecorder::openMostRecent() {
    if (!history_ || history_->chats()->rowCount() == 0) return;
    openChat(history_->chats()->get(0).value(QStringLiteral("chatId")).toLongLong());
    reloadCheckpoint_ = false;
}

void ChatRecorder::onLoaded(qint64 chatId, const QVector<MessageRecord>& saved) {
    if (chatId != opening_ || !messages_) return;
    opening_ = 0;
    restoring_ = true;
    // All rows in one reset: the view makes the delegates of the end only.
    QVector<MessageModel::Message> rows;
    rows.reserve(saved.size());
    for (const MessageRecord& m : saved) {
        MessageModel::Message row;
        row.role = shownRole(m.role);
        row.text = m.text;
        if (m.role == QLatin1String("assistant")) {
            row.stats = m.stats.value(QStringLiteral("summary")).toString();
            if (!m.complete) row.stats = row.stats.isEmpty() ? QStringLiteral("cut off") : row.stats + QStringLiteral(" · cut off");
            row.finish = m.finishReason;
            // Which checkpoint wrote it: its file (or folder) name.
            if (!m.checkpoint.isEmpty()) {
                row.checkpoint = m.checkpoint;
                row.author = QFileInfo(m.checkpoint).fileName();
            }
        }
        row.alternative = m.alternative;
        row.alternatives = std::max(1, m.alternatives);
        rows << row;
    }
    messages_->setMessages(rows);  // onReset() sizes rowIds_
    for (int row = 0; row < saved.size(); ++row) rowIds_[row] = saved.at(row).id;
    const QVariantMap chat = history_->chat(chatId);
    const bool sameChat = chatId == chatId_;
    replacedRow_ = -1;
    setChatId(chatId);
    // Switching branches keeps the chat's checkpoint and system prompt as they are.
    if (!sameChat) {
        if (auto* c = qobject_cast<ChatController*>(controller_))
            c->restoreChat(reloadCheckpoint_ ? chat.value(QStringLiteral("checkpoint")).toString() : QString(),
                           chat.value(QStringLiteral("systemPrompt")).toString());
    }
    restoring_ = false;
}

void ChatRecorder::onChatsChanged() {
    // The chat on show was deleted: what comes next starts a new chat.
    if (chatId_ && history_ && history_->chat(chatId_).isEmpty()) {
        rowIds_.fill(0);
        setChatId(0);
    }
}

}  // namespace waypoint::app
