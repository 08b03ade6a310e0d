#include "bench_args.h"

#include <cstdlib>
#include <stdexcept>

namespace waypoint::bench {

const char* usage() {
    return "usage: waypoint-bench --checkpoint PATH [--tokenizer PATH] [--prompt-tokens N]\n"
           "                      [--decode-tokens M] [--threads T] [--dtype fp32|bf16|fp16|auto]\n"
           "                      [--device cpu|cuda|cuda:N|mps|auto] [--repeat R]\n"
           "                      [--bandwidth]  (also measure the machine's read bandwidth)\n"
           "                      [--check-decode N]  (CUDA: N decode steps' logits against the\n"
           "                                           libtorch path's; max difference in the JSON)\n"
           "                      [--temperature F] [--top-k N] [--top-p F] [--min-p F]\n"
           "                      [--repeat-penalty F] [--top-alternatives N]  (sampling of the\n"
           "                                           decoded tokens; temperature 0: greedy, the default)\n"
           "                      [--check-sampling N]  (CUDA: N device picks against the host\n"
           "                                             sampler on the same logits)\n";
}

namespace {

int to_int(const std::string& flag, const std::string& v, int min) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < min || n > 1000000)
        throw std::runtime_error(flag + " needs an integer >= " + std::to_string(min) + ", got '" + v + "'");
    return static_cast<int>(n);
}

float to_float(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    const float f = std::strtof(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(f == f))
        throw std::runtime_error(flag + " needs a number, got '" + v + "'");
    return f;
}

}  // namespace

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") throw std::runtime_error("help");
        if (flag == "--bandwidth") {
            a.bandwidth = true;
            continue;
        }
        if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value (or is unknown)");
        const std::string v = argv[++i];
        if (flag == "--checkpoint") a.checkpoint = v;
        else if (flag == "--tokenizer") a.tokenizer = v;
        else if (flag == "--dtype") a.dtype = v;
        else if (flag == "--device") a.device = v;
        else if (flag == "--prompt-tokens") a.prompt_tokens = to_int(flag, v, 1);
        else if (flag == "--decode-tokens") a.decode_tokens = to_int(flag, v, 0);
        else if (flag == "--threads") a.threads = to_int(flag, v, 0);
        else if (flag == "--repeat") a.repeat = to_int(flag, v, 1);
        else if (flag == "--check-decode") a.check_decode = to_int(flag, v, 0);
        else if (flag == "--temperature") a.temperature = to_float(flag, v);
        else if (flag == "--top-k") a.top_k = to_int(flag, v, 0);
        else if (flag == "--top-p") a.top_p = to_float(flag, v);
        else if (flag == "--min-p") a.min_p = to_float(flag, v);
        else if (flag == "--repeat-penalty") a.repeat_penalty = to_float(flag, v);
        else if (flag == "--top-alternatives") a.top_alternatives = to_int(flag, v, 0);
        else if (flag == "--check-sampling") a.check_sampling = to_int(flag, v, 0);
        else throw std::runtime_error("unknown flag " + flag);
    }
    if (a.checkpoint.empty()) throw std::runtime_error("--checkpoint PATH is required");
    return a;
}

}  // namespace waypoint::bench
