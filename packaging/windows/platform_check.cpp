// A Windows program over the platform layer, linked by cross-check.sh to
// prove that the layer builds and links with MinGW-w64. Run (under Windows or
// wine) with a file path: maps it, prints its first bytes and size, the
// executable's folder, the bridge's file name; exits 1 on any failure.
#include <cstdio>
#include <exception>
#include <string>

#include "waypoint/platform/executable_path.h"
#include "waypoint/platform/file_mapping.h"
#include "waypoint/platform/process_memory.h"
#include "waypoint/platform/shared_library.h"
#include "waypoint/platform/thread_priority.h"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: platform_check FILE\n");
        return 2;
    }
    try {
        waypoint::platform::lower_current_thread_priority();
        waypoint::platform::FileMapping m(argv[1]);
        std::printf("mapped %lld bytes, first byte %d\n", static_cast<long long>(m.size()),
                    m.size() > 0 ? m.data()[0] : -1);
        std::printf("executable dir: %s\n", waypoint::platform::executable_dir().c_str());
        std::printf("bridge file: %s\n",
                    waypoint::platform::shared_library_file_name("waypoint_spm_bridge").c_str());
        std::string why;
        void* none = waypoint::platform::open_private_library("no-such-library.dll", why);
        std::printf("missing library refused: %s (%s)\n", none ? "no" : "yes", why.c_str());
        std::printf("peak memory: %.1f MiB\n", waypoint::platform::peak_resident_mb());
        return none ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "platform_check: %s\n", e.what());
        return 1;
    }
}
