#include "formats/pytorch/torch_checkpoint.h"

#include <filesystem>
#include <fstream>
#include <regex>

#include "formats/checkpoint_common.h"
#include "formats/pytorch/char_vocab.h"
#include "formats/pytorch/key_rules.h"
#include "formats/pytorch/settings.h"
#include "formats/pytorch/torch_archive.h"
#include "formats/pytorch/zip_archive.h"
#include "formats/safetensors/safetensors.h"
#include "formats/tokenizer_finder.h"
#include "tokenizer/tokenizers.h"
#include "waypoint/error.h"

namespace fs = std::filesystem;

namespace waypoint::detail {
namespace {

using pt::Value;
using Kind = Value::Kind;

// Where training scripts keep the state dict inside a checkpoint dict.
const char* const kStateDictKeys[] = {"model", "model_state", "model_state_dict", "state_dict",
                                      "module", "net", "weights", "params"};
// Where they keep the model's configuration (later entries win).
const char* const kConfigKeys[] = {"hparams", "cfg", "args", "config", "model_config", "model_args"};
const std::vector<std::string> kStepKeys = {"step", "iter_num", "iteration", "global_step"};
const std::vector<std::string> kLossKeys = {"val_loss", "validation_loss", "best_val_loss", "valid_loss"};

size_t count_tensors(const Value& d) {
    size_t n = 0;
    for (const auto& kv : d.dict) n += kv.second->kind == Kind::Tensor;
    return n;
}

// The dict of tensors: under a known key, else the root itself when it holds
// tensors, else the child dict with the most tensors (never the optimizer's).
const Value* find_state_dict(const Value& root) {
    for (const char* k : kStateDictKeys)
        if (const Value* v = root.get(k); v && v->kind == Kind::Dict && count_tensors(*v) > 0) return v;
    if (count_tensors(root) > 0) return &root;
    const Value* best = nullptr;
    size_t best_n = 0;
    for (const auto& [k, v] : root.dict) {
        if (k->kind == Kind::String && k->s.find("optim") != std::string::npos) continue;
        if (v->kind == Kind::Dict && count_tensors(*v) > best_n) {
            best = v.get();
            best_n = count_tensors(*v);
        }
    }
    return best;
}

std::optional<double> scalar_of(const Value* v) {
    if (!v) return std::nullopt;
    if (v->is_number()) return v->number();
    if (v->kind == Kind::Tensor && v->tensor.numel() == 1 && at::isFloatingType(v->tensor.scalar_type()))
        return v->tensor.to(at::kDouble).item<double>();
    if (v->kind == Kind::Tensor && v->tensor.numel() == 1) return double(v->tensor.to(at::kLong).item<int64_t>());
    return std::nullopt;
}

std::optional<double> first_scalar(const std::vector<const Value*>& dicts, const std::vector<std::string>& keys) {
    for (const Value* d : dicts) {
        if (!d) continue;
        for (const auto& k : keys)
            if (auto x = scalar_of(d->get(k))) return x;
    }
    return std::nullopt;
}

bool is_generic_stem(const std::string& stem) {
    static const std::regex re("ckpt|model|checkpoint|pytorch_model|state_dict|model_\\d+|best|last|final");
    return std::regex_match(stem, re);
}

// The card's name: the file's stem, or for generic stems (ckpt.pt,
// model_002920.pt) the nearest folder that names the run (skipping
// step_002920/, checkpoints/, out/).
std::string card_name(const std::string& path) {
    static const std::regex generic_dir("step_?\\d+|checkpoints?|ckpts?|out|output|\\.|");
    const std::string stem = stem_of(path);
    if (!is_generic_stem(stem)) return stem;
    std::string dir = parent_of(fs::absolute(path).string());
    for (int i = 0; i < 4 && !dir.empty(); ++i, dir = parent_of(dir)) {
        const std::string n = file_name_of(dir);
        if (!std::regex_match(n, generic_dir)) return n;
        if (dir == parent_of(dir)) break;
    }
    return stem;
}

std::unique_ptr<Tokenizer> char_tokenizer(std::vector<std::string> pieces, const std::string& where) {
    const std::string description = "characters (" + std::to_string(pieces.size()) + ", " + where + ")";
    return make_char_tokenizer(std::move(pieces), description);
}

std::unique_ptr<Tokenizer> find_torch_tokenizer(const std::string& path, const Value& root, const Value* meta,
                                                const std::string& meta_dir, int vocab_size,
                                                const std::string& explicit_path) {
    std::error_code ec;
    const std::string dir = parent_of(path);
    const std::string v = std::to_string(vocab_size);
    const std::vector<std::string> names = {"meta.pkl",      "meta.json",      "tokenizer.model", "tok" + v + ".model",
                                            "tokenizer.bin", "tok" + v + ".bin", "tokenizer.json", "vocab.json"};
    // Inside the checkpoint: stoi/itos at the top or under a meta/vocab dict.
    if (explicit_path.empty()) {
        for (const Value* d : {&root, root.get("meta"), root.get("vocab"), root.get("tokenizer"), root.get("config")}) {
            if (!d) continue;
            auto pieces = pt::pieces_from_vocab(d->get("itos"), d->get("stoi"));
            if (!pieces.empty())
                return char_tokenizer(std::move(pieces), "from " + file_name_of(path));
        }
    }
    // A nanochat meta_*.json naming its tokenizer file (relative to itself).
    if (meta && explicit_path.empty()) {
        const Value* t = meta->get("tokenizer");
        if (t && t->kind == Kind::Dict) {
            auto pieces = pt::pieces_from_vocab(t->get("itos"), t->get("stoi"));
            if (!pieces.empty())
                return char_tokenizer(std::move(pieces), "from " + file_name_of(meta_dir) + " meta json");
            for (const char* k : {"path", "file", "model"})
                if (const Value* p = t->get(k); p && p->kind == Kind::String) { t = p; break; }
        }
        if (t && t->kind == Kind::String) {
            for (const std::string& base : {meta_dir, parent_of(meta_dir)}) {
                fs::path p = fs::path(base) / t->s;
                if (fs::is_regular_file(p, ec)) return load_tokenizer_file(p.string(), vocab_size);
            }
        }
    }
    // Beside the file, or in the run folder above a step folder.
    return find_tokenizer(path, {dir, parent_of(dir)}, names, vocab_size, explicit_path,
                          "it holds no stoi/itos vocabulary");
}

// meta_<step>.json beside model_<step>.pt (nanochat), parsed; nullptr if none.
pt::ValuePtr step_meta(const std::string& path, std::string* meta_path) {
    static const std::regex re("model_(\\d+)\\.pt");
    std::smatch m;
    const std::string name = file_name_of(path);
    if (!std::regex_match(name, m, re)) return nullptr;
    fs::path p = fs::path(parent_of(path)) / ("meta_" + m[1].str() + ".json");
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return nullptr;
    *meta_path = p.string();
    auto v = pt::parse_json_value(read_text_file(p.string()), p.string());
    return v->kind == Kind::Dict ? v : nullptr;
}

// HF GPT2LMHeadModel's Conv1D weights are [in, out]; the canonical layout is
// Linear's [out, in]. c_attn tells which: [D, 3D] is Conv1D, [3D, D] Linear.
// Probing (`copy` false) keeps the transposed views: only shapes count.
void to_linear_layout(pt::MappedTensors& m, bool copy) {
    auto it = m.tensors.find("h.0.attn.c_attn.weight");
    if (it == m.tensors.end() || it->second.dim() != 2 || it->second.size(1) != 3 * it->second.size(0)) return;
    static const std::regex re("h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)\\.weight");
    for (auto& [name, t] : m.tensors)
        if (t.dim() == 2 && std::regex_match(name, re)) t = copy ? t.t().contiguous() : t.t();
    m.hf_gpt2 = true;
}

}  // namespace

bool looks_like_torch_zip(const std::string& path) { return pt::ZipArchive::looks_like_torch_zip(path); }

// torch.save's pre-1.6 format: a pickled magic number (LONG1 0x1950a86a20f9469cfc6c) first.
static bool is_legacy_torch(const std::string& h) {
    static const std::string magic("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14);
    return h.compare(0, magic.size(), magic) == 0;
}

bool is_torch_zip(const FileProbe& probe) {
    const std::string& h = probe.head;
    if (is_legacy_torch(h)) return true;  // read_torch_zip explains
    // The probe's head holds the local header: "PK\3\4", name length at 26, name at 30.
    if (h.size() < 30 || h.compare(0, 4, std::string("PK\x03\x04", 4)) != 0) return false;
    return looks_like_torch_zip(probe.path);
}

CheckpointData read_torch_zip(const FileProbe& probe, const ReadOptions& options) {
    if (is_legacy_torch(probe.head))
        throw Error(ErrorKind::Unsupported, probe.path + " uses torch.save's legacy format (PyTorch before 1.6); load it in "
                                                         "Python and save it again with a current torch.save");
    return read_torch_checkpoint(probe.path, options);
}

namespace {

// From named tensors (any naming the rules know) and the settings found for
// them to CheckpointData: canonical names, config, shape checks, tokenizer, card.
// `root` is the pickle's top dict (an empty dict for other containers).
CheckpointData assemble(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                        const Value& root, const pt::ValuePtr& meta, const std::string& meta_path,
                        const pt::Settings& settings, const ReadOptions& options) {
    const std::string label = file_name_of(path);
    std::error_code ec;
    pt::MappedTensors mapped = pt::map_tensor_names(tensors, label);
    to_linear_layout(mapped, /*copy=*/!options.probe);
    CheckpointData data;
    data.config = pt::infer_config(mapped, settings, label);
    const ModelConfig& c = data.config;
    if (c.tied_embeddings) mapped.tensors.erase(c.architecture == Architecture::Gpt2 ? "lm_head.weight" : "output.weight");
    const auto source = mapped.source;
    data.tensors = std::move(mapped.tensors);
    check_canonical_tensors(data.tensors, c, label,
                            [&](const std::string& n) { return source.count(n) ? source.at(n) : n; });

    attach_tokenizer(data, options, label, [&] {
        return find_torch_tokenizer(path, root, meta.get(), parent_of(meta_path.empty() ? path : meta_path),
                                    c.vocab_size, options.tokenizer_path);
    });

    ModelCard& card = data.card;
    card.name = card_name(path);
    card.path = path;
    card.format = meta ? "PyTorch checkpoint (nanochat step)" : "PyTorch checkpoint (torch.save)";
    card.file_bytes = int64_t(fs::file_size(path, ec));
    std::vector<const Value*> where = {meta.get(), &root};
    if (auto s = first_scalar(where, kStepKeys)) card.training_step = int64_t(*s);
    if (auto l = first_scalar(where, kLossKeys)) card.validation_loss = *l;
    fill_card_from_config(card, c);
    return data;
}

}  // namespace

CheckpointData read_torch_checkpoint(const std::string& path, const ReadOptions& options) {
    const std::string label = file_name_of(path);
    pt::TorchFile tf = pt::load_torch_file(path);
    const Value& root = *tf.root;
    if (root.kind != Kind::Dict)
        throw Error(ErrorKind::Unsupported, label + " holds a " + pt::describe(root) +
                                                ", not a dict of tensors; save the model's state_dict() with torch.save");
    const Value* sd = find_state_dict(root);
    if (!sd)
        throw Error(ErrorKind::Unsupported, label + " holds no tensors Waypoint can find (no 'model' or state dict); "
                                                    "save the model's state_dict() with torch.save");
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& [k, v] : sd->dict)
        if (k->kind == Kind::String && v->kind == Kind::Tensor) tensors.emplace_back(k->s, v->tensor);

    // Settings: inside the pickle, then a nanochat meta json, then config.json (wins).
    pt::Settings settings;
    for (const char* k : kConfigKeys)
        if (const Value* c = root.get(k)) settings.add(*c);
    std::string meta_path;
    pt::ValuePtr meta = step_meta(path, &meta_path);
    if (meta) {
        settings.add(*meta);
        if (const Value* mc = meta->get("model_config")) settings.add(*mc);
    }
    std::error_code ec;
    const fs::path config_json = fs::path(parent_of(path)) / "config.json";
    if (fs::is_regular_file(config_json, ec))
        settings.add(*pt::parse_json_value(read_text_file(config_json.string()), config_json.string()));

    return assemble(path, tensors, root, meta, meta_path, settings, options);
}

namespace {

// (step, model file) of every model_<step>.pt in `dir` and its step_*/ folders.
std::vector<std::pair<int64_t, std::string>> step_files(const std::string& dir) {
    static const std::regex model_re("model_(\\d+)\\.pt"), step_re("step_?(\\d+)");
    std::vector<std::pair<int64_t, std::string>> out;
    std::error_code ec;
    auto scan = [&](const fs::path& d) {
        for (const auto& e : fs::directory_iterator(d, ec)) {
            std::smatch m;
            const std::string n = e.path().filename().string();
            if (e.is_regular_file(ec) && std::regex_match(n, m, model_re))
                out.emplace_back(std::stoll(m[1].str().substr(0, 17)), e.path().string());
        }
    };
    scan(dir);
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string n = e.path().filename().string();
        if (e.is_directory(ec) && std::regex_match(n, step_re)) scan(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

bool is_step_folder(const std::string& dir) { return !step_files(dir).empty(); }

CheckpointData read_step_folder(const std::string& dir, const ReadOptions& options) {
    auto steps = step_files(dir);
    if (steps.empty())
        throw Error(ErrorKind::FileNotFound, dir + " holds no model_<step>.pt checkpoint");
    return read_torch_checkpoint(steps.back().second, options);
}

bool is_hf_gpt2_folder(const std::string& dir) {
    std::error_code ec;
    const fs::path d(dir);
    if (!fs::is_regular_file(d / "config.json", ec) || !fs::is_regular_file(d / "model.safetensors", ec)) return false;
    try {
        pt::ValuePtr cfg = pt::parse_json_value(read_text_file((d / "config.json").string()), "config.json");
        const Value* type = cfg->get("model_type");
        return type && type->kind == Kind::String && type->s == "gpt2";
    } catch (const Error&) {
        return false;  // the Hugging Face reader reports a broken config.json
    }
}

CheckpointData read_hf_gpt2_folder(const std::string& dir, const ReadOptions& options) {
    const fs::path d(dir);
    SafetensorsFile st((d / "model.safetensors").string());
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& [name, entry] : st.entries()) tensors.emplace_back(name, st.tensor(name));
    pt::Settings settings;
    settings.add(*pt::parse_json_value(read_text_file((d / "config.json").string()), (d / "config.json").string()));
    auto root = pt::make_value(Kind::Dict);
    CheckpointData data = assemble(st.path(), tensors, *root, nullptr, "", settings, options);
    data.card.name = file_name_of(dir);
    data.card.path = dir;
    data.card.format = "Hugging Face safetensors (GPT-2)";
    return data;
}

bool is_torch_weights_folder(const std::string& dir) {
    std::error_code ec;
    const fs::path d(dir);
    return fs::is_regular_file(d / "pytorch_model.bin", ec) && !fs::exists(d / "model.safetensors", ec) &&
           !fs::exists(d / "model.safetensors.index.json", ec) && looks_like_torch_zip((d / "pytorch_model.bin").string());
}

CheckpointData read_torch_weights_folder(const std::string& dir, const ReadOptions& options) {
    CheckpointData d = read_torch_checkpoint((fs::path(dir) / "pytorch_model.bin").string(), options.tokenizer_path);
    d.card.name = file_name_of(dir);
    d.card.format = "Hugging Face folder (pytorch_model.bin)";
    return d;
}

}  // namespace waypoint::detail
