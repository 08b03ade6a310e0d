#include "waypoint/conversation.h"

#include "generation/token_loop.h"
#include "waypoint/error.h"
#include "waypoint/model.h"

namespace waypoint {

Conversation::Conversation(std::shared_ptr<const Model> model)
    : Conversation(model, chat_format(*model)) {}

Conversation::Conversation(std::shared_ptr<const Model> model, ChatFormat format)
    : model_(std::move(model)), format_(std::move(format)), session_(model_) {}

void Conversation::set_system(const std::string& text) {
    bool has = !messages_.empty() && messages_.front().role == "system";
    if (text.empty()) {
        if (has) {
            messages_.erase(messages_.begin());
            if (first_kept_ > 0) --first_kept_;
        }
    } else if (has) {
        messages_.front().content = text;
    } else {
        messages_.insert(messages_.begin(), ChatMessage{"system", text});
        ++first_kept_;
    }
}

void Conversation::add(const std::string& role, const std::string& content) {
    messages_.push_back({role, content});
}

void Conversation::clear() {
    bool has = !messages_.empty() && messages_.front().role == "system";
    messages_.resize(has ? 1 : 0);
    first_kept_ = messages_.size();
    dropped_turns_ = 0;
}

std::vector<ChatMessage> Conversation::kept() const {
    std::vector<ChatMessage> out;
    bool has = !messages_.empty() && messages_.front().role == "system";
    if (has) out.push_back(messages_.front());
    size_t from = std::max(first_kept_, has ? size_t(1) : size_t(0));
    out.insert(out.end(), messages_.begin() + std::ptrdiff_t(std::min(from, messages_.size())), messages_.end());
    return out;
}

std::string Conversation::prompt_text() const {
    std::vector<ChatMessage> msgs = kept();
    if (format_.chat_template) {
        bool continuing = !msgs.empty() && msgs.back().role == "assistant";
        return format_.chat_template->render(msgs, format_.options(!continuing));
    }
    std::string text;  // completion mode: one running text
    for (const auto& m : msgs) text += m.content;
    return text;
}

std::vector<int> Conversation::prompt_ids(int reserve) {
    const Tokenizer& tok = model_->tokenizer();
    const int context = session_.context_length();
    for (;;) {
        std::vector<int> ids;
        if (format_.chat_template) {
            ids = encode_rendered(tok, prompt_text(), format_);
        } else {
            ids = tok.encode(prompt_text(), true);
        }
        if (int(ids.size()) + reserve <= context) return ids;
        // Drop the oldest turn after the system prompt: a user message and
        // everything up to the next user message. Keep the latest message.
        bool has = !messages_.empty() && messages_.front().role == "system";
        size_t from = std::max(first_kept_, has ? size_t(1) : size_t(0));
        size_t next = from + 1;
        while (next < messages_.size() && messages_[next].role != "user") ++next;
        if (next >= messages_.size()) return ids;  // only the latest turn is left: generate() cuts it
        first_kept_ = next;
        ++dropped_turns_;
    }
}

GenerationStats Conversation::reply(const std::string& user, GenerateOptions options, const TokenCallback& on_token) {
    add("user", user);
    const int reserve = std::min(std::max(options.max_new_tokens, 1), session_.context_length() / 2);
    std::vector<int> ids = prompt_ids(reserve);
    for (const auto& s : format_.stop_strings) options.stop_strings.push_back(s);
    options.add_bos = false;  // the ids carry BOS where the template or encode() put it
    // What generate_ids will reuse: the cached prefix shared with `ids` (the
    // last id is always fed again for its logits).
    last_prefill_tokens_ = int(ids.size() - detail::reusable_prefix(session_.history(), ids));
    std::string answer;
    GenerationStats stats = generate_ids(session_, ids, options, [&](const TokenEvent& e) {
        answer += e.delta;
        if (on_token) on_token(e);
    });
    add("assistant", answer);
    return stats;
}

}  // namespace waypoint
