#include "tokenization_marian.h"

#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "errors.h"
#include "modules.h"

namespace glimpse::marian {

using blip::BlipError;

namespace {

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BlipError("cannot read " + file.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw BlipError(file.string() + " is not valid JSON: " + e.what());
  }
}

// A special token's text from tokenizer_config.json / special_tokens_map.json: a string or an
// AddedToken object {"content": ...}.
std::string token_text(const nlohmann::json& config, const char* key, const std::string& fallback) {
  if (!config.is_object() || !config.contains(key)) return fallback;
  const auto& v = config.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v.at("content").is_string()) return v.at("content").get<std::string>();
  return fallback;
}

// The sentencepiece module (sentencepiece_shim.cpp), loaded once with its own symbol scope.
using Emit = void (*)(void*, const char*, size_t);
struct SentencePieceApi {
  void* (*load)(const char*, size_t, char*, size_t) = nullptr;
  void (*free)(void*) = nullptr;
  int (*encode)(void*, const char*, size_t, Emit, void*, char*, size_t) = nullptr;
  int (*decode)(void*, const char* const*, const size_t*, size_t, Emit, void*, char*, size_t) = nullptr;
};

struct ApiState {
  SentencePieceApi api;
  std::string problem;
};

ApiState& api_state() {
  static std::once_flag once;
  static ApiState state;
  SentencePieceApi& api = state.api;
  std::string& problem = state.problem;
  std::call_once(once, [] {
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer refuses RTLD_DEEPBIND, and without it the two protobufs collide.
    problem = "translation is not available in AddressSanitizer builds (sentencepiece needs RTLD_DEEPBIND)";
    return;
#endif
    void* lib = modules::open(modules::candidates("GLIMPSE_SENTENCEPIECE_MODULE", GLIMPSE_SENTENCEPIECE_INSTALLED,
                                                  GLIMPSE_SENTENCEPIECE_BUILT),
                              RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND,
                              "the sentencepiece module (libglimpse_sentencepiece.so)", problem);
    if (!lib) return;
    api.load = reinterpret_cast<decltype(api.load)>(dlsym(lib, "gspm_load"));
    api.free = reinterpret_cast<decltype(api.free)>(dlsym(lib, "gspm_free"));
    api.encode = reinterpret_cast<decltype(api.encode)>(dlsym(lib, "gspm_encode"));
    api.decode = reinterpret_cast<decltype(api.decode)>(dlsym(lib, "gspm_decode"));
    if (!api.load || !api.free || !api.encode || !api.decode) {
      api = SentencePieceApi{};
      problem = "the sentencepiece module lacks its functions";
    }
  });
  return state;
}

const SentencePieceApi& sentencepiece_api() {
  const ApiState& s = api_state();
  if (!s.api.load) throw BlipError(s.problem);
  return s.api;
}

void append_piece(void* ctx, const char* data, size_t size) {
  static_cast<std::vector<std::string>*>(ctx)->emplace_back(data, size);
}
void append_text(void* ctx, const char* data, size_t size) {
  static_cast<std::string*>(ctx)->append(data, size);
}

// One sentencepiece model, owned.
class SentencePiece {
 public:
  SentencePiece() = default;
  SentencePiece(const SentencePiece&) = delete;
  SentencePiece& operator=(const SentencePiece&) = delete;
  ~SentencePiece() {
    if (handle_) sentencepiece_api().free(handle_);
  }
  void load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw BlipError("cannot read " + file.string() + " (the sentencepiece model of the folder)");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    char err[512] = {0};
    handle_ = sentencepiece_api().load(data.data(), data.size(), err, sizeof err);
    if (!handle_) throw BlipError(file.string() + " is not a sentencepiece model: " + err);
  }
  std::vector<std::string> encode(const std::string& text) const {
    std::vector<std::string> pieces;
    char err[512] = {0};
    if (sentencepiece_api().encode(handle_, text.data(), text.size(), append_piece, &pieces, err, sizeof err) != 0)
      throw BlipError(std::string("sentencepiece could not encode the text: ") + err);
    return pieces;
  }
  std::string decode(const std::vector<std::string>& pieces) const {
    std::vector<const char*> ptrs;
    std::vector<size_t> sizes;
    for (const auto& p : pieces) {
      ptrs.push_back(p.data());
      sizes.push_back(p.size());
    }
    std::string text;
    char err[512] = {0};
    if (sentencepiece_api().decode(handle_, ptrs.data(), sizes.data(), pieces.size(), append_text, &text, err,
                                   sizeof err) != 0)
      throw BlipError(std::string("sentencepiece could not decode the pieces: ") + err);
    return text;
  }

 private:
  void* handle_ = nullptr;
};

}  // namespace

