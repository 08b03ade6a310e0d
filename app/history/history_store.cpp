#include "history_store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>
#include <QUrl>
#include <QStandardPaths>

#include "history_database.h"
#include "history_export.h"
#include "history_ids.h"

namespace waypoint::history {

namespace {
constexpr int kDefaultSaveIntervalMs = 500;  // a streamed answer is on disk within this (plus one write)
constexpr int kSearchDelayMs = 150;          // typing in the search box asks the database once per pause
qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
}  // namespace

HistoryStore::HistoryStore(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ChatRecord>();
    qRegisterMetaType<MessageRecord>();
    qRegisterMetaType<QVector<MessageRecord>>();
    thread_.setObjectName(QStringLiteral("waypoint-history"));
    worker_ = new QObject;  // no parent: it lives in thread_
    worker_->moveToThread(&thread_);
    thread_.start();
    saveTimer_.setSingleShot(true);
    saveTimer_.setInterval(kDefaultSaveIntervalMs);
    connect(&saveTimer_, &QTimer::timeout, this, &HistoryStore::flushAnswers);
    searchTimer_.setSingleShot(true);
    searchTimer_.setInterval(kSearchDelayMs);
    connect(&searchTimer_, &QTimer::timeout, this, [this] { search(chats_.searchText()); });
    connect(&chats_, &ChatListModel::searchRequested, &searchTimer_, qOverload<>(&QTimer::start));
}

HistoryStore::~HistoryStore() {
    // Whatever was asked is written before the thread ends: the last job
    // closes the database and ends the thread's loop, after all jobs before it.
    flushAnswers();
    post([this] {
        delete db_;
        db_ = nullptr;
        QThread::currentThread()->quit();
    });
    thread_.wait();
    delete worker_;
}

QString HistoryStore::defaultPath() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.sqlite");
}

void HistoryStore::setPath(const QString& path) {
    if (path == path_ || opened_) return;  // the file is chosen once, before it opens
    path_ = path;
    Q_EMIT pathChanged();
}

void HistoryStore::setSaveIntervalMs(int ms) {
    if (ms == saveTimer_.interval() || ms < 0) return;
    saveTimer_.setInterval(ms);
    Q_EMIT saveIntervalChanged();
}

template <typename Job>
void HistoryStore::post(Job&& job) {
    QMetaObject::invokeMethod(worker_, std::forward<Job>(job), Qt::QueuedConnection);
}

void HistoryStore::reportError(const QString& what, const QString& error) {
    const QString message = QStringLiteral("Could not %1 in the chat history %2: %3")
                                .arg(what, QDir::toNativeSeparators(path_), error);
    QMetaObject::invokeMethod(this, [this, message] {
        lastError_ = message;
        Q_EMIT lastErrorChanged();
    }, Qt::QueuedConnection);
}

void HistoryStore::open() {
    if (opened_) return;
    opened_ = true;
    if (path_.isEmpty()) {
        path_ = defaultPath();
        Q_EMIT pathChanged();
    }
    const QString path = path_;
    post([this, path] {
        db_ = new HistoryDatabase;
        const QString notice = db_->open(path);
        const QVector<ChatRecord> list = db_->chats();
        const bool persistent = db_->persistent(), fts = db_->fullTextSearch();
        QMetaObject::invokeMethod(this, [=] {
            notice_ = notice;
            persistent_ = persistent;
            fts_ = fts;
            // Chats made before the file was read stay (they are written after it).
            QVector<ChatRecord> all = list;
            for (int r = 0; r < chats_.rowCount(); ++r) {
                ChatRecord c;
                if (chats_.find(chats_.get(r).value(QStringLiteral("chatId")).toLongLong(), &c)) all << c;
            }
            chats_.setChats(all);
            ready_ = true;
            if (!notice.isEmpty()) Q_EMIT noticeChanged();
            Q_EMIT readyChanged();
        }, Qt::QueuedConnection);
    });
}

void HistoryStore::saveChat(const ChatRecord& chat) {
    post([this, chat] {
        if (db_ && !db_->saveChat(chat)) reportError(QStringLiteral("save the chat \"%1\"").arg(chat.title), db_->lastError());
    });
}

