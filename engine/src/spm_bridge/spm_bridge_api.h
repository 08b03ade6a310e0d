// The plain C API of the sentencepiece bridge (docs/ARCHITECTURE.md trap 2).
//
// Debian's libsentencepiece.so.0 carries and exports its own protobuf 3.14;
// libtorch links the system protobuf 3.21. Linking both into one process
// crashes, so only the small shared library libwaypoint_spm_bridge.so links
// sentencepiece, and the engine dlopen()s it with RTLD_LOCAL | RTLD_DEEPBIND
// (spm_bridge_loader.cpp). Nothing C++ crosses this boundary: no exceptions,
// no std:: types. This header is shared by both sides; the function pointer
// types below are what the loader looks up with dlsym().
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// Bumped whenever a signature below changes; the loader refuses a mismatch.
#define WP_SPM_BRIDGE_ABI_VERSION 1

typedef struct wp_spm wp_spm;  // one loaded SentencePieceProcessor

// Piece kinds (wp_spm_piece_kind).
enum {
    WP_SPM_NORMAL = 0,
    WP_SPM_UNKNOWN = 1,
    WP_SPM_CONTROL = 2,
    WP_SPM_BYTE = 3,
    WP_SPM_UNUSED = 4,
};

int wp_spm_abi_version(void);

// Loads a .model file. Returns NULL on failure and writes a NUL-terminated
// message (at most err_len bytes, truncated) into err when err != NULL.
wp_spm* wp_spm_create(const char* model_path, char* err, size_t err_len);
void wp_spm_destroy(wp_spm* spm);

// Text (UTF-8 bytes, not NUL-terminated) to ids, without BOS/EOS. Writes at
// most capacity ids and returns how many the text needs (call again with a
// larger buffer when that is more than capacity); -1 on error.
int wp_spm_encode(const wp_spm* spm, const char* text, size_t text_len, int* ids, int capacity);

// The piece string of an id (sentencepiece form: U+2581 for space, "<0x0A>"
// for byte pieces). The pointer stays valid until wp_spm_destroy; *len gets
// its length. NULL for an id out of range.
const char* wp_spm_id_to_piece(const wp_spm* spm, int id, size_t* len);
int wp_spm_piece_kind(const wp_spm* spm, int id);  // WP_SPM_*, -1 out of range

int wp_spm_bos_id(const wp_spm* spm);  // -1 when the model has none
int wp_spm_eos_id(const wp_spm* spm);
int wp_spm_unk_id(const wp_spm* spm);
int wp_spm_vocab_size(const wp_spm* spm);

// sentencepiece's own decode. Writes at most capacity bytes and returns the
// full length (call again when larger); -1 on error.
long wp_spm_decode(const wp_spm* spm, const int* ids, size_t n_ids, char* out, size_t capacity);

typedef int (*wp_spm_abi_version_fn)(void);
typedef wp_spm* (*wp_spm_create_fn)(const char*, char*, size_t);
typedef void (*wp_spm_destroy_fn)(wp_spm*);
typedef int (*wp_spm_encode_fn)(const wp_spm*, const char*, size_t, int*, int);
typedef const char* (*wp_spm_id_to_piece_fn)(const wp_spm*, int, size_t*);
typedef int (*wp_spm_int_fn)(const wp_spm*);
typedef int (*wp_spm_piece_kind_fn)(const wp_spm*, int);
typedef long (*wp_spm_decode_fn)(const wp_spm*, const int*, size_t, char*, size_t);

#ifdef __cplusplus
}
#endif
