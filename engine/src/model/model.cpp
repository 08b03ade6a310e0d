// Model::load and the Model accessors (model.h).
#include "waypoint/model.h"

#include <c10/core/InferenceMode.h>

#include "formats/checkpoint.h"
#include "model/model_access.h"
#include "model/model_impl.h"
#include "model/torch_guard.h"
#include "waypoint/error.h"

namespace waypoint {

std::shared_ptr<const Model> Model::load(const LoadOptions& options) {
    const std::string what =
        "loading " + (options.checkpoint.empty() ? std::string("a checkpoint") : options.checkpoint);
    return detail::torch_guard(what.c_str(), [&] {
        c10::InferenceMode guard;
        if (options.threads > 0) set_cpu_threads(options.threads);
        detail::ensure_cpu_threads();
        const at::Device device(resolve_device(options.device));
        at::ScalarType dtype = device.is_cpu() ? at::kFloat : at::kBFloat16;
        if (options.dtype != "auto" && !options.dtype.empty()) dtype = detail::parse_dtype(options.dtype);
        if (device.is_mps() && dtype == at::kBFloat16 && options.dtype == "auto") dtype = at::kHalf;
        detail::CheckpointData data = detail::read_checkpoint(options.checkpoint, options.tokenizer);
        if (data.card.path.empty()) data.card.path = options.checkpoint;
        auto impl = detail::build_model(std::move(data), device, dtype);
        try {
            impl->chat_format = find_chat_format(options.checkpoint);
        } catch (const Error& e) {  // a broken tokenizer_config.json: still a usable model
            impl->chat_format.problem = e.what();
        }
        return detail::ModelAccess::wrap(std::move(impl));
    });
}

Model::Model(std::unique_ptr<detail::ModelImpl> impl) : impl_(std::move(impl)) {}

Model::~Model() = default;

const ModelCard& Model::card() const { return impl_->card; }

const Tokenizer& Model::tokenizer() const {
    if (!impl_->tokenizer) {
        throw Error(ErrorKind::Internal, impl_->card.path + ": this model was built without a tokenizer");
    }
    return *impl_->tokenizer;
}

int Model::context_length() const { return impl_->config.max_seq_len; }

int Model::vocab_size() const { return impl_->config.vocab_size; }

const ChatFormat& chat_format(const Model& model) { return detail::ModelAccess::impl(model).chat_format; }

const std::string& Model::generation_defaults_json() const {
    return impl_->generation_defaults_json;
}

}  // namespace waypoint