qint64 HistoryStore::newChat(const QString& title, const QString& checkpoint, const QString& systemPrompt,
                             const QVariantMap& sampling) {
    open();
    ChatRecord c;
    c.id = nextId();
    c.title = title.isEmpty() ? QStringLiteral("New chat") : title;
    c.checkpoint = checkpoint;
    c.systemPrompt = systemPrompt;
    c.sampling = sampling;
    c.createdMs = c.lastUsedMs = nowMs();
    chats_.upsert(c);
    saveChat(c);
    return c.id;
}

QVariantMap HistoryStore::chat(qint64 chatId) const {
    const int row = chats_.rowOf(chatId);
    if (row >= 0) return chats_.get(row);
    ChatRecord c;
    if (!chats_.find(chatId, &c)) return {};
    return {{QStringLiteral("chatId"), c.id},
            {QStringLiteral("title"), c.title},
            {QStringLiteral("checkpoint"), c.checkpoint},
            {QStringLiteral("systemPrompt"), c.systemPrompt},
            {QStringLiteral("lastUsed"), QDateTime::fromMSecsSinceEpoch(c.lastUsedMs)},
            {QStringLiteral("created"), QDateTime::fromMSecsSinceEpoch(c.createdMs)}};
}

void HistoryStore::renameChat(qint64 chatId, const QString& title) {
    ChatRecord c;
    const QString t = title.trimmed();
    if (t.isEmpty() || !chats_.find(chatId, &c) || c.title == t) return;
    c.title = t;
    chats_.upsert(c);
    post([this, chatId, t] {
        if (db_ && !db_->renameChat(chatId, t)) reportError(QStringLiteral("rename the chat"), db_->lastError());
    });
}

template <typename T>
void HistoryStore::setChatField(qint64 chatId, T ChatRecord::*field, const T& value) {
    ChatRecord c;
    if (!chats_.find(chatId, &c) || c.*field == value) return;
    c.*field = value;
    chats_.upsert(c);
    saveChat(c);
}

void HistoryStore::setSystemPrompt(qint64 chatId, const QString& text) {
    setChatField(chatId, &ChatRecord::systemPrompt, text);
}

void HistoryStore::setSampling(qint64 chatId, const QVariantMap& sampling) {
    setChatField(chatId, &ChatRecord::sampling, sampling);
}

void HistoryStore::setCheckpoint(qint64 chatId, const QString& checkpoint) {
    setChatField(chatId, &ChatRecord::checkpoint, checkpoint);
}

void HistoryStore::deleteChat(qint64 chatId) {
    ChatRecord c;
    if (!chats_.find(chatId, &c)) return;
    flushAnswers();
    deleted_ << c;
    chats_.remove(chatId);
    post([this, chatId] {
        if (db_ && !db_->setDeleted(chatId, true)) reportError(QStringLiteral("delete the chat"), db_->lastError());
    });
    Q_EMIT undoChanged();
}

void HistoryStore::undoDelete() {
    if (deleted_.isEmpty()) return;
    const ChatRecord c = deleted_.takeLast();
    chats_.upsert(c);
    post([this, id = c.id] {
        if (db_ && !db_->setDeleted(id, false)) reportError(QStringLiteral("restore the chat"), db_->lastError());
    });
    Q_EMIT undoChanged();
}

MessageRecord HistoryStore::newMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& checkpoint) {
    open();
    MessageRecord m;
    m.id = nextId();
    m.chatId = chatId;
    m.parentId = parentId;
    m.role = role;
    m.checkpoint = checkpoint;
    m.createdMs = nowMs();
    return m;
}

qint64 HistoryStore::saveNew(const MessageRecord& m, const QString& what) {
    post([this, m, what] {
        if (db_ && !db_->saveMessage(m)) reportError(what, db_->lastError());
    });
    ChatRecord c;
    if (chats_.find(m.chatId, &c)) {
        c.lastUsedMs = qMax(c.lastUsedMs, m.createdMs);
        c.currentLeaf = m.id;
        chats_.upsert(c);
    }
    return m.id;
}

