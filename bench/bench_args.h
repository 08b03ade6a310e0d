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
};

// Throws std::runtime_error with a one-line message on bad input.
Args parse_args(int argc, char** argv);
const char* usage();

}  // namespace waypoint::bench
