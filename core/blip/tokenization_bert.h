#pragma once
// Mirrors transformers' BertTokenizer (slow, uncased) as BlipProcessor sets it up: bert-base-uncased
// WordPiece plus BLIP's [DEC] (bos) and [ENC] tokens. Hand-written because the ids must equal
// Hugging Face's exactly; Unicode properties and normalisation come from ICU.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace glimpse::blip {

struct Encoding {
  std::vector<std::vector<int64_t>> input_ids;       // [batch][position]
  std::vector<std::vector<int64_t>> attention_mask;  // [batch][position]
};

enum class Padding { None, Longest, MaxLength };

struct EncodeOptions {
  Padding padding = Padding::None;
  bool truncation = false;
  int max_length = 0;  // used by truncation and Padding::MaxLength
};

class BertTokenizer {
 public:
  // Loads vocab.txt (or tokenizer.json when no vocab.txt exists), added_tokens.json and the options
  // of tokenizer_config.json (do_lower_case, strip_accents, tokenize_chinese_chars) from a model
  // folder. Throws BlipError when the folder has no vocabulary, it lacks BERT's special tokens,
  // or tokenizer_config.json is invalid or asks for what BertTokenizer's options cannot give.
  static BertTokenizer from_folder(const std::filesystem::path& dir);
  // Builds from vocab.txt lines; [DEC]/[ENC] get the next free ids unless `added` names them.
  static BertTokenizer from_vocab(std::vector<std::string> vocab,
                                  const std::unordered_map<std::string, int64_t>& added = {});

  // Word pieces of `text` without [CLS]/[SEP] (BertTokenizer.tokenize).
  std::vector<std::string> tokenize(const std::string& text) const;
  // [CLS] pieces [SEP] ids for one text, as BlipProcessor(text=...) returns them.
  std::vector<int64_t> encode(const std::string& text, const EncodeOptions& options = {}) const;
  // A batch, padded on the right with [PAD] as requested.
  Encoding encode_batch(const std::vector<std::string>& texts, const EncodeOptions& options = {}) const;
  // tokenizer.decode(ids, skip_special_tokens) with clean_up_tokenization_spaces.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true) const;

  int64_t token_to_id(const std::string& token) const;  // -1 when absent
  std::string id_to_token(int64_t id) const;            // "[UNK]" when out of range
  bool is_special_id(int64_t id) const;

  int64_t pad_id() const { return pad_id_; }
  int64_t unk_id() const { return unk_id_; }
  int64_t cls_id() const { return cls_id_; }
  int64_t sep_id() const { return sep_id_; }
  int64_t mask_id() const { return mask_id_; }
  int64_t dec_id() const { return dec_id_; }  // BLIP bos_token
  int64_t enc_id() const { return enc_id_; }
  int64_t vocab_size() const { return static_cast<int64_t>(id_to_token_.size()); }  // with added tokens
  // Ids with a token of their own (vocab_size without the gaps an added_tokens.json id beyond the
  // vocabulary leaves, which decode to [UNK]).
  int64_t token_count() const { return vocab_size() - gaps_; }

 private:
  std::vector<std::string> wordpiece(const std::u32string& word) const;
  std::vector<std::string> basic_tokenize(const std::u32string& text) const;

  std::unordered_map<std::string, int64_t> token_to_id_;
  std::vector<std::string> id_to_token_;
  int64_t base_vocab_size_ = 0;  // lines of vocab.txt
  int64_t pad_id_ = 0, unk_id_ = 100, cls_id_ = 101, sep_id_ = 102, mask_id_ = 103;
  int64_t dec_id_ = 30522, enc_id_ = 30523;
  std::vector<std::string> special_tokens_;  // matched case-sensitively before lower-casing
  // tokenizer_config.json (BertTokenizer's options)
  int64_t gaps_ = 0;
  bool do_lower_case_ = true;
  int strip_accents_ = -1;  // -1 unset (follows do_lower_case), 0 false, 1 true
  bool tokenize_chinese_chars_ = true;
  static BertTokenizer read_vocabulary(const std::filesystem::path& dir);  // vocab.txt or tokenizer.json
};

}  // namespace glimpse::blip
