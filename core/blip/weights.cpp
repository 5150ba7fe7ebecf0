#include "weights.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "errors.h"

namespace glimpse::blip {
namespace {

// A read-only private mapping of a whole file, shared by the tensors that alias it.
class Mapping {
 public:
  explicit Mapping(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw BlipError("cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw BlipError("cannot stat " + path.string());
    if (!S_ISREG(st.st_mode)) throw BlipError(path.string() + " is not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) throw BlipError("cannot map " + path.string() + ": " + std::strerror(errno));
      data_ = static_cast<const uint8_t*>(p);
    }
  }
  ~Mapping() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

TensorMap load_safetensors(const std::filesystem::path& path) {
  using nlohmann::json;
  const std::string name = path.string();
  auto map = std::make_shared<Mapping>(path);
  if (map->size() < 8) throw BlipError(name + " is truncated: " + std::to_string(map->size()) + " bytes, no safetensors header");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | map->data()[i];
  if (header_len > map->size() - 8 || header_len > (100u << 20))
    throw BlipError(name + " is not a valid safetensors file: header length " + std::to_string(header_len) +
                    " exceeds the file size " + std::to_string(map->size()));
  json header;
  try {
    header = json::parse(reinterpret_cast<const char*>(map->data()) + 8,
                         reinterpret_cast<const char*>(map->data()) + 8 + header_len);
  } catch (const json::exception& e) {
    throw BlipError(name + " has an invalid safetensors header: " + e.what());
  }
  if (!header.is_object()) throw BlipError(name + " has an invalid safetensors header: not a JSON object");
  const uint8_t* base = map->data() + 8 + header_len;
  const uint64_t data_size = map->size() - 8 - header_len;
  TensorMap out;
  out.source = name;
  std::string dtypes_seen;
  for (auto& [key, info] : header.items()) {
    if (key == "__metadata__") continue;
    const std::string where = name + ": tensor '" + key + "'";
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
    try {
      dtype = info.at("dtype").get<std::string>();
      for (const auto& d : info.at("shape")) {
        int64_t v = d.get<int64_t>();
        if (v < 0) throw BlipError(where + " has a negative dimension");
        shape.push_back(v);
      }
      const auto& offs = info.at("data_offsets");
      if (!offs.is_array() || offs.size() != 2) throw BlipError(where + " has malformed data_offsets");
      begin = offs[0].get<uint64_t>();
      end = offs[1].get<uint64_t>();
    } catch (const json::exception& e) {
      throw BlipError(where + " has a malformed header entry: " + e.what());
    }
    size_t itemsize = 0;
    at::ScalarType st;
    if (dtype == "F32") { itemsize = 4; st = at::kFloat; }
    else if (dtype == "F16") { itemsize = 2; st = at::kHalf; }
    else if (dtype == "BF16") { itemsize = 2; st = at::kBFloat16; }
    else if (dtype == "I64") { itemsize = 8; st = at::kLong; }
    else if (dtype == "F64") { itemsize = 8; st = at::kDouble; }
    else throw BlipError(where + " has unsupported dtype " + dtype + " (supported: F32, F16, BF16)");
    uint64_t numel = 1;
    for (int64_t d : shape) {
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
        throw BlipError(where + " has an impossible shape");
      numel *= static_cast<uint64_t>(d);
    }
    if (end < begin || end > data_size)
      throw BlipError(where + " lies outside the file (offsets " + std::to_string(begin) + ".." + std::to_string(end) +
                      ", data size " + std::to_string(data_size) + "); the file is truncated or corrupt");
    if (end - begin != numel * itemsize)
      throw BlipError(where + " has " + std::to_string(end - begin) + " bytes but its shape needs " +
                      std::to_string(numel * itemsize));
    const uint8_t* ptr = base + begin;
    at::Tensor t;
    if (st == at::kFloat && reinterpret_cast<uintptr_t>(ptr) % alignof(float) == 0) {
      // Zero copy: the tensor keeps the mapping alive.
      auto keep = map;
      t = at::from_blob(const_cast<uint8_t*>(ptr), shape, [keep](void*) {}, at::TensorOptions().dtype(at::kFloat));
    } else {
      at::Tensor raw = at::empty(shape, at::TensorOptions().dtype(st));
      if (numel) std::memcpy(raw.data_ptr(), ptr, numel * itemsize);
      t = (st == at::kLong) ? raw : raw.to(at::kFloat);
    }
    if (dtypes_seen.empty()) dtypes_seen = dtype;
    else if (dtypes_seen != dtype && st != at::kLong) dtypes_seen = "mixed";
    out.tensors.emplace(key, std::move(t));
  }
  out.stored_dtype = dtypes_seen.empty() ? "F32" : dtypes_seen;
  return out;
}

namespace {

// ---- ZIP (stored entries only, as torch.save writes them) ----

uint32_t rd32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24); }
uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint64_t rd64(const uint8_t* p) { return rd32(p) | (static_cast<uint64_t>(rd32(p + 4)) << 32); }

struct ZipEntry {
  uint64_t offset = 0;  // of the data
  uint64_t size = 0;
};

std::map<std::string, ZipEntry> read_zip_directory(const Mapping& m, const std::string& name) {
  const uint8_t* d = m.data();
  const uint64_t n = m.size();
  auto bad = [&](const std::string& why) { return BlipError(name + " is not a valid PyTorch zip checkpoint: " + why); };
  if (n < 22) throw bad("file too short");
  // End of central directory: the last 0x06054b50 within the final 64 KiB + 22 bytes.
  int64_t eocd = -1;
  const uint64_t lowest = n > 65557 ? n - 65557 : 0;
  for (uint64_t i = n - 22 + 1; i-- > lowest;) {
    if (rd32(d + i) == 0x06054b50) {
      eocd = static_cast<int64_t>(i);
      break;
    }
  }
  if (eocd < 0) throw bad("no zip directory (truncated file?)");
  uint64_t count = rd16(d + eocd + 10);
  uint64_t cd_size = rd32(d + eocd + 12);
  uint64_t cd_offset = rd32(d + eocd + 16);
  if (cd_offset == 0xFFFFFFFFu || count == 0xFFFF || cd_size == 0xFFFFFFFFu) {
    // ZIP64 end of central directory locator sits right before the EOCD.
    if (eocd < 20 || rd32(d + eocd - 20) != 0x07064b50) throw bad("missing zip64 locator");
    const uint64_t z = rd64(d + eocd - 20 + 8);
    if (z > n - 56 || rd32(d + z) != 0x06064b50) throw bad("bad zip64 directory");
    count = rd64(d + z + 32);
    cd_size = rd64(d + z + 40);
    cd_offset = rd64(d + z + 48);
  }
  if (cd_offset > n || cd_size > n - cd_offset) throw bad("zip directory lies outside the file");
  std::map<std::string, ZipEntry> entries;
  uint64_t p = cd_offset;
  for (uint64_t e = 0; e < count; ++e) {
    if (p + 46 > cd_offset + cd_size || rd32(d + p) != 0x02014b50) throw bad("corrupt zip directory");
    const uint16_t method = rd16(d + p + 10);
    uint64_t csize = rd32(d + p + 20), usize = rd32(d + p + 24);
    const uint16_t fn_len = rd16(d + p + 28), extra_len = rd16(d + p + 30), comment_len = rd16(d + p + 32);
    uint64_t local = rd32(d + p + 42);
    if (p + 46 + fn_len + extra_len + comment_len > cd_offset + cd_size) throw bad("corrupt zip directory");
    std::string fname(reinterpret_cast<const char*>(d + p + 46), fn_len);
    // ZIP64 extra field: the 64-bit values of the fields that read 0xFFFFFFFF, in order.
    const uint8_t* x = d + p + 46 + fn_len;
    for (uint64_t xo = 0; xo + 4 <= extra_len;) {
      const uint16_t id = rd16(x + xo), len = rd16(x + xo + 2);
      if (xo + 4 + len > extra_len) break;
      if (id == 0x0001) {
        uint64_t q = xo + 4;
        auto take = [&](uint64_t& v) {
          if (v == 0xFFFFFFFFu && q + 8 <= xo + 4 + len) {
            v = rd64(x + q);
            q += 8;
          }
        };
        take(usize);
        take(csize);
        take(local);
      }
      xo += 4 + len;
    }
    if (method != 0) throw bad("entry " + fname + " is compressed; torch.save writes stored entries");
    if (local > n - 30 || rd32(d + local) != 0x04034b50) throw bad("entry " + fname + " has no local header");
    const uint64_t data = local + 30 + rd16(d + local + 26) + rd16(d + local + 28);
    if (data > n || csize > n - data || csize != usize) throw bad("entry " + fname + " lies outside the file (truncated?)");
    entries[fname] = ZipEntry{data, csize};
    p += 46 + fn_len + extra_len + comment_len;
  }
  return entries;
}

// ---- pickle: the subset torch.save uses for a state dict ----

struct PValue;
using PPtr = std::shared_ptr<PValue>;
struct PValue {
  enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Mark } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;                               // Str; Global "module.name"; Storage key
  std::vector<PPtr> items;                     // Tuple, List
  std::vector<std::pair<PPtr, PPtr>> entries;  // Dict
  at::ScalarType dtype = at::kFloat;           // Storage, Tensor
  int64_t numel = 0;                           // Storage
  PPtr storage;                                // Tensor
  int64_t offset = 0;                          // Tensor
  std::vector<int64_t> size, stride;           // Tensor
};

PPtr make(PValue::Kind k) {
  auto p = std::make_shared<PValue>();
  p->kind = k;
  return p;
}

bool storage_dtype(const std::string& global, at::ScalarType& t) {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"torch.FloatStorage", at::kFloat},   {"torch.HalfStorage", at::kHalf}, {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.DoubleStorage", at::kDouble}, {"torch.LongStorage", at::kLong}, {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},   {"torch.CharStorage", at::kChar}, {"torch.ByteStorage", at::kByte},
      {"torch.BoolStorage", at::kBool}};
  auto it = kTypes.find(global);
  if (it == kTypes.end()) return false;
  t = it->second;
  return true;
}

std::vector<int64_t> int_tuple(const PPtr& v, const char* what) {
  if (!v || v->kind != PValue::Tuple) throw BlipError(std::string("tensor ") + what + " is not a tuple");
  std::vector<int64_t> out;
  for (const auto& x : v->items) {
    if (x->kind != PValue::Int || x->i < 0) throw BlipError(std::string("tensor ") + what + " holds a non-integer");
    out.push_back(x->i);
  }
  return out;
}

PPtr unpickle(const uint8_t* data, size_t n) {
  std::vector<PPtr> stack;
  std::vector<size_t> marks;
  std::map<uint32_t, PPtr> memo;
  size_t p = 0;
  auto need = [&](size_t k) {
    if (k > n - p) throw BlipError("pickle data ends early");
  };
  auto pop = [&]() {
    if (stack.empty() || (!marks.empty() && stack.size() <= marks.back())) throw BlipError("pickle stack underflow");
    PPtr v = stack.back();
    stack.pop_back();
    return v;
  };
  auto pop_mark = [&]() {
    if (marks.empty()) throw BlipError("pickle mark missing");
    size_t m = marks.back();
    marks.pop_back();
    std::vector<PPtr> items(stack.begin() + static_cast<std::ptrdiff_t>(m), stack.end());
    stack.resize(m);
    return items;
  };
  auto read_line = [&]() {
    size_t e = p;
    while (e < n && data[e] != '\n') ++e;
    if (e >= n) throw BlipError("pickle data ends early");
    std::string s(reinterpret_cast<const char*>(data + p), e - p);
    p = e + 1;
    return s;
  };
  auto push_str = [&](size_t len) {
    need(len);
    auto v = make(PValue::Str);
    v->s.assign(reinterpret_cast<const char*>(data + p), len);
    p += len;
    stack.push_back(v);
  };
  auto set_items = [&](const PPtr& dict, const std::vector<PPtr>& kv) {
    if (dict->kind != PValue::Dict || kv.size() % 2) throw BlipError("pickle SETITEMS on a non-dict");
    for (size_t k = 0; k < kv.size(); k += 2) dict->entries.emplace_back(kv[k], kv[k + 1]);
  };
  constexpr size_t kMaxStack = 1 << 20;
  while (true) {
    need(1);
    const uint8_t op = data[p++];
    if (stack.size() > kMaxStack || memo.size() > kMaxStack) throw BlipError("pickle too deep");
    switch (op) {
      case 0x80: need(1); ++p; break;                        // PROTO
      case 0x95: need(8); p += 8; break;                     // FRAME
      case '.': {                                            // STOP
        if (stack.size() != 1) throw BlipError("pickle ends with a malformed stack");
        return stack.back();
      }
      case '(': marks.push_back(stack.size()); break;        // MARK
      case ')': stack.push_back(make(PValue::Tuple)); break; // EMPTY_TUPLE
      case '}': stack.push_back(make(PValue::Dict)); break;  // EMPTY_DICT
      case ']': stack.push_back(make(PValue::List)); break;  // EMPTY_LIST
      case 'N': stack.push_back(make(PValue::None)); break;
      case 0x88: case 0x89: {                                // NEWTRUE / NEWFALSE
        auto v = make(PValue::Bool);
        v->i = op == 0x88;
        stack.push_back(v);
        break;
      }
      case 'J': { need(4); auto v = make(PValue::Int); v->i = static_cast<int32_t>(rd32(data + p)); p += 4; stack.push_back(v); break; }
      case 'K': { need(1); auto v = make(PValue::Int); v->i = data[p]; p += 1; stack.push_back(v); break; }
      case 'M': { need(2); auto v = make(PValue::Int); v->i = rd16(data + p); p += 2; stack.push_back(v); break; }
      case 0x8a: {                                           // LONG1
        need(1);
        const size_t len = data[p++];
        need(len);
        if (len > 8) throw BlipError("pickle integer too large");
        uint64_t u = 0;
        for (size_t k = 0; k < len; ++k) u |= static_cast<uint64_t>(data[p + k]) << (8 * k);
        if (len > 0 && len < 8 && (data[p + len - 1] & 0x80)) u |= ~uint64_t{0} << (8 * len);
        auto v = make(PValue::Int);
        v->i = static_cast<int64_t>(u);
        p += len;
        stack.push_back(v);
        break;
      }
      case 'G': {                                            // BINFLOAT (big endian)
        need(8);
        uint64_t u = 0;
        for (int k = 0; k < 8; ++k) u = (u << 8) | data[p + k];
        auto v = make(PValue::Float);
        std::memcpy(&v->f, &u, 8);
        p += 8;
        stack.push_back(v);
        break;
      }
      case 'X': { need(4); const size_t len = rd32(data + p); p += 4; push_str(len); break; }  // BINUNICODE
      case 0x8c: case 'U': { need(1); const size_t len = data[p++]; push_str(len); break; }    // SHORT_BINUNICODE / SHORT_BINSTRING
      case 'T': { need(4); const size_t len = rd32(data + p); p += 4; push_str(len); break; }  // BINSTRING
      case 'c': {                                            // GLOBAL
        auto v = make(PValue::Global);
        std::string module = read_line();
        v->s = module + "." + read_line();
        stack.push_back(v);
        break;
      }
      case 0x93: {                                           // STACK_GLOBAL
        PPtr name = pop(), module = pop();
        if (name->kind != PValue::Str || module->kind != PValue::Str) throw BlipError("pickle STACK_GLOBAL needs strings");
        auto v = make(PValue::Global);
        v->s = module->s + "." + name->s;
        stack.push_back(v);
        break;
      }
      case 't': { auto v = make(PValue::Tuple); v->items = pop_mark(); stack.push_back(v); break; }
      case 0x85: case 0x86: case 0x87: {                     // TUPLE1..3
        auto v = make(PValue::Tuple);
        const int k = op - 0x84;
        v->items.resize(k);
        for (int j = k - 1; j >= 0; --j) v->items[j] = pop();
        stack.push_back(v);
        break;
      }
      case 'q': { need(1); if (stack.empty()) throw BlipError("pickle BINPUT on empty stack"); memo[data[p++]] = stack.back(); break; }
      case 'r': { need(4); if (stack.empty()) throw BlipError("pickle BINPUT on empty stack"); memo[rd32(data + p)] = stack.back(); p += 4; break; }
      case 0x94: { if (stack.empty()) throw BlipError("pickle MEMOIZE on empty stack"); memo[static_cast<uint32_t>(memo.size())] = stack.back(); break; }
      case 'h': case 'j': {                                  // BINGET / LONG_BINGET
        uint32_t key;
        if (op == 'h') { need(1); key = data[p++]; } else { need(4); key = rd32(data + p); p += 4; }
        auto it = memo.find(key);
        if (it == memo.end()) throw BlipError("pickle refers to a missing memo entry");
        stack.push_back(it->second);
        break;
      }
      case 'a': { PPtr v = pop(); PPtr l = pop(); if (l->kind != PValue::List) throw BlipError("pickle APPEND on a non-list"); l->items.push_back(v); stack.push_back(l); break; }
      case 'e': { auto items = pop_mark(); PPtr l = pop(); if (l->kind != PValue::List) throw BlipError("pickle APPENDS on a non-list"); l->items.insert(l->items.end(), items.begin(), items.end()); stack.push_back(l); break; }
      case 's': { PPtr v = pop(), k = pop(); PPtr d = pop(); set_items(d, {k, v}); stack.push_back(d); break; }
      case 'u': { auto kv = pop_mark(); PPtr d = pop(); set_items(d, kv); stack.push_back(d); break; }
      case 'b': { pop(); if (stack.empty()) throw BlipError("pickle BUILD on empty stack"); break; }  // state ignored (_metadata)
      case 'Q': {                                            // BINPERSID
        PPtr pid = pop();
        if (pid->kind != PValue::Tuple || pid->items.size() < 5 || pid->items[0]->kind != PValue::Str ||
            pid->items[0]->s != "storage" || pid->items[1]->kind != PValue::Global || pid->items[2]->kind != PValue::Str ||
            pid->items[4]->kind != PValue::Int || pid->items[4]->i < 0)
          throw BlipError("pickle has an unsupported persistent id");
        auto v = make(PValue::Storage);
        if (!storage_dtype(pid->items[1]->s, v->dtype)) throw BlipError("unsupported storage type " + pid->items[1]->s);
        v->s = pid->items[2]->s;
        v->numel = pid->items[4]->i;
        stack.push_back(v);
        break;
      }
      case 'R': {                                            // REDUCE
        PPtr args = pop(), fn = pop();
        if (fn->kind != PValue::Global || args->kind != PValue::Tuple) throw BlipError("pickle REDUCE needs a global and a tuple");
        if (fn->s == "collections.OrderedDict") {
          stack.push_back(make(PValue::Dict));
        } else if (fn->s == "torch._utils._rebuild_tensor_v2") {
          if (args->items.size() < 4 || args->items[0]->kind != PValue::Storage || args->items[1]->kind != PValue::Int)
            throw BlipError("malformed tensor record");
          auto t = make(PValue::Tensor);
          t->storage = args->items[0];
          t->dtype = t->storage->dtype;
          t->offset = args->items[1]->i;
          t->size = int_tuple(args->items[2], "size");
          t->stride = int_tuple(args->items[3], "stride");
          if (t->size.size() != t->stride.size() || t->offset < 0) throw BlipError("malformed tensor record");
          stack.push_back(t);
        } else if (fn->s == "torch._utils._rebuild_parameter") {
          if (args->items.empty() || args->items[0]->kind != PValue::Tensor) throw BlipError("malformed parameter record");
          stack.push_back(args->items[0]);
        } else {
          throw BlipError("the checkpoint calls " + fn->s + ", which a weights file never needs; refusing to load it");
        }
        break;
      }
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        throw BlipError(std::string("unsupported pickle opcode ") + hex);
      }
    }
  }
}

}  // namespace

