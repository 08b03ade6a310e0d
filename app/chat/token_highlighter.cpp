#include "token_highlighter.h"

#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <QTextDocument>
#include <algorithm>
#include <array>

namespace waypoint::app {

namespace {
constexpr int kBuckets = 20;  // probability steps of 5%: one shared format each
}

class TokenSyntaxHighlighter : public QSyntaxHighlighter {
public:
    explicit TokenSyntaxHighlighter(QObject* parent) : QSyntaxHighlighter(parent) {
        for (int i = 0; i < kBuckets; ++i)
            formats_[size_t(i)].setBackground(TokenHighlighter::colorFor((i + 0.5) / kBuckets));
    }
    const MessageModel* model = nullptr;
    int row = -1;
    bool active = false;

protected:
    void highlightBlock(const QString& text) override {
        if (!active || !model || text.isEmpty()) return;
        const QVector<MessageModel::Token>& tokens = model->tokensAt(row);
        if (tokens.isEmpty()) return;
        const int from = currentBlock().position();
        const int to = from + int(text.size());
        // The first token ending after the block's start (tokens are sorted and tile the text).
        auto it = std::upper_bound(tokens.begin(), tokens.end(), from,
                                   [](int pos, const MessageModel::Token& t) { return pos < t.start + t.length; });
        for (; it != tokens.end() && it->start < to; ++it) {
            if (it->length == 0) continue;
            const int a = std::max(it->start, from), b = std::min(it->start + it->length, to);
            const int bucket = std::clamp(int(it->event.probability * kBuckets), 0, kBuckets - 1);
            setFormat(a - from, b - a, formats_[size_t(bucket)]);
        }
    }

private:
    std::array<QTextCharFormat, kBuckets> formats_;
};

TokenHighlighter::TokenHighlighter(QObject* parent)
    : QObject(parent), highlighter_(new TokenSyntaxHighlighter(this)) {}

TokenHighlighter::~TokenHighlighter() = default;

QColor TokenHighlighter::colorFor(double p) {
    p = std::clamp(p, 0.0, 1.0);
    // Hue 0 (red) at p = 0 to 120 (green) at p = 1; likelier tokens fainter.
    return QColor::fromHsvF(float(p / 3.0), 0.85f, 0.95f, float(0.55 - 0.35 * p));
}

void TokenHighlighter::setTextDocument(QQuickTextDocument* document) {
    if (document == document_) return;
    document_ = document;
    highlighter_->setDocument(document ? document->textDocument() : nullptr);
    Q_EMIT changed();
}

void TokenHighlighter::setModel(MessageModel* model) {
    if (model == model_) return;
    model_ = model;
    highlighter_->model = model;
    rehighlight();
    Q_EMIT changed();
}

void TokenHighlighter::setRow(int row) {
    if (row == row_) return;
    row_ = row;
    highlighter_->row = row;
    rehighlight();
    Q_EMIT changed();
}

void TokenHighlighter::setActive(bool active) {
    if (active == active_) return;
    active_ = active;
    highlighter_->active = active;
    rehighlight();
    Q_EMIT changed();
}

void TokenHighlighter::rehighlight() {
    if (highlighter_->document()) highlighter_->rehighlight();
}

}  // namespace waypoint::app
