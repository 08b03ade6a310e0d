// waypoint-bench-batch: aggregate decode tokens/s of batched decoding
// (waypoint/batch.h) at several numbers of concurrent streams, beside the
// single-stream figure (Session::step, the path one chat takes) measured in
// the same run, interleaved, medians over --repeat rounds. Prints one JSON
// object. Engine only.
/* For example:
     waypoint-bench-batch --checkpoint /tmp/rnd/stories110M.bin \
         --tokenizer ../shared/tokenizers/llama2/tokenizer.model --threads 2 --streams 1,4,8,16
*/
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "waypoint/batch.h"
#include "waypoint/error.h"
#include "waypoint/generate.h"
#include "waypoint/model.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"
#include "waypoint/startup.h"
#include "waypoint/system_info.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
    std::string checkpoint, tokenizer, dtype = "auto";
    int threads = 0;
    int prompt_tokens = 32;
    int decode_tokens = 64;
    int repeat = 3;
    std::vector<int> streams = {1, 4, 8, 16};
};

const char* kUsage =
    "usage: waypoint-bench-batch --checkpoint PATH [--tokenizer PATH] [--dtype auto|fp32|bf16|fp16]\n"
    "                            [--threads N] [--streams 1,4,8,16] [--prompt-tokens 32]\n"
    "                            [--decode-tokens 64] [--repeat 3]\n"
    "Aggregate decode tokens/s of N concurrent greedy streams (one batched step for all)\n"
    "beside one stream decoded alone, on the CPU; prints one JSON object.\n";

int to_int(const std::string& flag, const std::string& v, int lo) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > 1000000)
        throw std::runtime_error(flag + " wants a whole number >= " + std::to_string(lo) + " (got \"" + v + "\")");
    return int(n);
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string f = argv[i];
        if (f == "--help" || f == "-h") throw std::runtime_error("help");
        if (i + 1 >= argc) throw std::runtime_error(f + " needs a value");
        const std::string v = argv[++i];
        if (f == "--checkpoint") a.checkpoint = v;
        else if (f == "--tokenizer") a.tokenizer = v;
        else if (f == "--dtype") a.dtype = v;
        else if (f == "--threads") a.threads = to_int(f, v, 0);
        else if (f == "--prompt-tokens") a.prompt_tokens = to_int(f, v, 1);
        else if (f == "--decode-tokens") a.decode_tokens = to_int(f, v, 2);
        else if (f == "--repeat") a.repeat = to_int(f, v, 1);
        else if (f == "--streams") {
            a.streams.clear();
            std::stringstream ss(v);
            std::string item;
            while (std::getline(ss, item, ',')) a.streams.push_back(to_int(f, item, 1));
            if (a.streams.empty()) throw std::runtime_error("--streams wants a list like 1,4,8,16");
        } else {
            throw std::runtime_error("unknown option " + f);
        }
    }
    if (a.checkpoint.empty()) throw std::runtime_error("--checkpoint is required");
    return a;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Deterministic prompt ids in [3, vocab) after BOS, different per stream.
std::vector<int> prompt_ids(int n, int vocab, int bos, uint64_t stream) {
    std::vector<int> ids(static_cast<size_t>(n));
    uint64_t s = 0x9E3779B97F4A7C15ull ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < n; ++i) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        ids[size_t(i)] = 3 + int(s % uint64_t(std::max(1, vocab - 3)));
    }
    if (bos >= 0) ids[0] = bos;
    return ids;
}

waypoint::GenerateOptions greedy(int tokens) {
    waypoint::GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_new_tokens = tokens;
    o.stop_at_eos = false;  // random weights: the same work every run
    return o;
}

// One stream alone through Session::step: decode tokens/s after the first
// token, and the greedy ids.
double single_stream(const std::shared_ptr<const waypoint::Model>& model, const std::vector<int>& prompt,
                     int tokens, std::vector<int>* ids) {
    waypoint::Session s(model);
    std::vector<float> logits = s.prefill(prompt);
    int tok = waypoint::argmax(logits);
    ids->assign(1, tok);
    const auto t0 = Clock::now();
    for (int i = 1; i < tokens; ++i) {
        tok = waypoint::argmax(s.step(tok));
        ids->push_back(tok);
    }
    const double s_elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    return double(tokens - 1) / s_elapsed;
}

