#include "harness.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace fs = std::filesystem;

namespace waypoint::fuzz {

const std::vector<Target>& targets() {
    static const std::vector<Target> t = {
        {"llama2c_header", llama2c_header},
        {"safetensors", safetensors},
        {"gguf", gguf},
        {"unpickler", unpickler},
        {"torch_zip", torch_zip},
        {"hf_config", hf_config},
        {"bpe_vocab", bpe_vocab},
        {"llama2c_tokenizer", llama2c_tokenizer},
        {"spm_model", spm_model},
        {"chat_template", chat_template},
        {"http_request", http_request},
    };
    return t;
}

namespace {

std::string& root() {
    static std::string r;
    return r;
}

void remove_root() {
    std::error_code ec;
    if (!root().empty()) fs::remove_all(root(), ec);
}

}  // namespace

std::string scratch_dir(const std::string& name) {
    static std::once_flag once;
    std::call_once(once, [] {
        // tmpfs when there is one: every execution writes its input to a file.
        std::string base = fs::is_directory("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
        std::string templ = base + "/waypoint-fuzz-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) {
            std::perror("mkdtemp");
            std::abort();
        }
        root() = templ;
        std::atexit(remove_root);
    });
    const std::string dir = root() + "/" + name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    return dir;
}

std::string write_file(const std::string& path, const void* data, size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) finding("write_file", "cannot write " + path);
    return path;
}

std::string write_file(const std::string& path, const std::string& text) {
    return write_file(path, text.data(), text.size());
}

void remove_file(const std::string& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

std::vector<std::string> split(const uint8_t* data, size_t size, const std::string& separator, size_t parts) {
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> out;
    size_t start = 0;
    while (out.size() + 1 < parts) {
        const size_t at = all.find(separator, start);
        if (at == std::string_view::npos) break;
        out.emplace_back(all.substr(start, at - start));
        start = at + separator.size();
    }
    out.emplace_back(all.substr(start));
    return out;
}

void finding(const char* what, const std::string& message) {
    std::fprintf(stderr, "\n== fuzz finding in %s: %s\n", what, message.c_str());
    std::fflush(stderr);
    std::abort();
}

void exercise_tokenizer(const waypoint::Tokenizer& tokenizer) {
    static const char* const kTexts[] = {
        "Hello world", " Once upon a time, 123 + 456 = 579.\n", "\xc3\xa9t\xc3\xa9 \xe2\x96\x81 \xf0\x9f\x98\x80",
        "", "<|endoftext|><s></s>", "\xff\xfe invalid \xc3",
    };
    for (const char* text : kTexts) {
        try {
            const std::vector<int> ids = tokenizer.encode(text, true);
            for (int id : ids)
                if (id < 0 || id >= tokenizer.vocab_size())
                    finding("tokenizer", "encode gave id " + std::to_string(id) + " outside the vocabulary of " +
                                             std::to_string(tokenizer.vocab_size()));
            (void)tokenizer.decode(ids);
        } catch (const waypoint::Error& e) {
            if (e.kind() == waypoint::ErrorKind::Internal) finding("tokenizer", e.what());
        }
    }
    // Every id's piece, and a decode of all ids in order (bounded).
    const int n = std::min(tokenizer.vocab_size(), 4096);
    std::vector<int> all;
    for (int id = 0; id < n; ++id) {
        try {
            (void)tokenizer.piece_bytes(id, id > 0 ? id - 1 : -1);
            all.push_back(id);
        } catch (const waypoint::Error& e) {
            if (e.kind() == waypoint::ErrorKind::Internal) finding("tokenizer", e.what());
        }
    }
    try {
        (void)tokenizer.decode(all);
        waypoint::TextStream stream(tokenizer);
        for (int id : all) (void)stream.push(id);
        (void)stream.flush();
    } catch (const waypoint::Error& e) {
        if (e.kind() == waypoint::ErrorKind::Internal) finding("tokenizer", e.what());
    }
}

}  // namespace waypoint::fuzz
