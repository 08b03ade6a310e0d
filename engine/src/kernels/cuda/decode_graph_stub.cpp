// The CUDA decode path in a build whose libtorch has no CUDA: never used
// (the session checks compiled() first), present so the engine links.
#include <stdexcept>

#include "kernels/cuda/decode_graph.h"

namespace waypoint::kernels::cuda {

bool compiled() { return false; }

const char* unsupported(const DecodeDesc&) { return "this build has no CUDA kernels"; }

Stats stats(int) { return {}; }

struct DecoderState {};

Decoder::Decoder(const DecodeDesc&) { throw std::runtime_error(unsupported(DecodeDesc{})); }
Decoder::~Decoder() = default;
void Decoder::step(int, int, float*) {}
void Decoder::sample(const SampleRequest&, SampleResult& result) { result = SampleResult{}; }
void Decoder::fetch_logits(float*) {}
double Decoder::capture_ms() const { return 0; }
bool Decoder::uses_graph() const { return false; }
bool Decoder::uses_pdl() const { return false; }

}  // namespace waypoint::kernels::cuda
