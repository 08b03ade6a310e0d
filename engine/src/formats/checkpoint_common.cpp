#include "formats/checkpoint_common.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint::detail {
void fill_card_from_config(ModelCard& card, const ModelConfig& c) {
    card.architecture = c.architecture == Architecture::Llama ? "llama" : "gpt2";
    card.layers = c.n_layers;
    card.heads = c.n_heads;
    card.kv_heads = c.n_kv_heads;
    card.width = c.dim;
    card.hidden = c.hidden_dim;
    card.vocabulary = c.vocab_size;
    card.context = c.max_seq_len;
    card.tied_embeddings = c.tied_embeddings;
}

void attach_tokenizer(CheckpointData& d, const ReadOptions& options, const std::string& file,
                      const std::function<std::unique_ptr<Tokenizer>()>& find) {
    try {
        d.tokenizer = find();
        check_tokenizer_fits(*d.tokenizer, d.config.vocab_size, file);
        d.card.tokenizer = d.tokenizer->description();
    } catch (const Error& e) {
        if (!options.probe) throw;
        d.tokenizer.reset();
        d.card.tokenizer.clear();
        d.tokenizer_problem = e.what();
    }
}

void check_tokenizer_fits(const Tokenizer& tokenizer, int vocab_size, const std::string& file) {
    if (tokenizer.vocab_size() > vocab_size)
        throw Error(ErrorKind::BadFormat,
                    "the tokenizer " + tokenizer.description() + " has " +
                        std::to_string(tokenizer.vocab_size()) + " tokens but " + file + " has only " +
                        std::to_string(vocab_size) +
                        " embedding rows: it belongs to another model; pass the right one with --tokenizer PATH");
}

std::string folder_name_of(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::path(path), ec);  // "dir/", "." -> a real name
    if (ec || p.empty()) p = fs::path(path);
    if (!p.has_filename()) p = p.parent_path();
    return p.filename().string();
}

std::string stem_of(const std::string& path) {
    fs::path p(path);
    if (!p.has_filename()) p = p.parent_path();
    return p.stem().string();
}

std::string parent_of(const std::string& path) {
    fs::path p = fs::path(path).parent_path();
    return p.empty() ? std::string(".") : p.string();
}

std::string hex_head(const std::string& bytes, size_t n) {
    std::string s;
    char buf[4];
    for (size_t i = 0; i < bytes.size() && i < n; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(bytes[i]));
        s += (i ? " " : "") + std::string(buf);
    }
    return s;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::FileNotFound, "cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace waypoint::detail
