// Character-level vocabularies that training scripts store inside or beside
// a checkpoint (nanoGPT's meta.pkl, a stoi/itos pair in the ckpt dict, a
// meta.json): id -> text piece, usually one character each. This is the
// reading side; the tokenizer is tokenizer/tokenizers.h's make_char_tokenizer.
#pragma once

#include <string>
#include <vector>

#include "formats/pytorch/pickle_value.h"

namespace waypoint::detail::pt {

// The pieces from an itos (dict id -> str, with int or digit-string keys, or a
// list) or, failing that, a stoi (str -> id) value. Empty when neither holds
// a usable vocabulary.
std::vector<std::string> pieces_from_vocab(const Value* itos, const Value* stoi);

}  // namespace waypoint::detail::pt
