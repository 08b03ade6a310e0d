#include "formats/pytorch/zip_archive.h"

#include <cstring>
#include <fstream>

#include "waypoint/error.h"

namespace waypoint::detail::pt {
namespace {

Error bad(const std::string& path, const std::string& what) {
    return Error(ErrorKind::BadFormat,
                 path + " is not a readable PyTorch checkpoint (" + what +
                     "); re-save it with torch.save or check that the file is complete");
}

uint16_t u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) { return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24); }
uint64_t u64(const uint8_t* p) { return uint64_t(u32(p)) | (uint64_t(u32(p + 4)) << 32); }

}  // namespace

ZipArchive::ZipArchive(const std::string& path) : path_(path), file_(detail::MappedFile::open(path)) {
    read_directory();
}

void ZipArchive::read_directory() {
    const uint8_t* d = file_->data();
    const uint64_t n = file_->size();
    if (n < 22) throw bad(path_, "too short for a zip archive");
    // End of central directory: the last 22+ bytes (a comment may follow).
    uint64_t eocd = UINT64_MAX;
    uint64_t lo = n > 22 + 65535 ? n - 22 - 65535 : 0;
    for (uint64_t i = n - 22 + 1; i-- > lo;) {
        if (u32(d + i) == 0x06054b50) { eocd = i; break; }
    }
    if (eocd == UINT64_MAX) throw bad(path_, "no zip end-of-directory record");
    uint64_t count = u16(d + eocd + 10);
    uint64_t cd_size = u32(d + eocd + 12);
    uint64_t cd_off = u32(d + eocd + 16);
    // zip64: a locator sits right before the classic record.
    if (eocd >= 20 && u32(d + eocd - 20) == 0x07064b50) {
        uint64_t z64 = u64(d + eocd - 20 + 8);
        if (z64 > n || n - z64 < 56 || u32(d + z64) != 0x06064b50) throw bad(path_, "broken zip64 directory");
        count = u64(d + z64 + 32);
        cd_size = u64(d + z64 + 40);
        cd_off = u64(d + z64 + 48);
    }
    if (cd_off > n || cd_size > n - cd_off) throw bad(path_, "zip directory outside the file");
    if (count > cd_size / 46) throw bad(path_, "zip directory entry count too large");

    uint64_t p = cd_off;
    const uint64_t end = cd_off + cd_size;
    for (uint64_t i = 0; i < count; ++i) {
        if (end - p < 46 || u32(d + p) != 0x02014b50) throw bad(path_, "broken zip directory entry");
        uint16_t method = u16(d + p + 10);
        uint64_t csize = u32(d + p + 20);
        uint64_t usize = u32(d + p + 24);
        uint64_t name_len = u16(d + p + 28), extra_len = u16(d + p + 30), comment_len = u16(d + p + 32);
        uint64_t local = u32(d + p + 42);
        if (end - p - 46 < name_len + extra_len + comment_len) throw bad(path_, "broken zip directory entry");
        std::string name(reinterpret_cast<const char*>(d + p + 46), name_len);
        // zip64 extra field: the 0xFFFFFFFF fields, in order usize, csize, offset.
        const uint8_t* x = d + p + 46 + name_len;
        const uint8_t* xe = x + extra_len;
        while (xe - x >= 4) {
            uint16_t id = u16(x), len = u16(x + 2);
            if (uint64_t(xe - x - 4) < len) break;
            if (id == 0x0001) {
                const uint8_t* f = x + 4;
                const uint8_t* fe = f + len;
                if (usize == 0xFFFFFFFFu && fe - f >= 8) { usize = u64(f); f += 8; }
                if (csize == 0xFFFFFFFFu && fe - f >= 8) { csize = u64(f); f += 8; }
                if (local == 0xFFFFFFFFu && fe - f >= 8) { local = u64(f); f += 8; }
            }
            x += 4 + len;
        }
        p += 46 + name_len + extra_len + comment_len;
        if (method != 0)
            throw Error(ErrorKind::Unsupported,
                        path_ + " holds a compressed record (" + name +
                            "); Waypoint reads torch.save's uncompressed archives only");
        if (csize != usize) throw bad(path_, "record size mismatch for " + name);
        if (local > n || n - local < 30 || u32(d + local) != 0x04034b50)
            throw bad(path_, "broken local header for " + name);
        uint64_t data = local + 30 + u16(d + local + 26) + u16(d + local + 28);
        if (data > n || usize > n - data) throw bad(path_, "record " + name + " runs past the end of the file");
        entries_[name] = Entry{data, usize};
        if (prefix_.empty() && name.size() >= 8 && name.compare(name.size() - 8, 8, "data.pkl") == 0) {
            prefix_ = name.substr(0, name.size() - 8);
        }
    }
    if (!entries_.count(prefix_ + "data.pkl")) throw bad(path_, "no data.pkl record");
}

std::string_view ZipArchive::record(const std::string& name, bool relative) const {
    auto it = entries_.find(relative ? prefix_ + name : name);
    if (it == entries_.end()) throw bad(path_, "missing record " + name);
    return std::string_view(reinterpret_cast<const char*>(file_->data() + it->second.offset), it->second.size);
}

bool ZipArchive::looks_like_torch_zip(const std::string& path) {
    // torch.save writes "<dir>/data.pkl" as the archive's first record, so
    // the first local header tells (a damaged archive still comes to us and
    // gets a precise BadFormat error instead of "unknown format").
    std::ifstream f(path, std::ios::binary);
    unsigned char h[30] = {};
    if (!f.read(reinterpret_cast<char*>(h), 30) || u32(h) != 0x04034b50) return false;
    std::string name(u16(h + 26), '\0');
    if (!f.read(name.data(), std::streamsize(name.size()))) return false;
    return name.size() >= 8 && name.compare(name.size() - 8, 8, "data.pkl") == 0;
}

}  // namespace waypoint::detail::pt
