#pragma once
// glimpse::marian::MarianTokenizer: Hugging Face's MarianTokenizer (v4.43.4) over libsentencepiece,
// for the OPUS-MT folders (source.spm, target.spm, vocab.json, tokenizer_config.json). Torch-free.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace glimpse::marian {

struct MarianEncoding {
  std::vector<std::vector<int64_t>> input_ids;       // right-padded with pad to the longest row
  std::vector<std::vector<int64_t>> attention_mask;  // 1 for tokens, 0 for padding
};

// Why sentencepiece cannot be used in this process (empty when it can): its module is missing, or
// the build is an AddressSanitizer one, whose runtime refuses the loading the module needs.
std::string sentencepiece_problem();

class MarianTokenizer {
 public:
  // Reads source.spm, target.spm, vocab.json and (optional) tokenizer_config.json of `dir`.
  // Throws blip::BlipError naming the file that is missing or unreadable.
  static MarianTokenizer load(const std::filesystem::path& dir);
  ~MarianTokenizer();
  MarianTokenizer(MarianTokenizer&&) noexcept;
  MarianTokenizer& operator=(MarianTokenizer&&) noexcept;

  // tokenizer.tokenize(text): special tokens in the text are kept whole, a leading ">>xx<<"
  // language code is one token, the rest are the source model's pieces.
  std::vector<std::string> tokenize(const std::string& text) const;
  // tokenizer(text).input_ids: the pieces' ids through vocab.json (unknown pieces -> <unk>) + </s>.
  std::vector<int64_t> encode(const std::string& text) const;
  // tokenizer(texts, padding=True)
  MarianEncoding encode_batch(const std::vector<std::string>& texts) const;
  // tokenizer.decode(ids, skip_special_tokens=...) with the target model.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true) const;
  std::string id_to_token(int64_t id) const;  // <unk> for ids outside the vocabulary

  int64_t vocab_size() const;  // len(vocab.json)
  int64_t pad_token_id() const;
  int64_t eos_token_id() const;
  int64_t unk_token_id() const;

 private:
  MarianTokenizer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace glimpse::marian
