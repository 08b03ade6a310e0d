// A whole file mapped into memory, private to this process (copy-on-write):
// the file is opened read-only and never changes, and writing to a page
// copies that page instead of faulting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace waypoint::platform {

class FileMapping {
public:
    // Maps `path` (UTF-8). Writable copy-on-write where the system allows;
    // when that is refused for lack of commit (a file larger than memory),
    // read-only. Throws waypoint::Error(FileNotFound) naming the file and the
    // system's reason when it cannot be opened or mapped.
    explicit FileMapping(const std::string& path);
    ~FileMapping();
    FileMapping(const FileMapping&) = delete;
    FileMapping& operator=(const FileMapping&) = delete;

    uint8_t* data() const { return data_; }  // nullptr for an empty file
    int64_t size() const { return size_; }

private:
    uint8_t* data_ = nullptr;
    int64_t size_ = 0;
};

// Asks the system to drop the whole pages inside [p, p + bytes) when they
// belong to a file mapping, without losing content (clean pages are read
// back from the file if touched again; copied-on-write pages stay).
// Linux 5.4+: MADV_PAGEOUT; elsewhere (and for heap memory) nothing.
void release_file_pages(const void* p, size_t bytes);

}  // namespace waypoint::platform