std::string sentencepiece_problem() {
  return api_state().api.load ? std::string() : api_state().problem;
}

struct MarianTokenizer::Impl {
  SentencePiece source, target;
  std::unordered_map<std::string, int64_t> encoder;
  std::map<int64_t, std::string> decoder;
  std::string eos = "</s>", unk = "<unk>", pad = "<pad>";
  int64_t eos_id = 0, unk_id = 1, pad_id = 0;

  int64_t to_id(const std::string& piece) const {
    auto it = encoder.find(piece);
    return it == encoder.end() ? unk_id : it->second;
  }
  bool is_special(const std::string& token) const { return token == eos || token == unk || token == pad; }

  // MarianTokenizer._tokenize: a leading ">>xx<<" is split off whole, the rest is sentencepiece.
  void tokenize_chunk(const std::string& chunk, std::vector<std::string>& out) const {
    std::string text = chunk;
    if (text.rfind(">>", 0) == 0) {
      const size_t end = text.find("<<");
      if (end != std::string::npos) {
        out.push_back(text.substr(0, end + 2));
        text = text.substr(end + 2);
      }
    }
    const std::vector<std::string> pieces = source.encode(text);
    out.insert(out.end(), pieces.begin(), pieces.end());
  }
};

MarianTokenizer::MarianTokenizer() : impl_(std::make_unique<Impl>()) {}
MarianTokenizer::~MarianTokenizer() = default;
MarianTokenizer::MarianTokenizer(MarianTokenizer&&) noexcept = default;
MarianTokenizer& MarianTokenizer::operator=(MarianTokenizer&&) noexcept = default;

MarianTokenizer MarianTokenizer::load(const std::filesystem::path& dir) {
  MarianTokenizer t;
  Impl& m = *t.impl_;
  nlohmann::json config = nlohmann::json::object();
  if (std::filesystem::exists(dir / "tokenizer_config.json")) config = read_json(dir / "tokenizer_config.json");
  if (config.is_object() && config.value("separate_vocabs", false))
    throw BlipError((dir / "tokenizer_config.json").string() +
                    " asks for separate source and target vocabularies, which Glimpse does not support");
  nlohmann::json special = nlohmann::json::object();
  if (std::filesystem::exists(dir / "special_tokens_map.json")) special = read_json(dir / "special_tokens_map.json");
  m.eos = token_text(config, "eos_token", token_text(special, "eos_token", m.eos));
  m.unk = token_text(config, "unk_token", token_text(special, "unk_token", m.unk));
  m.pad = token_text(config, "pad_token", token_text(special, "pad_token", m.pad));

  const auto vocab_file = dir / "vocab.json";
  if (!std::filesystem::exists(vocab_file)) throw BlipError("no vocab.json in " + dir.string());
  const nlohmann::json vocab = read_json(vocab_file);
  if (!vocab.is_object() || vocab.empty()) throw BlipError(vocab_file.string() + " is not a piece -> id object");
  for (const auto& [piece, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw BlipError(vocab_file.string() + ": the id of \"" + piece + "\" is not a non-negative integer");
    m.encoder[piece] = id.get<int64_t>();
    m.decoder[id.get<int64_t>()] = piece;
  }
  for (const auto* name : {&m.eos, &m.unk, &m.pad})
    if (!m.encoder.count(*name)) throw BlipError(vocab_file.string() + " has no id for the special token " + *name);
  m.eos_id = m.encoder.at(m.eos);
  m.unk_id = m.encoder.at(m.unk);
  m.pad_id = m.encoder.at(m.pad);
  m.source.load(dir / "source.spm");
  m.target.load(dir / "target.spm");
  return t;
}

std::vector<std::string> MarianTokenizer::tokenize(const std::string& text) const {
  // PreTrainedTokenizer.tokenize: the special tokens (no lstrip/rstrip) split the text first,
  // leftmost and longest match; the chunks between them go through _tokenize.
  const std::string* specials[] = {&impl_->eos, &impl_->unk, &impl_->pad};
  std::vector<std::string> out;
  size_t start = 0, pos = 0;
  while (pos < text.size()) {
    const std::string* hit = nullptr;
    for (const std::string* s : specials)
      if (!s->empty() && text.compare(pos, s->size(), *s) == 0 && (!hit || s->size() > hit->size())) hit = s;
    if (!hit) {
      ++pos;
      continue;
    }
    if (pos > start) impl_->tokenize_chunk(text.substr(start, pos - start), out);
    out.push_back(*hit);
    pos += hit->size();
    start = pos;
  }
  if (start < text.size()) impl_->tokenize_chunk(text.substr(start), out);
  return out;
}

std::vector<int64_t> MarianTokenizer::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  for (const auto& piece : tokenize(text)) ids.push_back(impl_->to_id(piece));
  ids.push_back(impl_->eos_id);
  return ids;
}

