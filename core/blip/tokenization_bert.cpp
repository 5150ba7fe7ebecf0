#include "tokenization_bert.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "configuration_blip.h"
#include "errors.h"

namespace glimpse::blip {
namespace {

// A token id read from JSON. nlohmann converts 1.5 or 1e30 to an integer by a plain cast (undefined
// behaviour out of range), so only JSON integers are ids.
int64_t json_token_id(const nlohmann::json& v, const std::string& token) {
  if (!v.is_number_integer()) throw BlipError("token " + token + " has an id that is not an integer: " + v.dump());
  return v.get<int64_t>();
}

constexpr int kMaxInputCharsPerWord = 100;

std::u32string utf8_to_u32(const std::string& s) {
  // Invalid sequences become U+FFFD, which BERT's text cleaning then drops.
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = p[i];
    char32_t cp;
    int len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c >> 4) == 0xE) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c >> 3) == 0x1E) {
      cp = c & 0x07;
      len = 4;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + len > n) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80)
    out.push_back(static_cast<char>(cp));
  else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string u32_to_utf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

std::u16string u32_to_u16(const std::u32string& s) {
  std::u16string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (c >= 0x10000) {
      c -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (c >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (c & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(c));
    }
  }
  return out;
}

std::u32string u16_to_u32(const char16_t* s, int32_t n) {
  std::u32string out;
  out.reserve(n);
  for (int32_t i = 0; i < n; ++i) {
    char32_t c = s[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
      ++i;
    }
    out.push_back(c);
  }
  return out;
}

std::u32string normalize(const std::u32string& s, bool nfc) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* norm = nfc ? unorm2_getNFCInstance(&err) : unorm2_getNFDInstance(&err);
  if (U_FAILURE(err)) throw BlipError("ICU normaliser unavailable");
  std::u16string src = u32_to_u16(s);
  std::u16string dst(src.size() * 4 + 16, u'\0');
  int32_t len = unorm2_normalize(norm, reinterpret_cast<const UChar*>(src.data()), static_cast<int32_t>(src.size()),
                                 reinterpret_cast<UChar*>(dst.data()), static_cast<int32_t>(dst.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    err = U_ZERO_ERROR;
    dst.assign(len + 1, u'\0');
    len = unorm2_normalize(norm, reinterpret_cast<const UChar*>(src.data()), static_cast<int32_t>(src.size()),
                           reinterpret_cast<UChar*>(dst.data()), static_cast<int32_t>(dst.size()), &err);
  }
  if (U_FAILURE(err)) throw BlipError("Unicode normalisation failed");
  return u16_to_u32(dst.data(), len);
}

// Python's str.lower() applied to one character (full case mapping, no context: a lone capital
// sigma becomes U+03C3, U+0130 becomes "i" + U+0307).
void append_lower(std::u32string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back((c >= 'A' && c <= 'Z') ? c + 32 : c);
    return;
  }
  std::u16string src = u32_to_u16(std::u32string(1, c));
  UChar dst[16];
  UErrorCode err = U_ZERO_ERROR;
  int32_t n =
      u_strToLower(dst, 16, reinterpret_cast<const UChar*>(src.data()), static_cast<int32_t>(src.size()), "", &err);
  if (U_FAILURE(err) || n > 16) {
    out.push_back(c);
    return;
  }
  out += u16_to_u32(reinterpret_cast<const char16_t*>(dst), n);
}

std::u32string lower(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s) append_lower(out, c);
  return out;
}

bool is_whitespace(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  return u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR;
}

bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
    case U_UNASSIGNED:
      return true;
    default:
      return false;
  }
}

bool is_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Python's str.split() separators that can survive text cleaning (Zs is already a space).
bool is_split_space(char32_t c) {
  return c == ' ' || c == 0x2028 || c == 0x2029 || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F || c == 0x85 ||
         (c >= 0x09 && c <= 0x0D);
}