qint64 HistoryStore::addMessage(qint64 chatId, qint64 parentId, const QString& role, const QString& text,
                                const QString& checkpoint, const QVariantMap& stats, const QString& finishReason) {
    MessageRecord m = newMessage(chatId, parentId, role, checkpoint);
    m.text = text;
    m.stats = stats;
    m.finishReason = finishReason;
    return saveNew(m, QStringLiteral("save a message"));
}

qint64 HistoryStore::startAnswer(qint64 chatId, qint64 parentId, const QString& checkpoint) {
    MessageRecord m = newMessage(chatId, parentId, QStringLiteral("assistant"), checkpoint);
    m.complete = false;
    streaming_.insert(m.id, m);
    return saveNew(m, QStringLiteral("save an answer"));
}

void HistoryStore::updateAnswer(qint64 messageId, const QString& textSoFar) {
    if (!streaming_.contains(messageId)) return;
    pendingText_.insert(messageId, textSoFar);
    if (!saveTimer_.isActive()) saveTimer_.start();
}

void HistoryStore::flushAnswers() {
    saveTimer_.stop();
    if (pendingText_.isEmpty()) return;
    const QHash<Id, QString> updates = std::exchange(pendingText_, {});
    post([this, updates] {
        if (!db_) return;
        for (auto it = updates.begin(); it != updates.end(); ++it) {
            if (!db_->updateText(it.key(), it.value())) {
                reportError(QStringLiteral("save an answer"), db_->lastError());
                continue;
            }
            const qint64 id = it.key();
            const int length = int(it.value().size());
            QMetaObject::invokeMethod(this, [this, id, length] { Q_EMIT answerSaved(id, length); }, Qt::QueuedConnection);
        }
    });
}

void HistoryStore::finishAnswer(qint64 messageId, const QString& text, const QVariantMap& stats,
                                const QString& finishReason) {
    auto it = streaming_.find(messageId);
    if (it == streaming_.end()) return;
    MessageRecord m = *it;
    streaming_.erase(it);
    pendingText_.remove(messageId);
    m.text = text;
    m.stats = stats;
    m.finishReason = finishReason;
    m.complete = true;
    post([this, m] {
        if (!db_) return;
        if (!db_->saveMessage(m)) {
            reportError(QStringLiteral("save an answer"), db_->lastError());
            return;
        }
        QMetaObject::invokeMethod(this, [this, id = m.id, length = int(m.text.size())] { Q_EMIT answerSaved(id, length); },
                                  Qt::QueuedConnection);
    });
}

QVariantMap HistoryStore::toVariant(const MessageRecord& m) {
    return {{QStringLiteral("id"), m.id},
            {QStringLiteral("chatId"), m.chatId},
            {QStringLiteral("parentId"), m.parentId},
            {QStringLiteral("role"), m.role},
            {QStringLiteral("text"), m.text},
            {QStringLiteral("checkpoint"), m.checkpoint},
            {QStringLiteral("stats"), m.stats},
            {QStringLiteral("finishReason"), m.finishReason},
            {QStringLiteral("created"), QDateTime::fromMSecsSinceEpoch(m.createdMs)},
            {QStringLiteral("complete"), m.complete},
            {QStringLiteral("alternative"), m.alternative},
            {QStringLiteral("alternatives"), m.alternatives}};
}

void HistoryStore::loadConversation(qint64 chatId, qint64 leaf) {
    open();
    flushAnswers();  // a streaming answer is read as it is now
    post([this, chatId, leaf] {
        if (!db_) return;
        const QVector<MessageRecord> messages = db_->conversation(chatId, leaf);
        QMetaObject::invokeMethod(this, [this, chatId, messages] {
            QVariantList list;
            for (const MessageRecord& m : messages) list << toVariant(m);
            Q_EMIT conversationLoaded(chatId, messages);
            Q_EMIT conversationLoadedForQml(chatId, list);
        }, Qt::QueuedConnection);
    });
}

