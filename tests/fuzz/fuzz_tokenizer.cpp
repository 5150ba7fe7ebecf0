// Tokenizer files (core/blip/tokenization_bert.h): BertTokenizer::from_folder over vocab.txt or
// tokenizer.json, added_tokens.json and tokenizer_config.json, then encode and decode a text.
// Input: a flags byte, then up to four parts separated by "\n#--\n": the vocabulary file,
// added_tokens.json, tokenizer_config.json and the text. Flags: 1 = the vocabulary is
// tokenizer.json (else vocab.txt), 2 = write added_tokens.json, 4 = write tokenizer_config.json.
#include <filesystem>
#include <string>
#include <vector>

#include "errors.h"
#include "support.h"
#include "tokenization_bert.h"

namespace {

std::vector<std::string> split(const std::string& s, const std::string& sep, size_t most) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < most) {
    const size_t at = s.find(sep, start);
    if (at == std::string::npos) break;
    parts.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  parts.push_back(s.substr(start));
  parts.resize(most);
  return parts;
}

void put(const std::string& dir, const std::string& name, const std::string& body) {
  glimpse::fuzz::writeScratch(dir + "/" + name, reinterpret_cast<const uint8_t*>(body.data()), body.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const auto parts = split(std::string(reinterpret_cast<const char*>(data + 1), size - 1), "\n#--\n", 4);
  static const std::string dir = [] {
    std::filesystem::create_directories(glimpse::fuzz::scratchDir() + "/model");
    return std::string("model");
  }();
  const std::filesystem::path folder = glimpse::fuzz::scratchDir() + "/" + dir;
  for (const char* name : {"vocab.txt", "tokenizer.json", "added_tokens.json", "tokenizer_config.json"})
    std::filesystem::remove(folder / name);
  put(dir, (flags & 1) ? "tokenizer.json" : "vocab.txt", parts[0]);
  if (flags & 2) put(dir, "added_tokens.json", parts[1]);
  if (flags & 4) put(dir, "tokenizer_config.json", parts[2]);
  try {
    const auto tok = glimpse::blip::BertTokenizer::from_folder(folder);
    const std::string& text = parts[3];
    tok.tokenize(text);
    const auto ids = tok.encode(text, {glimpse::blip::Padding::MaxLength, true, 35});
    tok.decode(ids, true);
    tok.decode(ids, false);
    tok.encode_batch({text, "a photo of", ""}, {glimpse::blip::Padding::Longest, false, 0});
    tok.decode({-1, 0, tok.vocab_size(), tok.vocab_size() + 5, tok.dec_id(), tok.enc_id()});
  } catch (const glimpse::blip::BlipError&) {
  }
  return 0;
}