std::vector<std::u32string> split_whitespace(const std::u32string& s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : s) {
    if (is_split_space(c) || is_whitespace(c)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

BertTokenizer BertTokenizer::from_vocab(std::vector<std::string> vocab,
                                        const std::unordered_map<std::string, int64_t>& added) {
  BertTokenizer t;
  t.base_vocab_size_ = static_cast<int64_t>(vocab.size());
  t.id_to_token_ = std::move(vocab);
  for (size_t i = 0; i < t.id_to_token_.size(); ++i) t.token_to_id_[t.id_to_token_[i]] = static_cast<int64_t>(i);
  const char* required[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::string missing;
  for (const char* tok : required)
    if (!t.token_to_id_.count(tok)) missing += std::string(missing.empty() ? "" : ", ") + tok;
  if (!missing.empty()) throw BlipError("the vocabulary is not a BERT WordPiece vocabulary: it lacks " + missing);
  // Added tokens from added_tokens.json, in id order; BLIP's [DEC]/[ENC] are added after the
  // vocabulary (as BLIP's init_tokenizer does) when the file does not list them.
  std::vector<std::pair<int64_t, std::string>> extra;
  for (const auto& [tok, id] : added) extra.emplace_back(id, tok);
  std::sort(extra.begin(), extra.end());
  for (const auto& [id, tok] : extra) {
    if (id < 0 || id > static_cast<int64_t>(t.id_to_token_.size()) + 1000000)
      throw BlipError("added token " + tok + " has an invalid id " + std::to_string(id));
    if (id < static_cast<int64_t>(t.id_to_token_.size())) {
      t.id_to_token_[id] = tok;
    } else {
      while (static_cast<int64_t>(t.id_to_token_.size()) < id) {
        t.id_to_token_.push_back("[UNK]");  // a gap added_tokens.json leaves: no token of its own
        ++t.gaps_;
      }
      t.id_to_token_.push_back(tok);
    }
    t.token_to_id_[tok] = id;
  }
  for (const char* tok : {"[DEC]", "[ENC]"}) {
    if (!t.token_to_id_.count(tok)) {
      t.token_to_id_[tok] = static_cast<int64_t>(t.id_to_token_.size());
      t.id_to_token_.push_back(tok);
    }
  }
  t.pad_id_ = t.token_to_id_["[PAD]"];
  t.unk_id_ = t.token_to_id_["[UNK]"];
  t.cls_id_ = t.token_to_id_["[CLS]"];
  t.sep_id_ = t.token_to_id_["[SEP]"];
  t.mask_id_ = t.token_to_id_["[MASK]"];
  t.dec_id_ = t.token_to_id_["[DEC]"];
  t.enc_id_ = t.token_to_id_["[ENC]"];
  t.special_tokens_ = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", "[ENC]"};
  t.gaps_ += std::count(t.id_to_token_.begin(), t.id_to_token_.end(), std::string());  // ids tokenizer.json skips
  return t;
}

BertTokenizer BertTokenizer::from_folder(const std::filesystem::path& dir) {
  BertTokenizer t = read_vocabulary(dir);
  // tokenizer_config.json: BertTokenizer's options, honoured as transformers does; invalid JSON is
  // an error (transformers fails on it too), unsupported values are refused by name.
  using nlohmann::json;
  std::error_code ec;
  const auto config_path = dir / "tokenizer_config.json";
  if (std::filesystem::exists(config_path, ec)) {
    json j;
    try {
      j = json::parse(read_text_file(config_path));
    } catch (const json::exception& e) {
      throw BlipError(config_path.string() + " is not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw BlipError(config_path.string() + " is not a JSON object");
    auto flag = [&](const char* key, bool fallback) {
      auto it = j.find(key);
      if (it == j.end() || it->is_null()) return fallback;
      if (!it->is_boolean())
        throw BlipError(config_path.string() + ": " + key + " must be true or false, got " + it->dump());
      return it->get<bool>();
    };
    t.do_lower_case_ = flag("do_lower_case", true);
    t.tokenize_chinese_chars_ = flag("tokenize_chinese_chars", true);
    if (auto it = j.find("strip_accents"); it != j.end() && !it->is_null())
      t.strip_accents_ = flag("strip_accents", true) ? 1 : 0;
    if (!flag("do_basic_tokenize", true))
      throw BlipError(config_path.string() +
                      ": do_basic_tokenize false is not supported (BLIP's tokenizer uses the basic tokenizer)");
    if (auto it = j.find("tokenizer_class"); it != j.end() && it->is_string()) {
      const std::string cls = it->get<std::string>();
      if (cls != "BertTokenizer" && cls != "BertTokenizerFast")
        throw BlipError(config_path.string() + ": tokenizer_class \"" + cls +
                        "\" is not supported (BLIP uses BertTokenizer)");
    }
  }
  return t;
}

BertTokenizer BertTokenizer::read_vocabulary(const std::filesystem::path& dir) {
  using nlohmann::json;
  std::error_code ec;
  std::unordered_map<std::string, int64_t> added;
  if (std::filesystem::exists(dir / "added_tokens.json", ec)) {
    try {
      json j = json::parse(read_text_file(dir / "added_tokens.json"));
      for (auto& [k, v] : j.items()) added[k] = json_token_id(v, k);
    } catch (const json::exception& e) {
      throw BlipError((dir / "added_tokens.json").string() + " is not valid: " + e.what());
    } catch (const BlipError& e) {
      throw BlipError((dir / "added_tokens.json").string() + ": " + e.what());
    }
  }
  if (std::filesystem::exists(dir / "vocab.txt", ec)) {
    std::string text = read_text_file(dir / "vocab.txt");
    std::vector<std::string> vocab;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      vocab.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    try {
      return from_vocab(std::move(vocab), added);
    } catch (const BlipError& e) {
      throw BlipError((dir / "vocab.txt").string() + ": " + e.what());
    }
  }
  if (std::filesystem::exists(dir / "tokenizer.json", ec)) {
    const auto path = (dir / "tokenizer.json").string();
    try {
      json j = json::parse(read_text_file(dir / "tokenizer.json"));
      const json& model = j.at("model");
      if (model.value("type", std::string()) != "WordPiece")
        throw BlipError(path + ": tokenizer model is \"" + model.value("type", std::string("?")) +
                        "\", expected WordPiece");
      std::vector<std::string> vocab;
      for (auto& [tok, idj] : model.at("vocab").items()) {
        int64_t id = json_token_id(idj, tok);
        if (id < 0 || id > 10000000) throw BlipError(path + ": invalid token id");
        if (static_cast<int64_t>(vocab.size()) <= id) vocab.resize(id + 1);
        vocab[id] = tok;
      }
      if (j.contains("added_tokens") && j["added_tokens"].is_array())
        for (const auto& a : j["added_tokens"]) {
          std::string tok = a.at("content").get<std::string>();
          int64_t id = json_token_id(a.at("id"), tok);
          if (id >= static_cast<int64_t>(vocab.size())) added[tok] = id;
        }
      return from_vocab(std::move(vocab), added);
    } catch (const json::exception& e) {
      throw BlipError(path + " is not a valid tokenizer file: " + e.what());
    } catch (const BlipError& e) {
      throw BlipError(std::string(e.what()).rfind(path, 0) == 0 ? e.what() : path + ": " + e.what());
    }
  }
  throw BlipError("no tokenizer in " + dir.string() + ": expected vocab.txt or tokenizer.json");
}

int64_t BertTokenizer::token_to_id(const std::string& token) const {
  auto it = token_to_id_.find(token);
  return it == token_to_id_.end() ? -1 : it->second;
}

std::string BertTokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id >= static_cast<int64_t>(id_to_token_.size())) return "[UNK]";
  return id_to_token_[id];
}

bool BertTokenizer::is_special_id(int64_t id) const {
  return id == pad_id_ || id == unk_id_ || id == cls_id_ || id == sep_id_ || id == mask_id_ || id == dec_id_ ||
         id == enc_id_;
}

std::vector<std::string> BertTokenizer::basic_tokenize(const std::u32string& text) const {
  // _clean_text + _tokenize_chinese_chars
  std::u32string cleaned;
  cleaned.reserve(text.size());
  for (char32_t c : text) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (is_whitespace(c)) {
      cleaned.push_back(' ');
    } else if (tokenize_chinese_chars_ && is_cjk(c)) {
      cleaned.push_back(' ');
      cleaned.push_back(c);
      cleaned.push_back(' ');
    } else {
      cleaned.push_back(c);
    }
  }
  std::vector<std::string> out;
  for (const std::u32string& word : split_whitespace(normalize(cleaned, /*nfc=*/true))) {
    // do_lower_case: lower, then strip accents (NFD, drop Mn) unless strip_accents is false;
    // without lower-casing, accents go only when strip_accents is true (BasicTokenizer).
    const std::u32string cased = do_lower_case_ ? lower(word) : word;
    const bool strip = do_lower_case_ ? strip_accents_ != 0 : strip_accents_ == 1;
    std::u32string stripped;
    if (strip) {
      for (char32_t c : normalize(cased, /*nfc=*/false))
        if (u_charType(static_cast<UChar32>(c)) != U_NON_SPACING_MARK) stripped.push_back(c);
    } else {
      stripped = cased;
    }
    // split on punctuation
    std::u32string cur;
    for (char32_t c : stripped) {
      if (is_punctuation(c)) {
        if (!cur.empty()) out.push_back(u32_to_utf8(cur));
        cur.clear();
        out.push_back(u32_to_utf8(std::u32string(1, c)));
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) out.push_back(u32_to_utf8(cur));
  }
  return out;
}

std::vector<std::string> BertTokenizer::wordpiece(const std::u32string& word) const {
  if (static_cast<int>(word.size()) > kMaxInputCharsPerWord) return {"[UNK]"};
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    std::string found;
    while (start < end) {
      std::string sub = u32_to_utf8(word.substr(start, end - start));
      if (start > 0) sub = "##" + sub;
      if (token_to_id_.count(sub)) {
        found = std::move(sub);
        break;
      }
      --end;
    }
    if (found.empty()) return {"[UNK]"};
    pieces.push_back(std::move(found));
    start = end;
  }
  return pieces;
}

std::vector<std::string> BertTokenizer::tokenize(const std::string& text_utf8) const {
  const std::u32string text = utf8_to_u32(text_utf8);
  std::vector<std::string> out;
  // Split at case-sensitive special-token occurrences; lower-case the rest char by char.
  std::u32string chunk;
  auto flush = [&]() {
    for (const std::string& word : basic_tokenize(do_lower_case_ ? lower(chunk) : chunk))
      for (std::string& piece : wordpiece(utf8_to_u32(word))) out.push_back(std::move(piece));
    chunk.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    bool matched = false;
    if (text[i] == '[') {
      for (const std::string& sp : special_tokens_) {
        if (i + sp.size() <= text.size() && std::equal(sp.begin(), sp.end(), text.begin() + i, [](char a, char32_t b) {
              return static_cast<char32_t>(a) == b;
            })) {
          flush();
          out.push_back(sp);
          i += sp.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) chunk.push_back(text[i++]);
  }
  flush();
  return out;
}

std::vector<int64_t> BertTokenizer::encode(const std::string& text, const EncodeOptions& options) const {
  return encode_batch({text}, options).input_ids.front();
}

Encoding BertTokenizer::encode_batch(const std::vector<std::string>& texts, const EncodeOptions& options) const {
  if ((options.truncation || options.padding == Padding::MaxLength) && options.max_length < 2)
    throw BlipError("max_length must be at least 2 to hold [CLS] and [SEP]");
  Encoding enc;
  size_t longest = 0;
  for (const std::string& text : texts) {
    std::vector<int64_t> ids{cls_id_};
    std::vector<std::string> pieces = tokenize(text);
    size_t keep = pieces.size();
    if (options.truncation) keep = std::min(keep, static_cast<size_t>(options.max_length - 2));
    for (size_t k = 0; k < keep; ++k) {
      int64_t id = token_to_id(pieces[k]);
      ids.push_back(id < 0 ? unk_id_ : id);
    }
    ids.push_back(sep_id_);
    longest = std::max(longest, ids.size());
    enc.attention_mask.emplace_back(ids.size(), 1);
    enc.input_ids.push_back(std::move(ids));
  }
  size_t target = 0;
  if (options.padding == Padding::Longest) target = longest;
  if (options.padding == Padding::MaxLength) target = static_cast<size_t>(options.max_length);
  for (size_t b = 0; b < texts.size(); ++b) {
    while (enc.input_ids[b].size() < target) {
      enc.input_ids[b].push_back(pad_id_);
      enc.attention_mask[b].push_back(0);
    }
  }
  return enc;
}

std::string BertTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> pieces;
  std::vector<std::string> run;
  auto run_to_string = [](const std::vector<std::string>& tokens) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) joined += ' ';
      joined += tokens[i];
    }
    // " ##" removed, then strip()
    std::string out;
    for (size_t i = 0; i < joined.size();) {
      if (joined.compare(i, 3, " ##") == 0) {
        i += 3;
      } else {
        out += joined[i++];
      }
    }
    size_t b = out.find_first_not_of(" \t\n\r\f\v");
    size_t e = out.find_last_not_of(" \t\n\r\f\v");
    return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
  };
  for (int64_t id : ids) {
    if (skip_special_tokens && is_special_id(id)) continue;
    std::string tok = id_to_token(id);
    // Additional special tokens outside vocab.txt ([ENC]) stand alone, as in Hugging Face.
    if (tok == "[ENC]" && id >= base_vocab_size_) {
      if (!run.empty()) {
        std::string s = run_to_string(run);
        if (!s.empty()) pieces.push_back(std::move(s));
      }
      run.clear();
      pieces.push_back(tok);
    } else {
      run.push_back(std::move(tok));
    }
  }
  if (!run.empty()) pieces.push_back(run_to_string(run));
  std::string text;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i) text += ' ';
    text += pieces[i];
  }
  static const std::pair<const char*, const char*> kCleanup[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kCleanup) {
    std::string f(from), t(to), out;
    size_t pos = 0;
    for (;;) {
      size_t hit = text.find(f, pos);
      if (hit == std::string::npos) {
        out.append(text, pos, std::string::npos);
        break;
      }
      out.append(text, pos, hit - pos);
      out += t;
      pos = hit + f.size();
    }
    text = std::move(out);
  }
  return text;
}

}  // namespace glimpse::blip
