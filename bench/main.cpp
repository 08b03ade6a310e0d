// waypoint-bench: times load, a batched prefill of --prompt-tokens ids and
// --decode-tokens decode steps (greedy unless --temperature; sampled as
// generate() samples: on a CUDA device by the device sampler), after one
// warm-up pass, and prints one JSON object (medians over --repeat runs).
// Engine only.
/* For example (a block comment: a line comment would swallow the next line):
     waypoint-bench --checkpoint /tmp/rnd/stories15M.bin \
         --tokenizer ../shared/tokenizers/llama2/tokenizer.model \
         --prompt-tokens 256 --decode-tokens 128 --threads 2 --dtype bf16
*/

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_args.h"
#include "kernels/cuda/decode_graph.h"
#include "kernels/cuda/torch_memory.h"
#include "waypoint/error.h"
#include "waypoint/model.h"
#include "waypoint/sampler.h"
#include "waypoint/session.h"
#include "waypoint/platform/environment.h"
#include "waypoint/startup.h"
#include "waypoint/platform/process_memory.h"
#include "waypoint/system_info.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The peak resident set (VmHWM) may exceed the weights and KV cache by at
// most this much on the CPU (stories shapes); printed beside the figure.
constexpr double kOverheadTargetMb = 150.0;

int bytes_per_weight(const std::string& dtype) {
    return dtype == "float32" ? 4 : 2;
}

// The machine's sustained read bandwidth right now (one thread, 512 MiB
// buffer, best of 3): the roofline the decode figures are compared with, taken
// in the same run because the machines are shared and noisy.
double read_bandwidth_gb_s() {
    const size_t n = size_t(128) << 20;  // floats
    std::vector<float> buf(n, 1.0f);
    double best = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 3; ++rep) {
        auto t0 = Clock::now();
        float acc[16] = {};
        for (size_t i = 0; i < n; i += 16)
            for (int j = 0; j < 16; ++j) acc[j] += buf[i + size_t(j)];
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        float total = 0;
        for (float a : acc) total += a;
        sink = sink + total;
        best = std::max(best, double(n * sizeof(float)) / s / 1e9);
    }
    return best;
}

// Deterministic prompt ids in [3, vocab) with BOS (1) first, like torch_ref.py's prefill.
std::vector<int> prompt_ids(int n, int vocab, int bos) {
    std::vector<int> ids(static_cast<size_t>(n));
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < n; ++i) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        ids[size_t(i)] = 3 + int(s % uint64_t(std::max(1, vocab - 3)));
    }
    if (n > 0 && bos >= 0) ids[0] = bos;
    return ids;
}

struct Run {
    double prefill_ms = 0, ttft_ms = 0, decode_ms = 0;
    int decoded = 0;
};

// The decode loop of generate() without the text: the first token from the
// prefill's logits by the host sampler, then step_sampled (the device picks
// where it can) or step + the host sampler.
Run run_once(waypoint::Session& s, const std::vector<int>& prompt, int decode_tokens,
             const waypoint::SamplingParams& params, int top_n) {
    Run r;
    waypoint::Sampler sampler(params);
    s.reset();
    auto t0 = Clock::now();
    std::vector<float> logits = s.prefill(prompt);
    r.prefill_ms = ms_since(t0);
    int tok = sampler.sample(logits, s.history());
    if (top_n > 0) sampler.last_top(top_n);
    r.ttft_ms = ms_since(t0);
    const int room = s.context_length() - s.position();
    const int n = std::min(decode_tokens, room);
    const bool device = s.samples_on_device();
    waypoint::Pick pick;
    auto t1 = Clock::now();
    for (int i = 0; i < n; ++i) {
        if (device && s.step_sampled(tok, params, sampler.peek_uniform(), top_n, pick)) {
            sampler.skip_uniform();
            tok = pick.id;
            continue;
        }
        logits = device ? s.logits() : s.step(tok);
        tok = sampler.sample(logits, s.history());
        if (top_n > 0) sampler.last_top(top_n);
    }
    r.decode_ms = ms_since(t1);
    r.decoded = n;
    return r;
}

