// The sampler chain (after llama.cpp's llama-sampling): small pure steps on a
// logits vector, each testable with a hand-made distribution and no model.
//   repetition penalty -> temperature -> top-k -> top-p -> min-p -> draw
// Temperature 0 (or below) means greedy: the argmax, every other step skipped
// except the repetition penalty. Same seed, same draws on the same machine:
// the random stream is our own (splitmix/xoshiro-style, see sampler.cpp), not
// std::uniform_real_distribution, whose output differs between C++ libraries.
#pragma once

#include <cstdint>
#include <vector>

namespace waypoint {

struct SamplingParams {
    float temperature = 0.8f;    // <= 0: greedy
    int top_k = 40;              // <= 0: off
    float top_p = 0.95f;         // >= 1: off
    float min_p = 0.0f;          // <= 0: off; keep p >= min_p * p_max
    float repeat_penalty = 1.0f; // 1: off; > 1 discourages recent tokens
    int repeat_window = 64;      // how many recent tokens the penalty looks at
    uint64_t seed = 0;           // the draw's seed; the caller picks a random one if wanted

    bool greedy() const { return temperature <= 0.0f; }
};

struct Candidate {
    int id = 0;
    float p = 0.0f;  // probability (after temperature; renormalised after filters)
};

// Each step, exposed for tests. `cands` is sorted by descending probability
// by softmax_sorted() and stays sorted through the filters.
void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history,
                              float penalty, int window);
// logits / temperature -> probabilities, sorted descending. temperature > 0.
std::vector<Candidate> softmax_sorted(const std::vector<float>& logits, float temperature);
void keep_top_k(std::vector<Candidate>& cands, int k);
void keep_top_p(std::vector<Candidate>& cands, float p);   // smallest prefix with mass >= p
void keep_min_p(std::vector<Candidate>& cands, float min_p);
void renormalize(std::vector<Candidate>& cands);
int argmax(const std::vector<float>& logits);  // lowest id wins ties

class Sampler {
public:
    explicit Sampler(const SamplingParams& params = {});

    const SamplingParams& params() const { return params_; }
    void reseed(uint64_t seed);

    // Picks the next token from raw logits [vocab]; `logits` is modified (the
    // penalty is applied in place). `history` holds the ids so far.
    int sample(std::vector<float>& logits, const std::vector<int>& history);

    // About the last sample(): the probability of the chosen token and the
    // `n` most likely tokens of the distribution after repetition penalty and
    // temperature (before top-k/top-p/min-p), for display. For greedy
    // sampling the distribution is the plain softmax (temperature 1).
    float last_probability() const { return last_p_; }
    std::vector<Candidate> last_top(int n) const;

private:
    double next_uniform();  // [0, 1)

    SamplingParams params_;
    uint64_t state_[4];
    float last_p_ = 0.0f;
    std::vector<Candidate> last_dist_;  // [V] after temperature, in sample()'s working order
};

}  // namespace waypoint
