// The conversation as a list model: one row per turn. Only the GUI thread
// touches it; a streaming answer grows by appendText() (batched per frame by
// the controller), which signals a change of the text role only.
#pragma once

#include <QAbstractListModel>
#include <QString>
#include <QVector>
#include <QtQml/qqmlregistration.h>

namespace waypoint::app {

class MessageModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ChatController")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { RoleRole = Qt::UserRole + 1, TextRole, StreamingRole, StatsRole };
    Q_ENUM(Role)

    struct Message {
        QString role;  // "user" | "model" | "error"
        QString text;
        bool streaming = false;
        QString stats;
    };

    explicit MessageModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int append(const QString& role, const QString& text, bool streaming = false);
    void appendText(int row, const QString& delta);
    void finish(int row, const QString& stats);
    void removeLast();
    void clear();
    const Message& at(int row) const { return messages_.at(row); }

    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE QString transcript() const;  // "You: ...\n\nModel: ..." for Copy

Q_SIGNALS:
    void countChanged();

private:
    QVector<Message> messages_;
};

}  // namespace waypoint::app