void HistoryStore::showAlternative(qint64 chatId, qint64 messageId) { showSibling(chatId, messageId, 0); }

void HistoryStore::showSibling(qint64 chatId, qint64 messageId, int step) {
    open();
    flushAnswers();
    post([this, chatId, messageId, step] {
        if (!db_) return;
        const Id sibling = step ? db_->siblingOf(messageId, step) : messageId;
        const Id leaf = sibling ? db_->newestLeafUnder(sibling) : 0;
        if (!leaf || !db_->setCurrentLeaf(chatId, leaf)) return;
        const QVector<MessageRecord> messages = db_->conversation(chatId, leaf);
        QMetaObject::invokeMethod(this, [this, chatId, leaf, messages] {
            ChatRecord c;
            if (chats_.find(chatId, &c)) {
                c.currentLeaf = leaf;
                chats_.upsert(c);
            }
            QVariantList list;
            for (const MessageRecord& m : messages) list << toVariant(m);
            Q_EMIT conversationLoaded(chatId, messages);
            Q_EMIT conversationLoadedForQml(chatId, list);
        }, Qt::QueuedConnection);
    });
}

void HistoryStore::search(const QString& text) {
    open();
    post([this, text] {
        if (!db_) return;
        const QVector<Id> ids = db_->search(text);
        QMetaObject::invokeMethod(this, [this, text, ids] { chats_.setMatches(text, ids); }, Qt::QueuedConnection);
    });
}

QString HistoryStore::exportFolder() {
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString chats = documents + QStringLiteral("/Waypoint chats");
    if (QFileInfo(chats).isDir()) return chats;
    return QFileInfo(documents).isDir() ? documents : QDir::homePath();
}

QString HistoryStore::exportFileNameFor(qint64 chatId, const QString& format, const QString& folder) const {
    QString title = chat(chatId).value(QStringLiteral("title")).toString();
    title.replace(QRegularExpression(QStringLiteral("[^\\w\\- ]+")), QStringLiteral("_"));
    title = title.simplified().left(50).trimmed();
    if (title.isEmpty()) title = QStringLiteral("chat");
    const QString stem = QStringLiteral("%1 %2").arg(title, QDate::currentDate().toString(Qt::ISODate));
    const QString ext = format == QLatin1String("json") ? QStringLiteral(".json") : QStringLiteral(".md");
    const QDir dir(folder.startsWith(QLatin1String("file:")) ? QUrl(folder).toLocalFile() : folder);
    QString name = stem + ext;
    for (int n = 2; dir.exists(name); ++n) name = QStringLiteral("%1 (%2)%3").arg(stem).arg(n).arg(ext);
    return name;
}

void HistoryStore::exportChat(qint64 chatId, const QString& file) {
    open();
    flushAnswers();
    const QString path = file.startsWith(QLatin1String("file:")) ? QUrl(file).toLocalFile() : file;
    post([this, chatId, path] {
        QString error;
        ChatRecord chat;
        if (!db_ || !db_->chat(chatId, &chat)) {
            error = QStringLiteral("That chat is not in the history any more.");
        } else {
            const QVector<MessageRecord> messages = db_->conversation(chatId);
            const QByteArray bytes = exportFormatFor(path) == QLatin1String("json")
                                         ? chatToJson(chat, messages)
                                         : chatToMarkdown(chat, messages).toUtf8();
            QDir().mkpath(QFileInfo(path).absolutePath());
            QSaveFile out(path);  // all or nothing: an old file is replaced only when the new one is whole
            if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
                error = QStringLiteral("Could not write %1: %2. Choose another folder or free some space.")
                            .arg(QDir::toNativeSeparators(path), out.errorString());
        }
        QMetaObject::invokeMethod(this, [this, chatId, path, error] { Q_EMIT exportFinished(chatId, path, error); },
                                  Qt::QueuedConnection);
    });
}

void HistoryStore::sync() {
    flushAnswers();
    QMetaObject::invokeMethod(worker_, [] {}, Qt::BlockingQueuedConnection);
    // The answers the jobs sent back are delivered now, in order.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

}  // namespace waypoint::history