// n streams in one BatchDecoder: aggregate decode tokens/s over the steps
// after every stream's prefill and first token (one step() admits them all).
// ids0: stream 0's greedy ids.
double batched(const std::shared_ptr<const waypoint::Model>& model, int n, int prompt_tokens, int tokens,
               std::vector<int>* ids0) {
    waypoint::BatchDecoder d(model, waypoint::BatchOptions{n});
    int bos = 1;
    try { bos = model->tokenizer().bos(); } catch (const waypoint::Error&) {}
    for (int i = 0; i < n; ++i) {
        waypoint::BatchRequest r;
        r.prompt_ids = prompt_ids(prompt_tokens, model->vocab_size(), bos, uint64_t(i));
        r.options = greedy(tokens);
        if (i == 0) r.on_done = [ids0](const waypoint::BatchResult& res) { *ids0 = res.generated_ids; };
        d.submit(std::move(r));
    }
    d.step();  // admission: prefills and first tokens, plus the first batched step
    const int64_t before = d.batched_tokens();
    const auto t0 = Clock::now();
    d.run_until_idle();
    const double s_elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    return double(d.batched_tokens() - before) / s_elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    waypoint::prefer_fast_blas(argc, argv);
    Args a;
    try {
        a = parse(argc, argv);
    } catch (const std::exception& e) {
        const bool help = std::string(e.what()) == "help";
        if (!help) std::cerr << "waypoint-bench-batch: " << e.what() << "\n";
        std::cerr << kUsage;
        return help ? 0 : 2;
    }
    try {
        waypoint::set_cpu_threads(a.threads);
        waypoint::LoadOptions opt;
        opt.checkpoint = a.checkpoint;
        opt.tokenizer = a.tokenizer;
        opt.device = "cpu";
        opt.dtype = a.dtype;
        opt.threads = a.threads;
        auto model = waypoint::Model::load(opt);
        const waypoint::ModelCard& card = model->card();
        int bos = 1;
        try { bos = model->tokenizer().bos(); } catch (const waypoint::Error&) {}
        const int prompt_tokens = std::min(a.prompt_tokens, model->context_length() / 2);
        const int tokens = std::min(a.decode_tokens, model->context_length() - prompt_tokens - 1);
        const std::vector<int> prompt0 = prompt_ids(prompt_tokens, model->vocab_size(), bos, 0);

        // Warm-up (page in the weights, wake the threads), then rounds that
        // interleave the single stream with every batch size.
        std::vector<int> single_ids, ids0;
        single_stream(model, prompt0, std::min(tokens, 8), &single_ids);
        std::vector<double> single;
        std::vector<std::vector<double>> agg(a.streams.size());
        bool match = true;
        for (int r = 0; r < a.repeat; ++r) {
            single.push_back(single_stream(model, prompt0, tokens, &single_ids));
            for (size_t k = 0; k < a.streams.size(); ++k) {
                agg[k].push_back(batched(model, a.streams[k], prompt_tokens, tokens, &ids0));
                match = match && ids0 == single_ids;
            }
        }

        const waypoint::SystemInfo system = waypoint::system_info();
        std::ostringstream js;
        js.setf(std::ios::fixed);
        js.precision(2);
        const double one = median(single);
        js << "{\"checkpoint\":\"" << card.name << "\",\"dtype\":\"" << card.dtype << "\",\"threads\":" << a.threads
           << ",\"isa\":\"" << system.cpu_isa << "\",\"layers\":" << card.layers << ",\"dim\":" << card.width
           << ",\"parameters\":" << card.parameters << ",\"prompt_tokens\":" << prompt_tokens
           << ",\"decode_tokens\":" << tokens << ",\"repeat\":" << a.repeat
           << ",\"single_stream_tok_s\":" << one << ",\"batched\":[";
        for (size_t k = 0; k < a.streams.size(); ++k) {
            const double m = median(agg[k]);
            js << (k ? "," : "") << "{\"streams\":" << a.streams[k] << ",\"aggregate_tok_s\":" << m
               << ",\"per_stream_tok_s\":" << m / a.streams[k] << ",\"speedup_vs_single\":" << (one > 0 ? m / one : 0.0)
               << "}";
        }
        js << "],\"stream0_ids_equal_single\":" << (match ? "true" : "false") << "}";
        std::cout << js.str() << std::endl;
        return match ? 0 : 1;
    } catch (const waypoint::Error& e) {
        std::cerr << "waypoint-bench-batch: " << e.what() << "\n";
        return 1;
    }
}