// The device sampler against the host one on the same logits: N steps of a
// session that picks on the device; after each, its logits are fetched and
// the host chain runs on them with the same uniform number. Counts the picks
// whose id, probability (bitwise) and alternatives equal the host's.
struct SampleCheck {
    int steps = 0, picked = 0, id_agree = 0, p_equal = 0, top_equal = 0;
};

SampleCheck check_sampling(const std::shared_ptr<const waypoint::Model>& model, const std::vector<int>& prompt,
                           const waypoint::SamplingParams& params, int steps, int top_n) {
    SampleCheck c;
    waypoint::Session s(model);
    waypoint::Sampler host(params);
    std::vector<float> logits = s.prefill(prompt);
    int tok = host.sample(logits, s.history());
    steps = std::min(steps, s.context_length() - s.position());
    for (int i = 0; i < steps; ++i) {
        waypoint::Pick pick;
        const bool picked = s.step_sampled(tok, params, host.peek_uniform(), top_n, pick);
        logits = s.logits();
        const int want = host.sample(logits, s.history());
        ++c.steps;
        if (picked) {
            ++c.picked;
            c.id_agree += pick.id == want;
            c.p_equal += pick.probability == host.last_probability();
            const std::vector<waypoint::Candidate> top = host.last_top(top_n);
            bool same = top.size() == pick.top.size();
            for (size_t j = 0; same && j < top.size(); ++j)
                same = top[j].id == pick.top[j].id && top[j].p == pick.top[j].p;
            c.top_equal += same;
        }
        tok = want;
    }
    return c;
}

// The decode path a session takes is chosen when it is made (the CUDA graph
// unless WAYPOINT_CUDA_DECODE=0). Feeds the same prompt and the same ids to a
// libtorch-path session and a default one and returns the largest logit
// difference relative to the largest logit, and how many argmaxes agree.
struct DecodeCheck {
    double max_rel_diff = 0;
    int argmax_agree = 0, steps = 0;
};

DecodeCheck check_decode(const std::shared_ptr<const waypoint::Model>& model, const std::vector<int>& prompt,
                         int steps) {
    const char* old = std::getenv("WAYPOINT_CUDA_DECODE");
    const std::string saved = old ? old : "";
    waypoint::platform::set_environment("WAYPOINT_CUDA_DECODE", "0");
    waypoint::Session ref(model);
    if (old) waypoint::platform::set_environment("WAYPOINT_CUDA_DECODE", saved);
    else waypoint::platform::unset_environment("WAYPOINT_CUDA_DECODE");
    waypoint::Session fast(model);
    DecodeCheck c;
    std::vector<float> a = ref.prefill(prompt), b = fast.prefill(prompt);
    steps = std::min(steps, ref.context_length() - ref.position());
    for (int i = 0; i < steps; ++i) {
        const int tok = waypoint::argmax(a);
        a = ref.step(tok);
        b = fast.step(tok);
        double diff = 0, scale = 1e-30;
        for (size_t j = 0; j < a.size(); ++j) {
            diff = std::max(diff, double(std::fabs(a[j] - b[j])));
            scale = std::max(scale, double(std::fabs(a[j])));
        }
        c.max_rel_diff = std::max(c.max_rel_diff, diff / scale);
        c.argmax_agree += waypoint::argmax(a) == waypoint::argmax(b);
        ++c.steps;
    }
    return c;
}

bool on_cuda(const std::string& device) { return device.rfind("cuda", 0) == 0; }

}  // namespace