namespace {

struct BinIndex {
  std::shared_ptr<Mapping> map;
  std::map<std::string, ZipEntry> entries;
  std::string prefix;
  PPtr root;
};

BinIndex read_bin_index(const std::filesystem::path& path) {
  const std::string name = path.string();
  BinIndex idx;
  idx.map = std::make_shared<Mapping>(path);
  auto& map = idx.map;
  if (map->size() < 4 || map->data()[0] != 'P' || map->data()[1] != 'K')
    throw BlipError(name + " is not a PyTorch zip checkpoint (legacy non-zip torch.save files are not supported; "
                    "re-save with torch >= 1.6 or convert to safetensors)");
  idx.entries = read_zip_directory(*map, name);
  const auto& entries = idx.entries;
  std::string prefix;
  for (const auto& [fname, e] : entries) {
    const std::string suffix = "/data.pkl";
    if (fname.size() > suffix.size() && fname.compare(fname.size() - suffix.size(), suffix.size(), suffix) == 0) {
      prefix = fname.substr(0, fname.size() - suffix.size());
      break;
    }
  }
  if (prefix.empty()) throw BlipError(name + " has no data.pkl: not a torch.save checkpoint");
  const ZipEntry& pkl = entries.at(prefix + "/data.pkl");
  try {
    idx.root = unpickle(map->data() + pkl.offset, pkl.size);
  } catch (const BlipError& e) {
    throw BlipError(name + ": " + e.what());
  }
  if (idx.root->kind != PValue::Dict) throw BlipError(name + " does not hold a state dict (name -> tensor)");
  idx.prefix = prefix;
  return idx;
}

}  // namespace

