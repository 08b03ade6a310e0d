// The model card as text (one "key: value" line per field) and as JSON.
#include "number_format.h"
#include "waypoint/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace waypoint {
namespace {

// 1234567 -> "1.23M"; keeps exact counts readable next to the raw number.
std::string short_count(int64_t n) {
    static const char* const units[] = {"", "K", "M", "B", "T"};
    return report::short_scaled(double(n), 1000.0, units, 5, "%.0f%s", "%.3g%s");
}

std::string short_bytes(int64_t n) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    return report::short_scaled(double(n), 1024.0, units, 5, "%.0f %s", "%.1f %s");
}

}  // namespace

std::string format_card(const ModelCard& c) {
    std::ostringstream out;
    out << "name: " << c.name << '\n'
        << "path: " << c.path << '\n'
        << "architecture: " << c.architecture << '\n'
        << "format: " << c.format << '\n'
        << "dtype: " << c.dtype << '\n'
        << "device: " << c.device << '\n'
        << "tokenizer: " << c.tokenizer << '\n'
        << "parameters: " << c.parameters << " (" << short_count(c.parameters) << ")\n"
        << "layers: " << c.layers << '\n'
        << "heads: " << c.heads << '\n'
        << "kv_heads: " << c.kv_heads << '\n'
        << "width: " << c.width << '\n'
        << "hidden: " << c.hidden << '\n'
        << "vocabulary: " << c.vocabulary << '\n'
        << "context: " << c.context << '\n'
        << "tied_embeddings: " << (c.tied_embeddings ? "yes" : "no") << '\n'
        << "file_bytes: " << c.file_bytes << " (" << short_bytes(c.file_bytes) << ")\n"
        << "training_step: " << (c.training_step ? std::to_string(*c.training_step) : "unknown") << '\n';
    out << "validation_loss: ";
    if (c.validation_loss)
        out << *c.validation_loss;
    else
        out << "unknown";
    out << '\n';
    return out.str();
}

std::string card_to_json(const ModelCard& c) {
    nlohmann::ordered_json j;
    j["name"] = c.name;
    j["path"] = c.path;
    j["architecture"] = c.architecture;
    j["format"] = c.format;
    j["dtype"] = c.dtype;
    j["device"] = c.device;
    j["tokenizer"] = c.tokenizer;
    j["parameters"] = c.parameters;
    j["layers"] = c.layers;
    j["heads"] = c.heads;
    j["kv_heads"] = c.kv_heads;
    j["width"] = c.width;
    j["hidden"] = c.hidden;
    j["vocabulary"] = c.vocabulary;
    j["context"] = c.context;
    j["tied_embeddings"] = c.tied_embeddings;
    j["file_bytes"] = c.file_bytes;
    j["training_step"] = c.training_step ? nlohmann::ordered_json(*c.training_step) : nlohmann::ordered_json();
    j["validation_loss"] = c.validation_loss ? nlohmann::ordered_json(*c.validation_loss) : nlohmann::ordered_json();
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace waypoint
