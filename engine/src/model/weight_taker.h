// Takes a family's tensors out of a reader's CheckpointData, one by one:
// checks name, shape and dtype against the config, moves each to the model's
// device and dtype, counts parameters and lets the reader's copy go.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "formats/checkpoint.h"

namespace waypoint::detail {

class WeightTaker {
public:
    // `family` names the architecture in errors ("Llama", "GPT-2").
    WeightTaker(CheckpointData& data, at::Device device, std::string family)
        : data_(data), device_(device), family_(std::move(family)) {}

    // The tensor `name` with `shape`, on the device in `to` (a no-copy view
    // where it already is). Error(BadFormat) naming the file and the tensor
    // when it is missing (unless `optional`: then an undefined tensor),
    // misshapen or not floating point.
    at::Tensor take(const std::string& name, const std::vector<int64_t>& shape, at::ScalarType to,
                    bool optional = false);

    bool has(const std::string& name) const { return data_.tensors.count(name) != 0; }
    int64_t parameters() const { return parameters_; }

private:
    [[noreturn]] void fail(const std::string& what) const;

    CheckpointData& data_;
    at::Device device_;
    std::string family_;
    int64_t parameters_ = 0;
};

}  // namespace waypoint::detail
