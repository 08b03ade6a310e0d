// Character-level vocabularies that training scripts store inside or beside
// a checkpoint (nanoGPT's meta.pkl, a stoi/itos pair in the ckpt dict, a
// meta.json): id -> text piece, usually one character each.
// TODO(tokenizers): move to engine/src/tokenizer/ when its factory for
// character vocabularies lands; this is the reader side of it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/pytorch/pickle_value.h"
#include "waypoint/tokenizer.h"

namespace waypoint::detail::pt {

// pieces[id] is the UTF-8 text of token id (may be empty for unused ids).
// encode() takes the longest piece that matches at each position; a character
// that is in no piece is skipped (the model cannot see it). No BOS/EOS.
std::unique_ptr<Tokenizer> make_char_tokenizer(std::vector<std::string> pieces, std::string description);

// The pieces from an itos (dict id -> str, with int or digit-string keys, or a
// list) or, failing that, a stoi (str -> id) value. Empty when neither holds
// a usable vocabulary.
std::vector<std::string> pieces_from_vocab(const Value* itos, const Value* stoi);

}  // namespace waypoint::detail::pt
