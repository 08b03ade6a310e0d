// A minimal read-only view of a torch.save zip archive. torch.save stores
// every record uncompressed (method 0), so a record is a byte range of the
// file: we memory-map the file once and hand out views, never copies.
// (The mapping is formats/mapped_file.h's, shared with the other readers.)
// Only what torch.save writes is supported (stored entries, zip64 when the
// archive is large); anything else is Error(BadFormat/Unsupported).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "formats/mapped_file.h"

namespace waypoint::detail::pt {

class ZipArchive {
public:
    // Maps `path` and reads its central directory. Throws Error.
    explicit ZipArchive(const std::string& path);

    const std::string& path() const { return path_; }
    const std::shared_ptr<detail::MappedFile>& file() const { return file_; }

    // The archive's top folder ("ckpt/" for ckpt/data.pkl), found from the
    // record that ends in "data.pkl".
    const std::string& prefix() const { return prefix_; }

    bool has(const std::string& name) const { return entries_.count(name) != 0; }
    // Bytes of a record (name relative to prefix() when relative is true).
    // Throws Error(BadFormat) when missing or out of the file's bounds.
    std::string_view record(const std::string& name, bool relative = true) const;

    // True when the file starts with a zip local header and holds a
    // "<dir>/data.pkl" record: torch.save's zip format.
    static bool looks_like_torch_zip(const std::string& path);

private:
    struct Entry {
        uint64_t offset = 0;  // of the data
        uint64_t size = 0;
    };
    void read_directory();

    std::string path_;
    std::shared_ptr<detail::MappedFile> file_;
    std::map<std::string, Entry> entries_;
    std::string prefix_;
};

}  // namespace waypoint::detail::pt
