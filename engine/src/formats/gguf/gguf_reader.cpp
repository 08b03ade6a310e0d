// GGUF checkpoints: the container (gguf_file), the architecture's config and
// tensors (gguf_llama.cpp, gguf_gpt2.cpp), the embedded tokenizer
// (gguf_vocab_tokenizer.cpp for "llama", GPT-2 BPE for "gpt2") or an
// explicit one, and the card.
#include <map>

#include "formats/checkpoint_common.h"
#include "formats/gguf/gguf_arch.h"
#include "formats/gguf/gguf_file.h"
#include "formats/gguf/gguf_vocab_tokenizer.h"
#include "formats/readers.h"
#include "formats/tokenizer_finder.h"
#include "waypoint/error.h"

namespace waypoint::detail {

int gguf_required_int(const GgufFile& g, const std::string& key) {
    const nlohmann::json* v = g.find(key);
    if (!v) throw Error(ErrorKind::BadFormat, g.path() + " has no " + key + "; it is needed to build the model");
    if (v->is_array())
        throw Error(ErrorKind::Unsupported, g.path() + ": " + key + " varies per layer, which Waypoint does not support");
    auto x = g.get_int(key);
    if (!x || *x <= 0 || *x > (int64_t(1) << 30))
        throw Error(ErrorKind::BadFormat, g.path() + ": " + key + " is " + v->dump() + ", expected a positive integer");
    return static_cast<int>(*x);
}

bool is_gguf(const FileProbe& probe) { return probe.head.size() >= 4 && probe.head.compare(0, 4, "GGUF") == 0; }

CheckpointData read_gguf(const FileProbe& probe, const ReadOptions& options) {
    GgufFile g(probe.path, /*expand_quantized=*/!options.probe);
    const std::string& path = g.path();
    const std::string arch = g.get_string("general.architecture").value_or("");
    if (arch != "llama" && arch != "gpt2")
        throw Error(ErrorKind::Unsupported,
                    path + " holds a GGUF model of architecture \"" + arch +
                        "\"; Waypoint reads the llama (Llama, Mistral, TinyLlama) and gpt2 architectures from GGUF");
    if (g.tensors().empty())
        throw Error(ErrorKind::BadFormat, path + " holds no tensors (a vocabulary-only GGUF?); it can serve "
                                                 "as --tokenizer, not as a checkpoint");
    CheckpointData d;
    const auto source = arch == "llama" ? read_gguf_llama(g, d) : read_gguf_gpt2(g, d);

    attach_tokenizer(d, options, path, [&] {
        return options.tokenizer_path.empty() ? load_gguf_tokenizer(g)
                                              : load_tokenizer_file(options.tokenizer_path, d.config.vocab_size);
    });

    std::map<std::string, int> type_count;  // "F32/Q8_0" for the card
    for (const auto& [canon, name] : source) ++type_count[ggml_type_name(g.tensor_info(name)->type)];
    std::string types;
    for (const auto& [name, n] : type_count) types += (types.empty() ? "" : "/") + name;
    d.card.name = stem_of(path);
    d.card.path = path;
    d.card.format = "GGUF v" + std::to_string(g.version()) + " (" + types + ")";
    d.card.file_bytes = g.size();
    fill_card_from_config(d.card, d.config);
    return d;
}

}  // namespace waypoint::detail
