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
           "                                           libtorch path's; max difference in the JSON)\n";
}

namespace {

int to_int(const std::string& flag, const std::string& v, int min) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < min || n > 1000000)
        throw std::runtime_error(flag + " needs an integer >= " + std::to_string(min) + ", got '" + v + "'");
    return static_cast<int>(n);
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
        else throw std::runtime_error("unknown flag " + flag);
    }
    if (a.checkpoint.empty()) throw std::runtime_error("--checkpoint PATH is required");
    return a;
}

}  // namespace waypoint::bench