std::vector<std::string> checkpoint_tensor_names(const std::filesystem::path& file) {
  std::vector<std::string> names;
  if (file.extension() == ".safetensors") {
    // Only the header: read the length and the JSON.
    std::ifstream in(file, std::ios::binary);
    uint8_t len8[8] = {};
    in.read(reinterpret_cast<char*>(len8), 8);
    uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | len8[i];
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!in || ec || len > size - 8 || len > (100u << 20)) throw BlipError(file.string() + " is not a valid safetensors file");
    std::string header(len, '\0');
    in.read(header.data(), static_cast<std::streamsize>(len));
    const auto j = nlohmann::json::parse(header, nullptr, false);
    if (!in || j.is_discarded() || !j.is_object()) throw BlipError(file.string() + " has an invalid safetensors header");
    for (auto& [k, v] : j.items())
      if (k != "__metadata__") names.push_back(k);
    return names;
  }
  const BinIndex idx = read_bin_index(file);
  for (const auto& [k, v] : idx.root->entries)
    if (k->kind == PValue::Str) names.push_back(k->s);
  return names;
}

TensorMap load_pytorch_bin(const std::filesystem::path& path) {
  const std::string name = path.string();
  const BinIndex idx = read_bin_index(path);
  const auto& map = idx.map;
  const auto& entries = idx.entries;
  const std::string& prefix = idx.prefix;
  const PPtr& root = idx.root;
  TensorMap out;
  out.source = name;
  out.stored_dtype = "F32";
  for (const auto& [k, v] : root->entries) {
    if (k->kind != PValue::Str) throw BlipError(name + ": state dict has a non-string key");
    if (v->kind != PValue::Tensor) throw BlipError(name + ": entry '" + k->s + "' is not a tensor");
    const std::string where = name + ": tensor '" + k->s + "'";
    auto it = entries.find(prefix + "/data/" + v->storage->s);
    if (it == entries.end()) throw BlipError(where + " has no storage record in the archive");
    const int64_t itemsize = static_cast<int64_t>(c10::elementSize(v->dtype));
    const int64_t storage_numel = v->storage->numel;
    if (storage_numel > static_cast<int64_t>(it->second.size / itemsize))
      throw BlipError(where + ": storage is shorter than its record says (truncated file?)");
    // Highest element the view touches must lie inside the storage.
    int64_t last = v->offset;
    bool empty = false;
    for (size_t d = 0; d < v->size.size(); ++d) {
      if (v->size[d] == 0) empty = true;
      else if (v->size[d] > (int64_t{1} << 40) || v->stride[d] > (int64_t{1} << 40)) throw BlipError(where + " has an impossible shape");
      else last += (v->size[d] - 1) * v->stride[d];
    }
    at::Tensor t;
    if (empty) {
      t = at::empty(v->size, at::TensorOptions().dtype(v->dtype));
    } else {
      if (last >= storage_numel) throw BlipError(where + " reaches past the end of its storage");
      const uint8_t* base = map->data() + it->second.offset;
      const bool aligned = reinterpret_cast<uintptr_t>(base) % static_cast<uintptr_t>(itemsize) == 0;
      at::Tensor storage = at::from_blob(const_cast<uint8_t*>(base), {storage_numel}, at::TensorOptions().dtype(v->dtype));
      at::Tensor view = storage.as_strided(v->size, v->stride, v->offset);
      if (v->dtype == at::kFloat && aligned && view.is_contiguous()) {
        // Zero copy, as for safetensors: the tensor aliases the read-only mapping, kept alive here.
        auto keep = map;
        t = at::from_blob(const_cast<uint8_t*>(base) + v->offset * itemsize, v->size, [keep](void*) {},
                          at::TensorOptions().dtype(at::kFloat));
      } else {
        t = view.clone(at::MemoryFormat::Contiguous);
      }
    }
    if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16 || t.scalar_type() == at::kDouble) {
      out.stored_dtype = t.scalar_type() == at::kHalf ? "F16" : t.scalar_type() == at::kBFloat16 ? "BF16" : "F64";
      t = t.to(at::kFloat);
    }
    out.tensors.emplace(k->s, t);
  }
  return out;
}

