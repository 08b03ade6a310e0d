// The configuration values a PyTorch checkpoint's model needs, gathered from
// wherever the training script left them (a `model_args`/`config` dict in the
// pickle, a nanochat meta_*.json, a config.json beside the file), and the
// ModelConfig that follows from them and from the tensor shapes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "formats/checkpoint.h"
#include "formats/pytorch/key_rules.h"
#include "formats/pytorch/pickle_value.h"

namespace waypoint::detail::pt {

class Settings {
public:
    // The plain values (numbers, strings, bools) of a dict; a later add()
    // wins over an earlier one. Nested dicts are not descended.
    void add(const Value& dict);
    std::optional<double> number(const std::vector<std::string>& aliases) const;
    std::optional<std::string> text(const std::vector<std::string>& aliases) const;
    bool empty() const { return values_.empty(); }

private:
    std::map<std::string, ValuePtr> values_;
};

// A JSON text as a Value tree (objects -> Dict, arrays -> List). Throws
// Error(BadFormat) naming `label` when it does not parse.
ValuePtr parse_json_value(const std::string& text, const std::string& label);

// Sizes from the tensor shapes, the rest (heads, context, eps, ...) from the
// settings. What neither tells is an Error(BadFormat) naming each missing value
// and how to give it (a config.json beside the checkpoint). Validates every
// canonical tensor's shape. `label` names the file.
ModelConfig infer_config(const MappedTensors& mapped, const Settings& settings, const std::string& label);


}  // namespace waypoint::detail::pt
