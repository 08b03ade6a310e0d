// One pane of the compare view: its own ChatController (worker thread,
// session, sampling settings in their own QSettings scope) over the backend
// the CompareController shares between panes, the answer it shows, and where
// that answer parts from pane 1's.
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>
#include <memory>
#include <vector>

#include "chat/chat_controller.h"

namespace waypoint::app {

class ComparePane : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(ComparePaneState)  // "ComparePane" is the QML component that shows it
    QML_UNCREATABLE("Made by CompareController")
    Q_PROPERTY(int uid READ uid CONSTANT)
    Q_PROPERTY(waypoint::app::ChatController* chat READ chat CONSTANT)
    Q_PROPERTY(waypoint::app::SamplingSettings* sampling READ sampling CONSTANT)
    Q_PROPERTY(QString checkpoint READ checkpoint NOTIFY checkpointChanged)
    Q_PROPERTY(QString answer READ answer NOTIFY answerChanged)
    // Generated-token index where this answer first differs from pane 1's;
    // -1 when identical, not comparable, or pane 1 itself.
    Q_PROPERTY(int divergence READ divergence NOTIFY divergenceChanged)
    // Character offset in `answer` where the differing part starts (-1: none).
    Q_PROPERTY(int divergenceOffset READ divergenceOffset NOTIFY divergenceChanged)
    // "differs from pane 1 at token 3", "same as pane 1", or why not compared.
    Q_PROPERTY(QString divergenceLabel READ divergenceLabel NOTIFY divergenceChanged)
public:
    ComparePane(int uid, std::shared_ptr<InferenceBackend> backend, QObject* parent = nullptr);

    int uid() const { return uid_; }
    ChatController* chat() { return chat_; }
    const ChatController* chat() const { return chat_; }
    SamplingSettings* sampling() { return chat_->sampling(); }
    // The values the last answer was generated with (the drawn seed included).
    waypoint::GenerateOptions lastUsed() const { return chat_->sampling()->lastIssued(); }
    QString checkpoint() const { return checkpoint_; }
    QString answer() const { return answer_; }
    int divergence() const { return divergence_; }
    int divergenceOffset() const { return divergenceOffset_; }
    QString divergenceLabel() const { return divergenceLabel_; }

    void setCheckpoint(const QString& path);
    void setDivergence(int index, int offset, const QString& label);
    // The generated token ids of the current answer (MessageModel's tokens).
    std::vector<int> tokenIds() const;
    // Where each generated token's text starts in `answer` (UTF-16 index).
    QVector<int> tokenStarts() const;

Q_SIGNALS:
    void checkpointChanged();
    void answerChanged();
    void divergenceChanged();

private:
    void refreshAnswer();

    int uid_;
    ChatController* chat_;
    QString checkpoint_, answer_, divergenceLabel_;
    int divergence_ = -1, divergenceOffset_ = -1;
};

}  // namespace waypoint::app
