// The libFuzzer entry of one harness: compiled once per target with
// WAYPOINT_FUZZ_HARNESS set to the harness's function name.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    waypoint::fuzz::WAYPOINT_FUZZ_HARNESS(data, size);
    return 0;
}
