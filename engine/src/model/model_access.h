// The engine's way into a Model's internals (the weights, the family), for
// Session and for tests that build a model from tensors they made; the
// public class (waypoint/model.h) keeps them private.
#pragma once

#include <memory>

#include "model/model_impl.h"
#include "waypoint/model.h"

namespace waypoint::detail {

struct ModelAccess {
    static const ModelImpl& impl(const Model& model) { return *model.impl_; }

    // A Model around weights built by build_model().
    static std::shared_ptr<const Model> wrap(std::unique_ptr<ModelImpl> impl) {
        return std::shared_ptr<const Model>(new Model(std::move(impl)));
    }
};

}  // namespace waypoint::detail
