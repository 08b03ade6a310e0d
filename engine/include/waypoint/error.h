// Errors the engine reports. Every failure a user can cause (a missing file,
// a truncated checkpoint, a device that is not there, a bad argument) is an
// Error with a message that names the file or value and says what to do.
// The engine never calls exit()/abort() and never lets a torch exception
// escape its public API: they are translated into Error at the boundary.
#pragma once

#include <stdexcept>
#include <string>

namespace waypoint {

enum class ErrorKind {
    FileNotFound,     // a path that does not exist or cannot be opened
    BadFormat,        // a file whose content is not what its format promises
    Unsupported,      // a valid file using something the engine does not do
    InvalidArgument,  // a parameter out of range, an empty prompt, ...
    DeviceUnavailable,// "cuda" asked for on a build or machine without it
    Internal,         // a bug: an exception from a library we did not expect
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace waypoint
