// A multi-turn conversation over one Session: the messages (system, user,
// assistant), the prompt for the next answer made from them, and the KV cache
// kept across turns so that each answer prefills only what follows the
// longest prefix it shares with what is cached (generate_ids does the reuse).
//
// The prompt comes from the checkpoint's chat template (chat_format.h). A
// checkpoint without one (a base model) is in completion mode: the messages'
// texts appended as they are, one running text the model continues.
// When the prompt and the answer's room no longer fit the context, the oldest
// turns after the system prompt are left out of the prompt (and counted in
// dropped_turns(), for the UI to say so); the messages themselves stay.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "waypoint/chat_format.h"
#include "waypoint/generate.h"
#include "waypoint/session.h"

namespace waypoint {

class Conversation {
public:
    // `format` overrides the checkpoint's own (model->chat_format()).
    explicit Conversation(std::shared_ptr<const Model> model);
    Conversation(std::shared_ptr<const Model> model, ChatFormat format);

    bool uses_template() const { return format_.chat_template.has_value(); }
    const ChatFormat& format() const { return format_; }

    // The system prompt ("" for none); it stays first and is never dropped.
    void set_system(const std::string& text);
    // Every message, the system prompt first when set.
    const std::vector<ChatMessage>& messages() const { return messages_; }
    void add(const std::string& role, const std::string& content);
    // Forget every message but the system prompt (the cache is reused as it
    // matches).
    void clear();

    // The prompt text for the next answer from the messages kept in it (see
    // dropped_turns), ending where the assistant's answer starts.
    std::string prompt_text() const;
    // Its token ids, the template's BOS/EOS texts as their ids. Drops the
    // oldest turns after the system prompt until `reserve` more tokens fit in
    // the context (at least the latest message stays). Throws
    // ChatTemplateError when the template raises.
    std::vector<int> prompt_ids(int reserve);

    // Adds `user` as a user message, answers it and adds the answer as an
    // assistant message. Stops also at the template's end-of-turn strings.
    // on_token may be empty.
    GenerationStats reply(const std::string& user, GenerateOptions options, const TokenCallback& on_token);

    // Turns (a user message and what followed it) left out of the prompt so
    // far because the context is full.
    int dropped_turns() const { return dropped_turns_; }
    // Prompt tokens the last reply() computed; the rest of its prompt came
    // from the KV cache.
    int last_prefill_tokens() const { return last_prefill_tokens_; }
    Session& session() { return session_; }

private:
    std::vector<ChatMessage> kept() const;  // the messages the prompt is made of

    std::shared_ptr<const Model> model_;
    ChatFormat format_;
    Session session_;
    std::vector<ChatMessage> messages_;
    size_t first_kept_ = 0;  // index of the first non-system message in the prompt
    int dropped_turns_ = 0;
    int last_prefill_tokens_ = 0;
};

}  // namespace waypoint
