#include "waypoint/platform/file_mapping.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "waypoint/error.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace waypoint::platform {

#if defined(_WIN32)

namespace {

std::wstring widen(const std::string& s) {
    const int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring w(static_cast<size_t>(n), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
    return w;
}

std::string last_error_text() {
    char buf[512] = {};
    ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, ::GetLastError(), 0,
                     buf, sizeof buf, nullptr);
    std::string s = buf;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

FileMapping::FileMapping(const std::string& path) {
    HANDLE file = ::CreateFileW(widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        throw Error(ErrorKind::FileNotFound, "cannot open " + path + ": " + last_error_text());
    LARGE_INTEGER size{};
    if (!::GetFileSizeEx(file, &size)) {
        ::CloseHandle(file);
        throw Error(ErrorKind::FileNotFound, path + " is not a regular file");
    }
    size_ = static_cast<int64_t>(size.QuadPart);
    if (size_ > 0) {
        // PAGE_WRITECOPY + FILE_MAP_COPY: the Windows form of a private
        // writable mapping of a read-only file.
        HANDLE mapping = ::CreateFileMappingW(file, nullptr, PAGE_WRITECOPY, 0, 0, nullptr);
        void* p = mapping ? ::MapViewOfFile(mapping, FILE_MAP_COPY, 0, 0, 0) : nullptr;
        if (p == nullptr && mapping) p = ::MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
        const std::string why = p ? std::string() : last_error_text();
        if (mapping) ::CloseHandle(mapping);  // the view keeps the mapping alive
        if (p == nullptr) {
            ::CloseHandle(file);
            throw Error(ErrorKind::FileNotFound, "cannot map " + path + " into memory: " + why);
        }
        data_ = static_cast<uint8_t*>(p);
    }
    ::CloseHandle(file);
}

FileMapping::~FileMapping() {
    if (data_) ::UnmapViewOfFile(data_);
}

void release_file_pages(const void*, size_t) {}

#else  // POSIX

FileMapping::FileMapping(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorKind::FileNotFound, "cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ErrorKind::FileNotFound, path + " is not a regular file");
    }
    size_ = static_cast<int64_t>(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, static_cast<size_t>(size_), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        // A writable private mapping counts against the commit limit; a file
        // larger than the machine's memory still maps read-only.
        if (p == MAP_FAILED && errno == ENOMEM)
            p = ::mmap(nullptr, static_cast<size_t>(size_), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int e = errno;
            ::close(fd);
            throw Error(ErrorKind::FileNotFound, "cannot map " + path + " into memory: " + std::strerror(e));
        }
        data_ = static_cast<uint8_t*>(p);
    }
    ::close(fd);  // the mapping stays valid without the descriptor
}

FileMapping::~FileMapping() {
    if (data_) ::munmap(data_, static_cast<size_t>(size_));
}

namespace {

// True when [begin, end) lies inside one file-backed mapping (Linux's
// /proc/self/maps; false where there is none).
bool in_file_mapping(uintptr_t begin, uintptr_t end) {
    FILE* f = std::fopen("/proc/self/maps", "r");
    if (!f) return false;
    char line[4096];
    bool found = false;
    while (!found && std::fgets(line, sizeof line, f)) {
        unsigned long lo = 0, hi = 0, inode = 0;
        char perms[8] = {}, file[2] = {};
        // lo-hi perms offset dev inode path
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu %1s", &lo, &hi, perms, &inode, file) < 4) continue;
        if (begin >= lo && end <= hi) found = inode != 0 && file[0] == '/';
        else if (begin >= lo && begin < hi) break;  // straddles mappings: leave it
    }
    std::fclose(f);
    return found;
}

}  // namespace

void release_file_pages(const void* p, size_t bytes) {
#ifdef MADV_PAGEOUT
    if (p == nullptr || bytes == 0) return;
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t begin = reinterpret_cast<uintptr_t>(p);
    const uintptr_t end = begin + bytes;
    const uintptr_t first = (begin + page - 1) & ~(page - 1);
    const uintptr_t last = end & ~(page - 1);
    if (last <= first || !in_file_mapping(begin, end)) return;
    // PAGEOUT (Linux 5.4+) reclaims without ever losing content: clean file
    // pages are dropped (and read back from the file if touched again), pages
    // a reader wrote (copy-on-write) stay. Older kernels ignore it (EINVAL).
    ::madvise(reinterpret_cast<void*>(first), last - first, MADV_PAGEOUT);
#else
    (void)p;
    (void)bytes;
    (void)&in_file_mapping;
#endif
}

#endif

}  // namespace waypoint::platform
