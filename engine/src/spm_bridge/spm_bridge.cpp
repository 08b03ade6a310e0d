// libwaypoint_spm_bridge.so: the only code that links sentencepiece (see
// spm_bridge_api.h for why). Every entry point catches everything: an
// exception must never unwind through dlopen'ed C frames into the engine.
#include "spm_bridge_api.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#if defined(_WIN32)
#define WP_EXPORT extern "C" __declspec(dllexport)
#else
#define WP_EXPORT extern "C" __attribute__((visibility("default")))
#endif

struct wp_spm {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

void write_error(char* err, size_t err_len, const std::string& message) {
    if (err == nullptr || err_len == 0) return;
    const size_t n = std::min(message.size(), err_len - 1);
    std::memcpy(err, message.data(), n);
    err[n] = '\0';
}

bool valid_id(const wp_spm* spm, int id) {
    return spm != nullptr && id >= 0 && id < spm->processor.GetPieceSize();
}

}  // namespace

WP_EXPORT int wp_spm_abi_version(void) { return WP_SPM_BRIDGE_ABI_VERSION; }

WP_EXPORT wp_spm* wp_spm_create(const char* model_path, char* err, size_t err_len) {
    try {
        if (model_path == nullptr) {
            write_error(err, err_len, "no model path given");
            return nullptr;
        }
        auto spm = std::make_unique<wp_spm>();
        const auto status = spm->processor.Load(model_path);
        if (!status.ok()) {
            write_error(err, err_len, status.ToString());
            return nullptr;
        }
        if (spm->processor.GetPieceSize() <= 0) {
            write_error(err, err_len, "the model has no pieces");
            return nullptr;
        }
        return spm.release();
    } catch (const std::exception& e) {
        write_error(err, err_len, e.what());
    } catch (...) {
        write_error(err, err_len, "unknown error in sentencepiece");
    }
    return nullptr;
}

WP_EXPORT void wp_spm_destroy(wp_spm* spm) { delete spm; }

WP_EXPORT int wp_spm_encode(const wp_spm* spm, const char* text, size_t text_len, int* ids,
                            int capacity) {
    if (spm == nullptr || (text == nullptr && text_len > 0)) return -1;
    try {
        std::vector<int> out;
        const auto status =
            spm->processor.Encode(std::string(text == nullptr ? "" : text, text_len), &out);
        if (!status.ok()) return -1;
        const int n = static_cast<int>(out.size());
        if (ids != nullptr && capacity > 0)
            std::copy_n(out.begin(), std::min(n, capacity), ids);
        return n;
    } catch (...) {
        return -1;
    }
}

WP_EXPORT const char* wp_spm_id_to_piece(const wp_spm* spm, int id, size_t* len) {
    if (!valid_id(spm, id)) return nullptr;
    try {
        const std::string& piece = spm->processor.IdToPiece(id);  // owned by the model
        if (len != nullptr) *len = piece.size();
        return piece.c_str();
    } catch (...) {
        return nullptr;
    }
}

WP_EXPORT int wp_spm_piece_kind(const wp_spm* spm, int id) {
    if (!valid_id(spm, id)) return -1;
    try {
        const auto& p = spm->processor;
        if (p.IsByte(id)) return WP_SPM_BYTE;
        if (p.IsUnknown(id)) return WP_SPM_UNKNOWN;
        if (p.IsControl(id)) return WP_SPM_CONTROL;
        if (p.IsUnused(id)) return WP_SPM_UNUSED;
        return WP_SPM_NORMAL;
    } catch (...) {
        return -1;
    }
}

WP_EXPORT int wp_spm_bos_id(const wp_spm* spm) { return spm ? spm->processor.bos_id() : -1; }
WP_EXPORT int wp_spm_eos_id(const wp_spm* spm) { return spm ? spm->processor.eos_id() : -1; }
WP_EXPORT int wp_spm_unk_id(const wp_spm* spm) { return spm ? spm->processor.unk_id() : -1; }
WP_EXPORT int wp_spm_vocab_size(const wp_spm* spm) {
    return spm ? spm->processor.GetPieceSize() : -1;
}

WP_EXPORT long wp_spm_decode(const wp_spm* spm, const int* ids, size_t n_ids, char* out,
                             size_t capacity) {
    if (spm == nullptr || (ids == nullptr && n_ids > 0)) return -1;
    try {
        std::vector<int> v(ids, ids + n_ids);
        for (int id : v)
            if (!valid_id(spm, id)) return -1;
        std::string text;
        if (!spm->processor.Decode(v, &text).ok()) return -1;
        if (out != nullptr && capacity > 0) std::memcpy(out, text.data(), std::min(capacity, text.size()));
        return static_cast<long>(text.size());
    } catch (...) {
        return -1;
    }
}
