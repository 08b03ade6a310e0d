// One decode step for many Sessions (the batched decoder's): where the
// model's family has a BatchDecodeStep, one batched forward; else one
// session after the other, as Session::step does.
#pragma once

#include <memory>

#include "model/family.h"
#include "waypoint/session.h"

namespace waypoint::detail {

class SessionBatch {
public:
    // Sessions of `model` up to `max_batch` per forward (more are done in
    // several forwards).
    SessionBatch(const Model& model, int max_batch);
    ~SessionBatch();

    bool batched() const { return step_ != nullptr; }

    // Feeds ids[b] to sessions[b] for b < n (distinct sessions of the model)
    // and writes each one's logits [V] into logits[b]. Checks every session
    // first (Error(InvalidArgument) for a full context or an id outside the
    // vocabulary; then nothing is fed); a failed forward throws Error and
    // feeds none of them.
    void step(Session* const* sessions, const int* ids, int n, float* const* logits);

private:
    std::unique_ptr<BatchDecodeStep> step_;
};

}  // namespace waypoint::detail