MarianEncoding MarianTokenizer::encode_batch(const std::vector<std::string>& texts) const {
  MarianEncoding e;
  size_t width = 0;
  for (const auto& t : texts) {
    e.input_ids.push_back(encode(t));
    width = std::max(width, e.input_ids.back().size());
  }
  for (auto& ids : e.input_ids) {
    std::vector<int64_t> mask(width, 0);
    std::fill(mask.begin(), mask.begin() + static_cast<std::ptrdiff_t>(ids.size()), 1);
    ids.resize(width, impl_->pad_id);
    e.attention_mask.push_back(std::move(mask));
  }
  return e;
}

std::string MarianTokenizer::id_to_token(int64_t id) const {
  auto it = impl_->decoder.find(id);
  return it == impl_->decoder.end() ? impl_->unk : it->second;
}

std::string MarianTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
  // convert_tokens_to_string: runs of ordinary pieces through the target model, each special
  // token written as itself and a space; then "▁" -> " ", strip, clean_up_tokenization.
  std::string out;
  std::vector<std::string> run;
  auto flush = [&] {
    if (!run.empty()) out += impl_->target.decode(run);
    run.clear();
  };
  for (int64_t id : ids) {
    const std::string token = id_to_token(id);
    const bool special = impl_->is_special(token);
    if (skip_special_tokens && special) continue;
    if (special) {
      flush();
      out += token + " ";
    } else {
      run.push_back(token);
    }
  }
  flush();
  static const std::string kUnderline = "\xE2\x96\x81";
  for (size_t p = out.find(kUnderline); p != std::string::npos; p = out.find(kUnderline, p + 1))
    out.replace(p, kUnderline.size(), " ");
  const char* ws = " \t\n\r\f\v";
  const size_t b = out.find_first_not_of(ws);
  out = b == std::string::npos ? std::string() : out.substr(b, out.find_last_not_of(ws) - b + 1);
  static const std::pair<const char*, const char*> kCleanUp[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kCleanUp) {
    const std::string f = from, t = to;
    for (size_t p = out.find(f); p != std::string::npos; p = out.find(f, p + t.size())) out.replace(p, f.size(), t);
  }
  return out;
}

int64_t MarianTokenizer::vocab_size() const {
  return static_cast<int64_t>(impl_->encoder.size());
}
int64_t MarianTokenizer::pad_token_id() const {
  return impl_->pad_id;
}
int64_t MarianTokenizer::eos_token_id() const {
  return impl_->eos_id;
}
int64_t MarianTokenizer::unk_token_id() const {
  return impl_->unk_id;
}

}  // namespace glimpse::marian
