// The sampler chain (after llama.cpp's llama-sampling): small steps on the
// candidates of one logits vector, each testable with a hand-made
// distribution and no model. Sampler::sample runs exactly these steps:
//   apply_repetition_penalty -> softmax (temperature) -> keep_top_k ->
//   keep_top_p -> keep_min_p -> draw
// Temperature 0 (or below) means greedy: the argmax, every other step skipped
// except the repetition penalty. Same seed, same draws on the same machine:
// the random stream is our own (splitmix/xoshiro-style, see sampler.cpp), not
// std::uniform_real_distribution, whose output differs between C++ libraries.
#pragma once

#include <cstddef>
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
    float p = 0.0f;  // probability after temperature (filters do not renormalise)
};

// A token chosen by these same steps elsewhere (the CUDA decode step samples
// on the device): what Sampler::last_probability / last_top would report.
struct Pick {
    int id = -1;
    float probability = 0.0f;
    std::vector<Candidate> top;  // most likely first
};

// The candidates the steps work on, without sorting a whole vocabulary
// (V = 32000..50000 for real models). items[0, size) are still in the
// running; items[0, sorted) of them are sorted most likely first (equal
// probabilities: the lower id first, a total order) and are the most likely
// of all in the running. Each step sorts only as far as it needs.
struct Candidates {
    std::vector<Candidate> items;
    size_t size = 0;
    size_t sorted = 0;

    // A hand-made distribution already sorted most likely first: all in the
    // running, all sorted.
    static Candidates from_sorted(std::vector<Candidate> sorted);
    // Those still in the running, most likely first.
    std::vector<Candidate> kept() const;
};

// Each step. Penalises the logits of ids seen in the last `window` ids of
// `history` (window < 0: all; 0: off), each distinct id once: positive logits
// are divided by `penalty`, negative ones multiplied (llama.cpp, CTRL).
void apply_repetition_penalty(std::vector<float>& logits, const std::vector<int>& history,
                              float penalty, int window);
// The ids apply_repetition_penalty changes, ascending (empty when it changes
// none); those outside [0, vocab) are left out.
std::vector<int> penalized_ids(const std::vector<int>& history, float penalty, int window, int vocab);
// logits / temperature -> probabilities in id order (items[i].id == i), all
// in the running, none sorted yet. temperature <= 0 counts as 1; NaN logits
// count as -inf. Reuses `out`'s memory.
void softmax(const std::vector<float>& logits, float temperature, Candidates& out);
// The k most likely (k <= 0 or k >= size: off).
void keep_top_k(Candidates& c, int k);
// The smallest most-likely prefix whose mass reaches p of the mass still in
// the running (p >= 1 or NaN: off; at least one stays). The mass of a full,
// unfiltered list is taken as 1 (softmax's output).
void keep_top_p(Candidates& c, float p);
// Those with p >= min_p * (the most likely's p) (min_p <= 0: off; the most
// likely always stays).
void keep_min_p(Candidates& c, float min_p);
// The candidate at `u` (in [0, 1)) of the mass still in the running, walking
// items[0, size) in their order (sorted where a filter ran, else id order);
// {-1, 0} when none is left.
Candidate draw(const Candidates& c, double u);
int argmax(const std::vector<float>& logits);  // lowest id wins ties; empty: -1

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

    // For a draw made elsewhere with the same steps (the device sampler):
    // the uniform number the next sample() would draw, without taking it
    // (greedy draws none: 0); skip_uniform() then takes it. So the same seed
    // gives the same stream of draws whichever side picks.
    double peek_uniform() const;
    void skip_uniform();

private:
    double next_uniform();  // [0, 1)

    SamplingParams params_;
    uint64_t state_[4];
    float last_p_ = 0.0f;
    Candidates cands_;  // [V] after temperature; the steps' working order
};

}  // namespace waypoint
