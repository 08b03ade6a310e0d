// A sentencepiece .model through the dlopen'ed bridge (docs/ARCHITECTURE.md trap 2).
// Encoding goes through sentencepiece itself; the pieces are copied out once
// at load so piece_bytes() (called per generated token) never crosses the
// bridge.
#include <sys/stat.h>

#include <memory>

#include "piece_text.h"
#include "spm_bridge/spm_bridge_loader.h"
#include "tokenizers.h"
#include "waypoint/error.h"

namespace waypoint::detail {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
public:
    using Handle = std::unique_ptr<wp_spm, wp_spm_destroy_fn>;

    SentencePieceTokenizer(const SpmBridge& bridge, Handle handle, std::string path)
        : bridge_(bridge), handle_(std::move(handle)), path_(std::move(path)) {
        wp_spm* h = handle_.get();
        bos_ = bridge_.bos_id(h);
        eos_ = bridge_.eos_id(h);
        const int n = bridge_.vocab_size(h);
        pieces_.resize(static_cast<size_t>(n));
        strip_after_bos_.resize(static_cast<size_t>(n), false);
        for (int id = 0; id < n; ++id) {
            const int kind = bridge_.piece_kind(h, id);
            size_t len = 0;
            const char* p = bridge_.id_to_piece(h, id, &len);
            const std::string_view piece(p ? p : "", p ? len : 0);
            if (kind == WP_SPM_BYTE) {
                const int byte = parse_byte_piece(piece);
                if (byte >= 0) pieces_[id] = std::string(1, static_cast<char>(byte));
            } else if (kind == WP_SPM_NORMAL || kind == WP_SPM_UNUSED) {
                pieces_[id] = spm_piece_to_text(piece);
                strip_after_bos_[id] = true;
            }  // control and unknown pieces stay ""
        }
    }

    std::vector<int> encode(std::string_view text, bool add_bos) const override {
        std::vector<int> ids(text.size() + 8);
        int n = bridge_.encode(handle_.get(), text.data(), text.size(), ids.data(),
                               static_cast<int>(ids.size()));
        if (n > static_cast<int>(ids.size())) {  // normalization grew the text
            ids.resize(static_cast<size_t>(n));
            n = bridge_.encode(handle_.get(), text.data(), text.size(), ids.data(), n);
        }
        // A damaged .model can load and still fail on some texts (e.g. a
        // broken normalization table): the file's fault, not ours.
        if (n < 0)
            throw Error(ErrorKind::BadFormat, "sentencepiece could not encode this text with " + path_ +
                                                  ": the tokenizer file looks damaged; use the tokenizer the "
                                                  "checkpoint was trained with");
        ids.resize(static_cast<size_t>(n));
        if (add_bos && bos_ >= 0) ids.insert(ids.begin(), bos_);
        return ids;
    }

    std::string piece_bytes(int id, int previous) const override {
        if (id < 0 || id >= static_cast<int>(pieces_.size()))
            throw Error(ErrorKind::InvalidArgument,
                        "token id " + std::to_string(id) + " is outside the vocabulary of " +
                            path_ + " (" + std::to_string(pieces_.size()) + " pieces)");
        const std::string& p = pieces_[static_cast<size_t>(id)];
        // llama2.c's decode: the first piece after BOS loses its dummy-prefix space.
        if (previous == bos_ && bos_ >= 0 && strip_after_bos_[id] && !p.empty() && p[0] == ' ')
            return p.substr(1);
        return p;
    }

    int vocab_size() const override { return static_cast<int>(pieces_.size()); }
    int bos() const override { return bos_; }
    int eos() const override { return eos_; }
    std::string description() const override {
        return "sentencepiece (" + file_name_of(path_) + ")";
    }

private:
    const SpmBridge& bridge_;
    Handle handle_;
    std::string path_;
    std::vector<std::string> pieces_;    // bytes each id stands for
    std::vector<bool> strip_after_bos_;  // text pieces (not byte pieces)
    int bos_ = -1;
    int eos_ = -1;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& model_path) {
    struct stat st {};
    if (::stat(model_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(ErrorKind::FileNotFound,
                    "sentencepiece model " + model_path +
                        " not found; pass the tokenizer.model that came with the checkpoint");
    const SpmBridge& bridge = spm_bridge();
    char err[512] = {0};
    SentencePieceTokenizer::Handle handle(bridge.create(model_path.c_str(), err, sizeof err),
                                          bridge.destroy);
    if (!handle)
        throw Error(ErrorKind::BadFormat, model_path + " is not a sentencepiece model (" +
                                              std::string(err) + ")");
    return std::make_unique<SentencePieceTokenizer>(bridge, std::move(handle), model_path);
}

}  // namespace waypoint::detail
