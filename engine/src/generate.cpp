// The generation loop (waypoint/generate.h) over one Session: the per-token
// logic is detail::TokenLoop (generation/token_loop.h), shared with the
// batched decoder.
#include "waypoint/generate.h"

#include "generation/token_loop.h"
#include "waypoint/error.h"
#include "waypoint/tokenizer.h"

namespace waypoint {

using detail::fit_to_context;

const char* to_string(FinishReason reason) {
    switch (reason) {
    case FinishReason::Length: return "length";
    case FinishReason::Eos: return "eos";
    case FinishReason::StopString: return "stop_string";
    case FinishReason::Stopped: return "stopped";
    case FinishReason::ContextFull: return "context_full";
    }
    return "unknown";
}

std::vector<int> encode_prompt(const Session& session, const std::string& prompt,
                               const GenerateOptions& options) {
    const Tokenizer& tok = session.model().tokenizer();
    const bool bos = options.add_bos && tok.bos() >= 0;
    std::vector<int> ids = tok.encode(prompt, bos);
    if (ids.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    prompt.empty()
                        ? std::string("empty prompt: ") +
                              (tok.bos() < 0 ? "this model's tokenizer has no BOS token to start from"
                                             : "BOS is turned off") +
                              "; give some prompt text"
                        : "the prompt encodes to no tokens; give some other prompt text");
    }
    return fit_to_context(ids, session.context_length(), tok.bos());
}

GenerationStats generate(Session& session, const std::string& prompt,
                         const GenerateOptions& options, const TokenCallback& on_token) {
    const std::vector<int> ids = encode_prompt(session, prompt, options);
    session.reset();
    return generate_ids(session, ids, options, on_token);
}

GenerationStats generate_ids(Session& session, const std::vector<int>& prompt_ids,
                             const GenerateOptions& options, const TokenCallback& on_token,
                             std::vector<int>* generated_ids) {
    detail::TokenLoop loop(session, prompt_ids, options, on_token, generated_ids);
    std::vector<float> logits = session.prefill(loop.to_prefill());  // [V]
    loop.prefilled();
    // feed(): the session's step, and the next token (on the device where it samples there).
    for (int id = loop.next(logits); id >= 0; id = loop.feed(id)) {
    }
    return loop.finish();
}

}  // namespace waypoint
