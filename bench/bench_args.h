// Command line of waypoint-bench (parsed by hand: a dozen flags).
#pragma once

#include <string>

namespace waypoint::bench {

struct Args {
    std::string checkpoint;
    std::string tokenizer;
    std::string dtype = "auto";
    std::string device = "cpu";
    int prompt_tokens = 256;
    int decode_tokens = 128;
    int threads = 0;
    int repeat = 3;       // measured runs after one warm-up; medians are reported
    bool bandwidth = false;  // also measure the machine's read bandwidth (after the runs)
    int check_decode = 0;    // compare N decode steps with the libtorch path's (CUDA)
    // Sampling of the decoded tokens (the engine's chain; on CUDA on the device
    // unless WAYPOINT_CUDA_SAMPLE=0): temperature 0 is greedy.
    float temperature = 0.0f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.0f;
    float repeat_penalty = 1.0f;
    int top_alternatives = 0;  // alternatives reported per token (the app asks for 5)
    int check_sampling = 0;    // CUDA: N steps' device picks against the host sampler on the same logits
};

// Throws std::runtime_error with a one-line message on bad input.
Args parse_args(int argc, char** argv);
const char* usage();

}  // namespace waypoint::bench
