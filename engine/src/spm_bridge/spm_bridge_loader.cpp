#include "spm_bridge_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "waypoint/error.h"

#ifndef WAYPOINT_SPM_BRIDGE_NAME
#define WAYPOINT_SPM_BRIDGE_NAME "libwaypoint_spm_bridge.so"
#endif

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

std::string executable_dir() {
    std::string buf(4096, '\0');
    const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return {};
    buf.resize(static_cast<size_t>(n));
    const auto slash = buf.rfind('/');
    return slash == std::string::npos ? std::string() : buf.substr(0, slash);
}

template <typename Fn>
bool lookup(void* handle, const char* name, Fn& out, std::string& why) {
    out = reinterpret_cast<Fn>(::dlsym(handle, name));
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
    const std::string name = WAYPOINT_SPM_BRIDGE_NAME;
    if (const char* env = std::getenv("WAYPOINT_SPM_BRIDGE"); env != nullptr && *env != '\0') {
        const std::string p = env;
        return {is_dir(p) ? p + "/" + name : p};
    }
    std::vector<std::string> out;
    const std::string exe = executable_dir();
    if (!exe.empty()) {
        out.push_back(exe + "/" + name);
        out.push_back(exe + "/../lib/waypoint/" + name);
#ifdef WAYPOINT_SPM_BRIDGE_INSTALL_LIBDIR
        // e.g. lib/x86_64-linux-gnu/waypoint under a /usr prefix.
        const std::string installed = exe + "/../" WAYPOINT_SPM_BRIDGE_INSTALL_LIBDIR "/" + name;
        if (installed != out.back()) out.push_back(installed);
#endif
        out.push_back(exe + "/../lib/" + name);
    }
#ifdef WAYPOINT_SPM_BRIDGE_BUILD_DIR
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
        } else if (void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)) {
            SpmBridge b;
            b.path = path;
            if (bind(h, b, why)) return b;  // the handle stays open for the process
            ::dlclose(h);
        } else {
            const char* e = ::dlerror();
            why = e ? e : "dlopen failed";
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
                std::string("cannot load the sentencepiece bridge " WAYPOINT_SPM_BRIDGE_NAME
                            " needed for .model tokenizers.") +
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
