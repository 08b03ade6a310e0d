// The conversation as a list model: one row per turn. Only the GUI thread
// touches it; a streaming answer grows by appendTokens() (batched per frame by
// the controller), which appends to the text and the token list and signals
// a change of the text and token-count roles only. Each model message keeps
// its tokens as the engine sent them (waypoint::TokenEvent: id, probability,
// piece, the sampler's top 5) with the characters of the text each produced,
// for the probability popup and the colouring.
#pragma once

#include <QAbstractListModel>
#include <QString>
#include <QVariantMap>
#include <QVector>
#include <QtQml/qqmlregistration.h>

#include "backend/metatypes.h"
#include "backend/token_value.h"

namespace waypoint::app {

class MessageModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ChatController")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        RoleRole = Qt::UserRole + 1, TextRole, StreamingRole, StatsRole, TokenCountRole, AuthorRole,
        FinishRole, AlternativeRole, AlternativesRole, NoticeRole, CheckpointRole, BlocksRole
    };
    Q_ENUM(Role)

    struct Token {
        int start = 0;   // first character (UTF-16 index) of the text this token added
        int length = 0;  // may be 0: a byte of a character finished by a later token
        waypoint::TokenEvent event;  // id, probability, piece, top and top_pieces
    };

    struct Message {
        QString role;  // "user" | "model" | "error"
        QString text;
        bool streaming = false;
        QString stats;
        QVector<Token> tokens;  // sorted by start; model messages only
        QString author;         // the model that wrote a model turn (its name): chats span checkpoint switches
        QString finish;         // model turns: the engine's finish reason ("length", "eos", ...), "" while streaming
        QString checkpoint;     // model turns: the path of the checkpoint that wrote it
        int alternative = 0;    // this turn is alternative `alternative` (0-based) of `alternatives`
        int alternatives = 1;   // (edited or regenerated turns keep the earlier ones: "1/2")
        QString notice;         // a sentence about the answer ("2 earlier turns were left out: ...")
    };

    explicit MessageModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int append(const QString& role, const QString& text, bool streaming = false, const QString& author = {});
    int appendMessage(const Message& message);
    void appendText(int row, const QString& delta);
    // Appends the tokens' deltas to the text and the tokens (id >= 0) to the
    // row's token list, with one dataChanged.
    void appendTokens(int row, const QVector<waypoint::TokenEvent>& tokens);
    void finish(int row, const QString& stats);
    // Replaces every row at once (a saved chat, or another branch of it,
    // opened): aboutToReplace(), one model reset, then replaced(). A view
    // makes the delegates where it stands as it applies the reset, so it
    // empties itself on the first (no height) and puts itself at the end on
    // the second: the first delegates made with the new rows are the last.
    void setMessages(const QVector<Message>& messages);
    void removeLast();
    // Removes rows row..end (an edited turn and what followed it).
    void removeFrom(int row);
    void setFinish(int row, const QString& finish);
    void setAlternatives(int row, int alternative, int alternatives);
    void setNotice(int row, const QString& notice);
    void setCheckpoint(int row, const QString& checkpoint, const QString& author);
    void clear();
    const Message& at(int row) const { return messages_.at(row); }

    QVector<int> tokenIdsAt(int row) const;
    // The tokens of a row (empty for a bad row); for the highlighter.
    const QVector<Token>& tokensAt(int row) const;

    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE QString roleAt(int row) const;
    Q_INVOKABLE QString transcript() const;  // "You: ...\n\nModel: ..." for Copy
    Q_INVOKABLE int tokenCountAt(int row) const;
    // The token and where its text sits; not valid for a bad row or index.
    Q_INVOKABLE waypoint::app::TokenValue tokenAt(int row, int index) const;
    // The token whose text holds character `charPos` (UTF-16 index, as
    // TextEdit counts), or -1 (outside the text, or text no token produced:
    // what the engine held back until the end).
    Q_INVOKABLE int tokenIndexAtCharacter(int row, int charPos) const;

Q_SIGNALS:
    void countChanged();
    // setMessages(): before the reset (the rows are still the old ones), and
    // once it is through (the rows are another conversation's).
    void aboutToReplace();
    void replaced();

private:
    bool validRow(int row) const { return row >= 0 && row < messages_.size(); }

    QVector<Message> messages_;
};

}  // namespace waypoint::app
