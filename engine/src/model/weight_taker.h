// Takes a family's tensors out of a reader's CheckpointData, one by one, by
// the canonical list (formats/canonical_tensors.h: shape, matrix or not,
// required or not): checks each, moves it to the model's device in the
// weight dtype (matrices) or the activation dtype (norms, biases, tables),
// counts parameters and lets the reader's copy go.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>

#include "formats/canonical_tensors.h"
#include "formats/checkpoint.h"

namespace waypoint::detail {

class WeightTaker {
public:
    // `family` names the architecture in errors ("Llama", "GPT-2").
    WeightTaker(CheckpointData& data, at::Device device, at::ScalarType weight_dtype, at::ScalarType act_dtype,
                std::string family);

    // The canonical tensor `name` (a no-copy view where it already is on the
    // device in its dtype). Error(BadFormat) naming the file and the tensor
    // when a required one is missing (an optional one: an undefined tensor),
    // misshapen or not floating point.
    at::Tensor take(const std::string& name);

    bool has(const std::string& name) const { return data_.tensors.count(name) != 0; }
    int64_t parameters() const { return parameters_; }

private:
    [[noreturn]] void fail(const std::string& what) const;

    CheckpointData& data_;
    at::Device device_;
    at::ScalarType weight_dtype_, act_dtype_;
    std::string family_;
    std::map<std::string, TensorSpec> specs_;
    int64_t parameters_ = 0;
};

}  // namespace waypoint::detail
