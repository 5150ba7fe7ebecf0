// A C interface over libsentencepiece, built as its own module and loaded by tokenization_marian.cpp
// with dlopen(RTLD_LOCAL | RTLD_DEEPBIND). Debian's libsentencepiece carries a private copy of
// protobuf-lite 3.14 and exports its symbols; in a process that also holds libtorch's
// libprotobuf 3.21 the two copies interpose each other and the process crashes while loading.
// Loaded this way, each library keeps its own protobuf.
#include <sentencepiece_processor.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {

using gspm_emit = void (*)(void* ctx, const char* data, size_t size);

namespace {
void set_error(char* err, size_t err_size, const std::string& message) {
  if (!err || err_size == 0) return;
  std::strncpy(err, message.c_str(), err_size - 1);
  err[err_size - 1] = '\0';
}
}  // namespace

__attribute__((visibility("default"))) void* gspm_load(const char* bytes, size_t size, char* err, size_t err_size) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  const auto status = sp->LoadFromSerializedProto(std::string(bytes, size));
  if (!status.ok()) {
    set_error(err, err_size, status.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

__attribute__((visibility("default"))) void gspm_free(void* handle) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}

// Pieces of `text`, one emit call each. Returns 0 on success.
__attribute__((visibility("default"))) int gspm_encode(void* handle, const char* text, size_t size, gspm_emit emit,
                                                       void* ctx, char* err, size_t err_size) {
  std::vector<std::string> pieces;
  const auto status =
      static_cast<sentencepiece::SentencePieceProcessor*>(handle)->Encode(std::string(text, size), &pieces);
  if (!status.ok()) {
    set_error(err, err_size, status.ToString());
    return 1;
  }
  for (const auto& p : pieces) emit(ctx, p.data(), p.size());
  return 0;
}

// DecodePieces of `count` pieces; the text comes back through one emit call.
__attribute__((visibility("default"))) int gspm_decode(void* handle, const char* const* pieces, const size_t* sizes,
                                                       size_t count, gspm_emit emit, void* ctx, char* err,
                                                       size_t err_size) {
  std::vector<std::string> in;
  in.reserve(count);
  for (size_t i = 0; i < count; ++i) in.emplace_back(pieces[i], sizes[i]);
  std::string text;
  const auto status = static_cast<sentencepiece::SentencePieceProcessor*>(handle)->Decode(in, &text);
  if (!status.ok()) {
    set_error(err, err_size, status.ToString());
    return 1;
  }
  emit(ctx, text.data(), text.size());
  return 0;
}

}  // extern "C"
