#include "formats/tokenizer_finder.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/checkpoint_common.h"
#include "formats/gguf/gguf_vocab_tokenizer.h"
#include "formats/pytorch/char_vocab.h"
#include "formats/pytorch/settings.h"
#include "formats/pytorch/torch_archive.h"
#include "tokenizer/tokenizers.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint::detail {
namespace {

std::string read_head(const std::string& path, size_t n) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::FileNotFound, "cannot open tokenizer " + path);
    std::string s(n, '\0');
    in.read(&s[0], static_cast<std::streamsize>(n));
    s.resize(static_cast<size_t>(in.gcount()));
    return s;
}

// llama2.c tokenizer.bin: int32 max_token_length, then per token: float
// score, int32 length (<= max_token_length), bytes.
bool looks_like_llama2c_tokenizer(const std::string& h) {
    if (h.size() < 12) return false;
    int32_t max_len = 0, len = 0;
    float score = 0;
    std::memcpy(&max_len, h.data(), 4);
    std::memcpy(&score, h.data() + 4, 4);
    std::memcpy(&len, h.data() + 8, 4);
    return max_len > 0 && max_len < 4096 && std::isfinite(score) && len >= 0 && len <= max_len;
}

// A sentencepiece ModelProto starts with field 1 (pieces, length-delimited):
// tag 0x0a, then a non-zero varint length.
bool looks_like_sentencepiece(const std::string& h) {
    return h.size() >= 2 && h[0] == '\x0a' && h[1] != '\0';
}

// A pickle (nanoGPT's meta.pkl) or JSON vocabulary: characters (stoi/itos),
// a HF tokenizer.json, or a GPT-2 vocab.json with merges.txt beside it.
std::unique_ptr<Tokenizer> load_vocabulary(const std::string& path, const pt::ValuePtr& v, bool json) {
    auto pieces = pt::pieces_from_vocab(v->get("itos"), v->get("stoi"));
    if (!pieces.empty()) {
        const std::string description =
            "characters (" + std::to_string(pieces.size()) + ", " + file_name_of(path) + ")";
        return make_char_tokenizer(std::move(pieces), description);
    }
    if (const pt::Value* m = v->get("model"); m && m->kind == pt::Value::Kind::Dict)
        return load_gpt2_bpe_tokenizer_json(path);  // HF tokenizer.json (byte-level BPE only)
    const fs::path merges = fs::path(parent_of(path)) / "merges.txt";
    std::error_code ec;
    if (json && fs::is_regular_file(merges, ec))
        return load_gpt2_bpe(path, merges.string());
    throw Error(ErrorKind::Unsupported, path + " is no vocabulary Waypoint reads (expected stoi/itos, a tokenizer.json, "
                                               "or a GPT-2 vocab.json with merges.txt beside it)");
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, int vocab_size) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(ErrorKind::FileNotFound, "tokenizer " + path + " does not exist");
    const std::string h = read_head(path, 16);
    if (h.size() >= 4 && h.compare(0, 4, "GGUF") == 0) return load_gguf_vocab_tokenizer(path);
    if (looks_like_sentencepiece(h)) return load_sentencepiece(path);
    if (!h.empty() && static_cast<unsigned char>(h[0]) == 0x80)
        return load_vocabulary(path, pt::load_plain_pickle(path), /*json=*/false);
    if (looks_like_llama2c_tokenizer(h)) return load_llama2c_tokenizer(path, vocab_size);
    if (!h.empty() && (h[0] == '{' || h[0] == ' ' || h[0] == '\n'))
        return load_vocabulary(path, pt::parse_json_value(read_text_file(path), path), /*json=*/true);
    throw Error(ErrorKind::BadFormat,
                path + " is not a tokenizer Waypoint can read (expected a sentencepiece .model, "
                       "a llama2.c tokenizer.bin, a GGUF vocabulary, a tokenizer.json or a character vocabulary)");
}

std::vector<std::string> llama2c_tokenizer_names(int vocab_size) {
    const std::string v = std::to_string(vocab_size);
    return {"tokenizer.model", "tok" + v + ".model", "tokenizer.bin", "tok" + v + ".bin"};
}

std::unique_ptr<Tokenizer> find_tokenizer(const std::string& checkpoint, const std::vector<std::string>& folders,
                                          const std::vector<std::string>& candidates, int vocab_size,
                                          const std::string& explicit_path, const std::string& note) {
    std::error_code ec;
    std::vector<std::string> dirs = folders;
    if (!explicit_path.empty()) {
        if (!fs::exists(explicit_path, ec))
            throw Error(ErrorKind::FileNotFound, "tokenizer " + explicit_path + " does not exist");
        if (!fs::is_directory(explicit_path, ec)) return load_tokenizer_file(explicit_path, vocab_size);
        dirs = {explicit_path};
    }
    for (const auto& dir : dirs) {
        for (const auto& name : candidates) {
            fs::path p = fs::path(dir) / name;
            if (fs::is_regular_file(p, ec)) return load_tokenizer_file(p.string(), vocab_size);
        }
    }
    std::string looked;
    for (const auto& name : candidates) looked += (looked.empty() ? "" : ", ") + name;
    const std::string where = explicit_path.empty() ? "next to " + checkpoint : "in " + explicit_path;
    throw Error(ErrorKind::FileNotFound, "no tokenizer found " + where + (note.empty() ? "" : ": " + note) +
                                             " (looked for " + looked + "); pass --tokenizer PATH");
}

}  // namespace waypoint::detail
