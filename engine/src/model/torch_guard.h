// Translates exceptions from libtorch (c10::Error) and the standard library
// into waypoint::Error at the public API boundary, so no torch exception
// escapes the engine (error.h's contract).
#pragma once

#include <c10/util/Exception.h>

#include <new>
#include <string>

#include "waypoint/error.h"

namespace waypoint::detail {

template <class F>
auto torch_guard(const char* what, F&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Error&) {
        throw;
    } catch (const c10::Error& e) {
        throw Error(ErrorKind::Internal,
                    std::string(what) + ": libtorch error: " + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorKind::Internal,
                    std::string(what) + ": out of memory; try a smaller model, a 16-bit dtype "
                                        "(--dtype bf16) or a shorter context");
    } catch (const std::exception& e) {
        throw Error(ErrorKind::Internal, std::string(what) + ": " + e.what());
    }
}

}  // namespace waypoint::detail
