// Colours the characters of each generated token by its probability, as a
// QSyntaxHighlighter on a TextEdit's textDocument. Works block by
// block: while an answer streams, Qt re-highlights only the paragraph the new
// text went into, never the whole answer per token. Reusable by any view that
// shows a MessageModel row (chat and compare panes).
#pragma once

#include <QColor>
#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QtQml/qqmlregistration.h>
#include <memory>

#include "chat/message_model.h"

namespace waypoint::app {

class TokenSyntaxHighlighter;

class TokenHighlighter : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QQuickTextDocument* textDocument READ textDocument WRITE setTextDocument NOTIFY changed)
    Q_PROPERTY(waypoint::app::MessageModel* model READ model WRITE setModel NOTIFY changed)
    Q_PROPERTY(int row READ row WRITE setRow NOTIFY changed)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY changed)
public:
    explicit TokenHighlighter(QObject* parent = nullptr);
    ~TokenHighlighter() override;

    QQuickTextDocument* textDocument() const { return document_; }
    void setTextDocument(QQuickTextDocument* document);
    MessageModel* model() const { return model_; }
    void setModel(MessageModel* model);
    int row() const { return row_; }
    void setRow(int row);
    bool active() const { return active_; }
    void setActive(bool active);

    // The background colour for a probability: red (unlikely) through amber
    // to green (near certain), translucent so text stays readable in both themes.
    Q_INVOKABLE static QColor colorFor(double probability);

Q_SIGNALS:
    void changed();

private:
    void rehighlight();

    QPointer<QQuickTextDocument> document_;
    QPointer<MessageModel> model_;
    int row_ = -1;
    bool active_ = false;
    TokenSyntaxHighlighter* highlighter_ = nullptr;  // child of this
};

}  // namespace waypoint::app
