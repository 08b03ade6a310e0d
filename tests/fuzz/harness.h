// The fuzz harnesses: one function per parser, each taking arbitrary bytes.
// A harness returns normally when the parser accepted the input or refused
// it with a waypoint::Error a person can act on (any kind but Internal);
// anything else - a crash, a sanitizer report, an Error(Internal), another
// exception escaping - is a finding. libfuzzer_main.cpp makes one libFuzzer
// binary per harness; tst_fuzz_regressions.cpp replays the saved inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace waypoint::fuzz {

using Harness = void (*)(const uint8_t* data, size_t size);

struct Target {
    const char* name;  // also the folder of its saved inputs under tests/fuzz/regressions/
    Harness run;
};

// Every harness, by name (libFuzzer binary fuzz_<name>).
const std::vector<Target>& targets();

void llama2c_header(const uint8_t* data, size_t size);
void safetensors(const uint8_t* data, size_t size);
void gguf(const uint8_t* data, size_t size);
void unpickler(const uint8_t* data, size_t size);
void torch_zip(const uint8_t* data, size_t size);
void hf_config(const uint8_t* data, size_t size);
void bpe_vocab(const uint8_t* data, size_t size);
void llama2c_tokenizer(const uint8_t* data, size_t size);
void spm_model(const uint8_t* data, size_t size);
void chat_template(const uint8_t* data, size_t size);
void http_request(const uint8_t* data, size_t size);

// --- helpers (harness.cpp) ---------------------------------------------------

// A folder of this process's own under /dev/shm (or $TMPDIR), made on first
// use and removed at exit; `name` picks a subfolder so harnesses do not see
// each other's files.
std::string scratch_dir(const std::string& name);

// Writes `size` bytes to `path` (replacing it); returns path.
std::string write_file(const std::string& path, const void* data, size_t size);
std::string write_file(const std::string& path, const std::string& text);
void remove_file(const std::string& path);

// Splits `data` at each occurrence of `separator` into at most `parts`
// pieces (the last piece keeps any further separators).
std::vector<std::string> split(const uint8_t* data, size_t size, const std::string& separator, size_t parts);

// Runs `body`; returns when it finished or threw a waypoint::Error of a
// kind other than Internal; otherwise prints what escaped and aborts (which
// libFuzzer reports as a crash and a test reports as a failure).
template <typename Body>
void expect_clean(const char* what, Body&& body);
[[noreturn]] void finding(const char* what, const std::string& message);

}  // namespace waypoint::fuzz

#include "harness_impl.h"
