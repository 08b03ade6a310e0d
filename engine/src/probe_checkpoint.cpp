// probe_checkpoint() (waypoint/probe.h): the readers in their probing mode
// (formats/checkpoint.h, ReadOptions::probe) and the card they fill.
#include "waypoint/probe.h"

#include <filesystem>
#include <set>

#include "formats/checkpoint.h"
#include "formats/checkpoint_common.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint {
namespace {

// Distinct weights: a tied head shares the embedding's storage (or is absent).
int64_t count_parameters(const detail::CheckpointData& d) {
    std::set<std::pair<const void*, int64_t>> seen;
    int64_t n = 0;
    for (const auto& [name, t] : d.tensors) {
        const void* key = t.is_meta() ? nullptr : t.data_ptr();
        if (key && !seen.insert({key, t.numel()}).second) continue;
        n += t.numel();
    }
    return n;
}

int64_t size_on_disk(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        const auto n = fs::file_size(path, ec);
        return ec ? 0 : int64_t(n);
    }
    int64_t total = 0;
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
        if (e.is_regular_file(ec)) total += int64_t(e.file_size(ec));
    return total;
}

}  // namespace

std::optional<CheckpointProbe> probe_checkpoint(const std::string& path) {
    const std::string format = detail::detect_checkpoint(path);
    if (format.empty()) return std::nullopt;

    CheckpointProbe out;
    out.card.path = path;
    std::error_code ec;
    out.card.name = fs::is_directory(path, ec) ? detail::folder_name_of(path) : detail::stem_of(path);
    out.card.format = format;
    try {
        detail::ReadOptions options;
        options.probe = true;
        detail::CheckpointData d = detail::read_checkpoint(path, options);
        out.card = d.card;
        if (out.card.path.empty()) out.card.path = path;
        detail::fill_card_from_config(out.card, d.config);
        out.card.parameters = count_parameters(d);
        out.tokenizer_found = d.tokenizer != nullptr;
        out.problem = d.tokenizer_problem;
    } catch (const std::exception& e) {
        // read_checkpoint turns everything into waypoint::Error with a message for people.
        out.problem = e.what();
        out.card.file_bytes = size_on_disk(path);
    }
    return out;
}

}  // namespace waypoint