void save_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  using nlohmann::json;
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    at::Tensor c = t.contiguous();
    std::string dtype;
    switch (c.scalar_type()) {
      case at::kFloat: dtype = "F32"; break;
      case at::kHalf: dtype = "F16"; break;
      case at::kBFloat16: dtype = "BF16"; break;
      case at::kLong: dtype = "I64"; break;
      case at::kDouble: dtype = "F64"; break;
      default: throw BlipError("cannot store tensor " + name + " of dtype " + std::string(c10::toString(c.scalar_type())));
    }
    const uint64_t bytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    header[name] = {{"dtype", dtype}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(c);
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');  // keep the data 8-byte aligned
  const auto part = std::filesystem::path(path.string() + ".part");
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw BlipError("cannot write " + part.string());
    uint64_t n = h.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    out.write(len, 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const auto& c : data) out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(part);
      throw BlipError("cannot write " + path.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(part, path, ec);
  if (ec) throw BlipError("cannot write " + path.string() + ": " + ec.message());
}

std::filesystem::path find_checkpoint(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw BlipError("model folder not found: " + dir.string());
  for (const char* f : {"model.safetensors", "pytorch_model.bin"})
    if (std::filesystem::exists(dir / f, ec)) return dir / f;
  if (std::filesystem::exists(dir / "model.safetensors.index.json", ec) ||
      std::filesystem::exists(dir / "pytorch_model.bin.index.json", ec))
    throw BlipError(dir.string() + " holds a sharded checkpoint, which is not supported yet");
  throw BlipError("no weights in " + dir.string() + ": expected model.safetensors or pytorch_model.bin");
}

TensorMap load_checkpoint(const std::filesystem::path& dir) {
  const auto file = find_checkpoint(dir);
  return file.extension() == ".safetensors" ? load_safetensors(file) : load_pytorch_bin(file);
}

}  // namespace glimpse::blip