int main(int argc, char** argv) {
    waypoint::prefer_fast_blas(argc, argv);
    // The process with its libraries loaded and their static initialisers run.
    const waypoint::platform::ResidentMemory at_start = waypoint::platform::resident_memory();
    waypoint::bench::Args a;
    try {
        a = waypoint::bench::parse_args(argc, argv);
    } catch (const std::exception& e) {
        if (std::string(e.what()) != "help") std::cerr << "waypoint-bench: " << e.what() << "\n";
        std::cerr << waypoint::bench::usage();
        return std::string(e.what()) == "help" ? 0 : 2;
    }
    try {
        waypoint::set_cpu_threads(a.threads);
        waypoint::LoadOptions opt;
        opt.checkpoint = a.checkpoint;
        opt.tokenizer = a.tokenizer;
        opt.device = a.device;
        opt.dtype = a.dtype;
        opt.threads = a.threads;
        // CUDA: the context is made here (its own figure), not inside the load.
        double cuda_init_ms = 0;
        const int cuda_index = a.device.size() > 5 ? std::atoi(a.device.c_str() + 5) : 0;
        if (on_cuda(a.device)) {
            auto ti = Clock::now();
            waypoint::kernels::cuda::stats(cuda_index);
            cuda_init_ms = ms_since(ti);
        }
        auto t0 = Clock::now();
        auto model = waypoint::Model::load(opt);
        const double load_ms = ms_since(t0);
        const waypoint::ModelCard& card = model->card();
        waypoint::Session session(model);
        // Weights taken (mapped or converted) and the KV cache allocated.
        const waypoint::platform::ResidentMemory at_load = waypoint::platform::resident_memory();

        const int ctx = model->context_length();
        const int n_prompt = std::min(a.prompt_tokens, ctx);
        int bos = 1;
        try { bos = model->tokenizer().bos(); } catch (const waypoint::Error&) {}
        const std::vector<int> prompt = prompt_ids(n_prompt, model->vocab_size(), bos);

        waypoint::SamplingParams sp;
        sp.temperature = a.temperature;
        sp.top_k = a.top_k;
        sp.top_p = a.top_p;
        sp.min_p = a.min_p;
        sp.repeat_penalty = a.repeat_penalty;
        sp.seed = 42;

        // Warm-up; on CUDA its TTFT is the first call's (kernel loading) and
        // its second step captures the decode graph.
        const Run first = run_once(session, prompt, std::min(a.decode_tokens, 16), sp, a.top_alternatives);
        std::vector<double> prefill, ttft, decode;
        int decoded = 0;
        for (int i = 0; i < a.repeat; ++i) {
            const Run r = run_once(session, prompt, a.decode_tokens, sp, a.top_alternatives);
            prefill.push_back(n_prompt / (r.prefill_ms / 1000.0));
            ttft.push_back(r.ttft_ms);
            if (r.decoded > 0) decode.push_back(r.decoded / (r.decode_ms / 1000.0));
            decoded = r.decoded;
        }

        const int64_t D = card.width, V = card.vocabulary;
        const int bpw = bytes_per_weight(card.dtype);
        const int64_t weight_bytes = card.parameters * bpw;
        // Read per decoded token: every matrix once; the embedding table only
        // as the classifier when tied (one row otherwise).
        const int64_t read_per_token =
            (card.parameters - (card.tied_embeddings ? 0 : V * D)) * bpw;
        const int64_t kv_bytes = int64_t(2) * card.layers * card.kv_heads * ctx *
                                 (D / std::max(1, card.heads)) *
                                 (a.device == "cpu" ? 4 : bpw);
        const double decode_tok_s = decode.empty() ? 0.0 : median(decode);
        // Memory figures before the bandwidth probe allocates its buffer.
        const waypoint::platform::ResidentMemory at_end = waypoint::platform::resident_memory();
        const waypoint::platform::HeapFigures heap = waypoint::platform::heap_figures();
        const double peak_mb = at_end.peak;
        const double machine_bw = a.bandwidth ? read_bandwidth_gb_s() : 0.0;
        const bool cuda = on_cuda(a.device);
        const waypoint::kernels::cuda::Stats cs_run = cuda ? waypoint::kernels::cuda::stats(cuda_index)
                                                           : waypoint::kernels::cuda::Stats{};
        const std::vector<int> check_prompt(prompt.begin(), prompt.begin() + std::min<size_t>(prompt.size(), 16));
        SampleCheck greedy_chk, sampled_chk, nucleus_chk;
        if (a.check_sampling > 0) {
            waypoint::SamplingParams g = sp;
            g.temperature = 0.0f;
            greedy_chk = check_sampling(model, check_prompt, g, a.check_sampling, 5);
            waypoint::SamplingParams t = sp;
            if (!(t.temperature > 0.0f)) t.temperature = 0.8f;
            t.repeat_penalty = 1.1f;
            sampled_chk = check_sampling(model, check_prompt, t, a.check_sampling, 5);
            // top-p alone: a nucleus that may reach past the first sorted candidates
            waypoint::SamplingParams n = t;
            n.top_k = 0;
            n.repeat_penalty = 1.0f;
            nucleus_chk = check_sampling(model, check_prompt, n, a.check_sampling, 5);
        }
        const DecodeCheck chk = a.check_decode > 0 ? check_decode(model, std::vector<int>(prompt.begin(), prompt.begin() + std::min<size_t>(prompt.size(), 16)), a.check_decode) : DecodeCheck{};

        const waypoint::SystemInfo system = waypoint::system_info();
        std::ostringstream js;
        js.setf(std::ios::fixed);
        js.precision(2);
        js << "{\"checkpoint\":\"" << card.name << "\",\"device\":\"" << card.device
           << "\",\"dtype\":\"" << card.dtype << "\",\"threads\":" << a.threads
           << ",\"isa\":\"" << system.cpu_isa << "\",\"blas\":\"" << system.blas
           << "\",\"layers\":" << card.layers << ",\"dim\":" << D << ",\"hidden\":" << card.hidden
           << ",\"heads\":" << card.heads << ",\"kv_heads\":" << card.kv_heads
           << ",\"vocab\":" << V << ",\"context\":" << ctx << ",\"parameters\":" << card.parameters
           << ",\"weight_bytes\":" << weight_bytes << ",\"kv_cache_bytes\":" << kv_bytes
           << ",\"load_ms\":" << load_ms << ",\"prompt_tokens\":" << n_prompt
           << ",\"decode_tokens\":" << decoded << ",\"repeat\":" << a.repeat
           << ",\"prefill_tok_s\":" << median(prefill) << ",\"ttft_ms\":" << median(ttft)
           << ",\"decode_tok_s\":" << decode_tok_s
           << ",\"decode_bandwidth_gb_s\":" << decode_tok_s * double(read_per_token) / 1e9
           << ",\"machine_read_gb_s\":" << machine_bw
           << ",\"sampling\":\"" << (sp.greedy() ? std::string("greedy") :
                 "T" + std::to_string(sp.temperature).substr(0, 4) + " top-k " + std::to_string(sp.top_k) +
                 " top-p " + std::to_string(sp.top_p).substr(0, 4) + " min-p " + std::to_string(sp.min_p).substr(0, 4))
           << "\",\"sampler_on_device\":" << (session.samples_on_device() ? "true" : "false")
           << ",\"top_alternatives\":" << a.top_alternatives
           << ",\"peak_rss_mb\":" << peak_mb
           << ",\"rss_at_start_mb\":" << at_start.total
           << ",\"rss_anon_at_start_mb\":" << at_start.anonymous << ",\"rss_file_at_start_mb\":" << at_start.file
           << ",\"threads_at_start\":" << at_start.threads
           << ",\"rss_after_load_mb\":" << at_load.total
           << ",\"rss_anon_after_load_mb\":" << at_load.anonymous << ",\"rss_file_after_load_mb\":" << at_load.file
           << ",\"rss_anon_mb\":" << at_end.anonymous
           << ",\"rss_file_mb\":" << at_end.file
           << ",\"threads\":" << at_end.threads;
        if (heap.known)
            js << ",\"heap_in_use_mb\":" << heap.in_use << ",\"heap_kept_free_mb\":" << heap.kept_free
               << ",\"heap_mapped_mb\":" << heap.mapped << ",\"heap_arenas\":" << heap.arenas;
        if (!cuda) {
            // Weights and cache live in this process's memory only on the CPU:
            // peak (VmHWM) minus the weights (bytes as taken: the mapped file's
            // or the converted copy) and the KV cache (as allocated: the whole
            // context, fp32). "before main" is what the process held when
            // main() began (the libraries and their static initialisers); the
            // rest is what this program added after it.
            const double over = peak_mb - double(weight_bytes + kv_bytes) / (1024.0 * 1024.0);
            js << ",\"rss_over_weights_kv_mb\":" << over
               << ",\"rss_over_weights_kv_before_main_mb\":" << at_start.total
               << ",\"rss_over_weights_kv_after_main_mb\":" << over - at_start.total
               << ",\"rss_over_weights_kv_target_mb\":" << kOverheadTargetMb
               << ",\"rss_over_weights_kv_target_met\":" << (over <= kOverheadTargetMb ? "true" : "false");
        } else {
            // The RSS figures above are the host process only (CPU-side);
            // the model and cache are in device memory, counted here.
            const waypoint::kernels::cuda::Stats& cs = cs_run;
            const waypoint::kernels::cuda::TorchMemory tm = waypoint::kernels::cuda::torch_memory(cuda_index);
            js << ",\"rss_scope\":\"host only\""
               << ",\"cuda_init_ms\":" << cuda_init_ms << ",\"ttft_first_ms\":" << first.ttft_ms
               << ",\"prefill_first_ms\":" << first.prefill_ms
               << ",\"cuda_graphs\":" << cs.graphs << ",\"graph_capture_ms\":" << cs.last_capture_ms
               << ",\"pdl\":" << (cs.pdl ? "true" : "false")
               << ",\"device_picks\":" << cs.device_picks << ",\"host_sample_fallbacks\":" << cs.sample_fallbacks
               << ",\"device_used_mb\":" << cs.device_used_mb << ",\"device_total_mb\":" << cs.device_total_mb;
            if (tm.known)
                js << ",\"torch_allocated_mb\":" << tm.allocated_mb << ",\"torch_reserved_mb\":" << tm.reserved_mb
                   << ",\"torch_peak_allocated_mb\":" << tm.peak_allocated_mb
                   << ",\"torch_peak_reserved_mb\":" << tm.peak_reserved_mb;
        }
        if (a.check_sampling > 0) {
            const auto put = [&](const char* name, const SampleCheck& c) {
                js << ",\"" << name << "\":{\"steps\":" << c.steps << ",\"device_picked\":" << c.picked
                   << ",\"id_agree\":" << c.id_agree << ",\"p_bitwise_equal\":" << c.p_equal
                   << ",\"top5_equal\":" << c.top_equal << "}";
            };
            put("check_sampling_greedy", greedy_chk);
            put("check_sampling_T0.8_penalty1.1", sampled_chk);
            put("check_sampling_top_p_only", nucleus_chk);
        }
        if (a.check_decode > 0) {
            js.precision(6);
            js << ",\"check_decode_steps\":" << chk.steps << ",\"check_max_rel_diff\":" << chk.max_rel_diff
               << ",\"check_argmax_agree\":" << chk.argmax_agree;
        }
        js << "}";
        std::cout << js.str() << std::endl;
        return 0;
    } catch (const waypoint::Error& e) {
        std::cerr << "waypoint-bench: " << e.what() << "\n";
        return 1;
    }
}
