// Mean NLL of a text under a model, with the windowing protocol of
// ../shared/golden/stories260K_perplexity.json (see waypoint/perplexity.h):
// one Session, reset per window, one batched forward_all per window, and the
// log-softmax of every scored row in double.
#include "waypoint/perplexity.h"

#include <algorithm>
#include <cmath>

#include "waypoint/error.h"
#include "waypoint/session.h"

namespace waypoint {
namespace {

// -log softmax(row)[target], in double: row [V].
double nll_of(const float* row, int vocab, int target) {
    double mx = row[0];
    for (int i = 1; i < vocab; ++i) mx = std::max(mx, double(row[i]));
    double sum = 0.0;
    for (int i = 0; i < vocab; ++i) sum += std::exp(double(row[i]) - mx);
    return (mx + std::log(sum)) - double(row[target]);
}

}  // namespace

int max_perplexity_window(const Model& model) {
    return model.tokenizer().bos() >= 0 ? model.context_length() - 1 : model.context_length();
}

int default_perplexity_window(const std::vector<std::shared_ptr<const Model>>& models) {
    int window = kDefaultPerplexityWindow;
    for (const auto& m : models)
        if (m) window = std::min(window, max_perplexity_window(*m));
    return window;
}

PerplexityResult evaluate_perplexity(std::shared_ptr<const Model> model, const std::string& text,
                                     int window, const std::function<void(long, long)>& progress,
                                     const std::atomic<bool>* stop_flag) {
    if (!model) throw Error(ErrorKind::InvalidArgument, "perplexity: no model");
    const Tokenizer& tok = model->tokenizer();
    const int bos = tok.bos();
    const int context = model->context_length();
    const int max_window = max_perplexity_window(*model);  // BOS takes one position
    if (window < (bos >= 0 ? 1 : 2) || window > max_window)
        throw Error(ErrorKind::InvalidArgument,
                    "perplexity: window " + std::to_string(window) + " does not fit this model (context " +
                        std::to_string(context) + "); use a window of at most " + std::to_string(max_window));

    const std::vector<int> ids = tok.encode(text, /*add_bos=*/false);
    const int vocab = model->vocab_size();
    // Without BOS the first id of each window has nothing to be predicted from.
    const long scored_total = bos >= 0 ? long(ids.size())
                                       : long(ids.size()) - long((ids.size() + size_t(window) - 1) / size_t(window));
    if (scored_total <= 0)
        throw Error(ErrorKind::InvalidArgument, "perplexity: the text encodes to too few tokens to score");

    Session session(model);
    PerplexityResult result;
    double nll_sum = 0.0;
    std::vector<int> input;
    input.reserve(size_t(window) + 1);
    for (size_t start = 0; start < ids.size(); start += size_t(window)) {
        if (stop_flag && stop_flag->load(std::memory_order_acquire)) {
            result.cancelled = true;
            break;
        }
        const size_t end = std::min(ids.size(), start + size_t(window));
        input.clear();
        if (bos >= 0) input.push_back(bos);
        input.insert(input.end(), ids.begin() + std::ptrdiff_t(start), ids.begin() + std::ptrdiff_t(end));
        if (input.size() < 2) continue;  // a lone id without BOS: nothing to score

        session.reset();
        const std::vector<float> logits = session.forward_all(input);  // [n, V]
        if (logits.size() != input.size() * size_t(vocab))
            throw Error(ErrorKind::Internal, "perplexity: forward_all returned an unexpected shape");
        // Row i predicts input[i + 1].
        for (size_t i = 0; i + 1 < input.size(); ++i) {
            nll_sum += nll_of(logits.data() + i * size_t(vocab), vocab, input[i + 1]);
            ++result.tokens;
        }
        if (progress) progress(result.tokens, scored_total);
    }
    if (result.tokens > 0) {
        result.mean_nll = nll_sum / double(result.tokens);
        result.perplexity = std::exp(result.mean_nll);
    }
    return result;
}

}  // namespace waypoint
