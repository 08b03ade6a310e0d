// Template parts of harness.h.
#pragma once

#include <exception>
#include <string_view>

#include "waypoint/error.h"
#include "waypoint/tokenizer.h"

namespace waypoint::fuzz {

template <typename Body>
void expect_clean(const char* what, Body&& body) {
    try {
        body();
    } catch (const waypoint::Error& e) {
        if (e.kind() == waypoint::ErrorKind::Internal) finding(what, std::string("Error(Internal): ") + e.what());
    } catch (const std::exception& e) {
        finding(what, std::string("exception escaped: ") + e.what());
    } catch (...) {
        finding(what, "a non-std exception escaped");
    }
}

// A loaded tokenizer must encode and decode without crashing; its errors
// for text it cannot encode (a character vocabulary) are fine.
void exercise_tokenizer(const waypoint::Tokenizer& tokenizer);

}  // namespace waypoint::fuzz
