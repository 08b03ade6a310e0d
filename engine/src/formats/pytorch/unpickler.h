// A restricted unpickler (docs/ARCHITECTURE.md trap 8: libtorch 1.13's pickle_load fails
// on OrderedDict state dicts). It understands the opcodes of pickle
// protocols 2-5 that torch.save and pickle.dump write, and builds only plain
// values, containers and tensors: a GLOBAL outside the allow-list (os.system,
// eval, a user's class, ...) is refused with Error(Unsupported) before
// anything else happens. A malformed stream is Error(BadFormat); every read
// is bounds-checked and the machine is iterative (no recursion).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "formats/pytorch/pickle_value.h"

namespace waypoint::detail::pt {

// torch.save's BINPERSID: ('storage', <storage class Global>, key, location,
// numel) -> a Storage value (flat typed tensor). Absent for plain pickles.
using PersistentLoad = std::function<ValuePtr(const Value& pid)>;

// `label` names the file in error messages ("ckpt.pt").
ValuePtr unpickle(std::string_view bytes, const std::string& label, const PersistentLoad& persistent_load);

// The storage class names torch.save writes ("torch.FloatStorage") and their
// dtypes; false for anything else.
bool storage_dtype(const std::string& global_name, at::ScalarType* dtype);

}  // namespace waypoint::detail::pt
