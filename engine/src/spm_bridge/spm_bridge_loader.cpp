#include "spm_bridge_loader.h"

#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "waypoint/error.h"
#include "waypoint/platform/executable_path.h"
#include "waypoint/platform/shared_library.h"

namespace waypoint::detail {
namespace {

bool is_dir(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

// libwaypoint_spm_bridge.so, .dylib on macOS, waypoint_spm_bridge.dll on Windows.
std::string bridge_file_name() { return platform::shared_library_file_name("waypoint_spm_bridge"); }

template <typename Fn>
bool lookup(void* handle, const char* name, Fn& out, std::string& why) {
    out = reinterpret_cast<Fn>(platform::library_symbol(handle, name));
    if (out == nullptr) why = std::string("has no symbol ") + name;
    return out != nullptr;
}

// Fills `b` from an open handle; false (with `why`) when something is missing.
bool bind(void* h, SpmBridge& b, std::string& why) {
    wp_spm_abi_version_fn abi = nullptr;
    if (!lookup(h, "wp_spm_abi_version", abi, why)) return false;
    if (abi() != WP_SPM_BRIDGE_ABI_VERSION) {
        why = "has bridge API version " + std::to_string(abi()) + ", expected " +
              std::to_string(WP_SPM_BRIDGE_ABI_VERSION) + " (a stale build?)";
        return false;
    }
    return lookup(h, "wp_spm_create", b.create, why) &&
           lookup(h, "wp_spm_destroy", b.destroy, why) &&
           lookup(h, "wp_spm_encode", b.encode, why) &&
           lookup(h, "wp_spm_id_to_piece", b.id_to_piece, why) &&
           lookup(h, "wp_spm_piece_kind", b.piece_kind, why) &&
           lookup(h, "wp_spm_bos_id", b.bos_id, why) &&
           lookup(h, "wp_spm_eos_id", b.eos_id, why) &&
           lookup(h, "wp_spm_unk_id", b.unk_id, why) &&
           lookup(h, "wp_spm_vocab_size", b.vocab_size, why) &&
           lookup(h, "wp_spm_decode", b.decode, why);
}

}  // namespace

std::vector<std::string> spm_bridge_candidates() {
    const std::string name = bridge_file_name();
    if (const char* env = std::getenv("WAYPOINT_SPM_BRIDGE"); env != nullptr && *env != '\0') {
        const std::string p = env;
        return {is_dir(p) ? p + "/" + name : p};
    }
    std::vector<std::string> out;
    const std::string exe = platform::executable_dir();
    if (!exe.empty()) {
        out.push_back(exe + "/" + name);
        out.push_back(exe + "/../lib/waypoint/" + name);
#ifdef WAYPOINT_SPM_BRIDGE_INSTALL_LIBDIR
        // e.g. lib/x86_64-linux-gnu/waypoint under a /usr prefix.
        const std::string installed = exe + "/../" WAYPOINT_SPM_BRIDGE_INSTALL_LIBDIR "/" + name;
        if (installed != out.back()) out.push_back(installed);
#endif
        out.push_back(exe + "/../lib/" + name);
#ifdef __APPLE__
        out.push_back(exe + "/../Frameworks/" + name);  // inside Waypoint.app
#endif
    }
#ifdef WAYPOINT_SPM_BRIDGE_BUILD_DIR
    // Developers' builds only (WAYPOINT_BUILD_TREE_PATHS): tests run from
    // their own folders of the build tree. Packaged programs carry no build path.
    out.push_back(std::string(WAYPOINT_SPM_BRIDGE_BUILD_DIR) + "/" + name);
#endif
    return out;
}

SpmBridge open_spm_bridge(const std::vector<std::string>& candidates) {
    std::string tried;
    for (const auto& path : candidates) {
        std::string why;
        if (!exists(path)) {
            why = "not there";
        } else if (void* h = platform::open_private_library(path, why)) {
            SpmBridge b;
            b.path = path;
            if (bind(h, b, why)) return b;  // the handle stays open for the process
            platform::close_library(h);
        }
        tried += "\n  " + path + ": " + why;
    }
#ifdef WAYPOINT_NO_SPM_BRIDGE
    const char* hint = " This build has no sentencepiece (libsentencepiece-dev was not found at "
                       "configure time); install it and rebuild.";
#else
    const char* hint = " Build the waypoint_spm_bridge target, or set WAYPOINT_SPM_BRIDGE to "
                       "the library's path.";
#endif
    throw Error(ErrorKind::FileNotFound,
                "cannot load the sentencepiece bridge " + bridge_file_name() + " needed for .model tokenizers." +
                    hint + " Looked in:" + (tried.empty() ? std::string(" (nowhere)") : tried));
}

const SpmBridge& spm_bridge() {
    // Not a function-local static initialised by open_spm_bridge(): a failed
    // load must be retried (and must throw) on the next call, not be cached.
    static std::mutex mutex;
    static std::unique_ptr<SpmBridge> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    if (!loaded) loaded = std::make_unique<SpmBridge>(open_spm_bridge(spm_bridge_candidates()));
    return *loaded;
}

}  // namespace waypoint::detail
