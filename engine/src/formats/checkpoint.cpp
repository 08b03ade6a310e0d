// read_checkpoint(): detects the format from content (magic bytes, JSON,
// plausible headers), never from the file name, and hands over to the reader
// of that format. To add a format, add its detect/read pair to kFileReaders
// (and, for folder layouts, to read_folder()).
#include "formats/checkpoint.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "formats/checkpoint_common.h"
#include "formats/readers.h"
#include "formats/pytorch/torch_checkpoint.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint::detail {
namespace {

struct FileReader {
    const char* what;    // for "expected ..." messages
    const char* format;  // detect_checkpoint()'s name
    bool (*detect)(const FileProbe&);
    CheckpointData (*read)(const FileProbe&, const ReadOptions& options);
};

// Order matters only where two signatures could both match: magic numbers
// first, the magic-less llama2.c v0 header (a plausibility check) last.
const std::vector<FileReader>& file_readers() {
    static const std::vector<FileReader> readers = {
        {"a GGUF file", "GGUF", is_gguf, read_gguf},
        {"a .safetensors file (with config.json beside it)", "Hugging Face safetensors", is_safetensors,
         read_safetensors_file},
        {"a PyTorch checkpoint (torch.save)", "PyTorch checkpoint (torch.save)", is_torch_zip, read_torch_zip},
        {"a llama2.c .bin", "llama2.c .bin", is_llama2c_bin, read_llama2c_bin},
    };
    return readers;
}

std::string expected_kinds() {
    std::string s;
    const auto& r = file_readers();
    for (size_t i = 0; i < r.size(); ++i) s += std::string(i ? (i + 1 == r.size() ? " or " : ", ") : "") + r[i].what;
    return s;
}

FileProbe probe_file(const std::string& path) {
    FileProbe p;
    p.path = path;
    std::error_code ec;
    p.size = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec) throw Error(ErrorKind::FileNotFound, "cannot read " + path + ": " + ec.message());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::FileNotFound, "cannot open " + path);
    p.head.assign(64, '\0');
    in.read(&p.head[0], 64);
    p.head.resize(static_cast<size_t>(in.gcount()));
    return p;
}

const FileReader* detect(const FileProbe& probe) {
    for (const auto& r : file_readers())
        if (r.detect(probe)) return &r;
    return nullptr;
}

CheckpointData read_file(const std::string& path, const ReadOptions& options) {
    const FileProbe probe = probe_file(path);
    if (probe.size == 0)
        throw Error(ErrorKind::BadFormat, path + " is empty (0 bytes): not a checkpoint");
    if (const FileReader* r = detect(probe)) return r->read(probe, options);
    throw Error(ErrorKind::BadFormat,
                path + " is not a checkpoint Waypoint can read (first bytes " + hex_head(probe.head) +
                    "); expected " + expected_kinds());
}

// The folder layouts, in the order read_folder() tries them.
const char* folder_format(const std::string& dir) {
    if (is_torch_weights_folder(dir)) return "Hugging Face folder (pytorch_model.bin)";
    if (is_hf_gpt2_folder(dir)) return "Hugging Face safetensors (GPT-2)";
    if (is_hf_folder(dir)) return "Hugging Face safetensors";
    if (is_step_folder(dir)) return "PyTorch checkpoint (nanochat step)";
    return nullptr;
}

CheckpointData read_folder(const std::string& dir, const ReadOptions& options) {
    if (is_torch_weights_folder(dir)) return read_torch_weights_folder(dir, options);
    if (is_hf_gpt2_folder(dir)) return read_hf_gpt2_folder(dir, options);
    if (is_hf_folder(dir)) return read_hf_folder(dir, options);
    if (is_step_folder(dir)) return read_step_folder(dir, options);
    // Otherwise the folder's one recognizable checkpoint file (tokenizers and
    // other files are not recognized as checkpoints).
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec)) continue;
        try {
            const FileProbe p = probe_file(e.path().string());
            if (p.size > 0 && detect(p)) found.push_back(e.path().string());
        } catch (const Error&) {
            // unreadable entries are not checkpoints
        }
    }
    if (found.size() == 1) return read_file(found[0], options);
    if (found.empty())
        throw Error(ErrorKind::FileNotFound,
                    "no checkpoint found in " + dir + ": expected config.json + model.safetensors, " +
                        expected_kinds());
    std::string list;
    for (const auto& f : found) list += (list.empty() ? "" : ", ") + file_name_of(f);
    throw Error(ErrorKind::InvalidArgument,
                dir + " holds several checkpoints (" + list + "); pass the one to load");
}

}  // namespace

std::string detect_checkpoint(const std::string& path) {
    std::error_code ec;
    try {
        if (fs::is_directory(path, ec)) {
            const char* f = folder_format(path);
            return f ? f : "";
        }
        if (!fs::is_regular_file(path, ec)) return "";
        const FileProbe probe = probe_file(path);
        const FileReader* r = probe.size > 0 ? detect(probe) : nullptr;
        return r ? r->format : "";
    } catch (const std::exception&) {
        return "";  // unreadable: not something we can take
    }
}

CheckpointData read_checkpoint(const std::string& path, const ReadOptions& options) {
    if (path.empty()) throw Error(ErrorKind::InvalidArgument, "no checkpoint path given; pass --checkpoint PATH");
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw Error(ErrorKind::FileNotFound, "checkpoint " + path + " does not exist");
    try {
        if (fs::is_directory(status)) return read_folder(path, options);
        return read_file(path, options);
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error(ErrorKind::Internal, "reading " + path + " failed inside libtorch: " + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorKind::Internal, "out of memory while reading " + path);
    } catch (const std::exception& e) {
        throw Error(ErrorKind::Internal, "reading " + path + " failed: " + e.what());
    }
}

}  // namespace waypoint::detail
