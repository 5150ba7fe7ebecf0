// pytorch_model.bin (torch.save's zip of a pickle and raw storages), the torch-free half: our ZIP
// reader and a restricted unpickler that knows only what a state dict needs. torch's own unpickler cannot be
// used: torch::pickle_load fails on the BUILD of the `_metadata` attribute that every Hugging
// Face state dict carries, and it would run arbitrary REDUCE calls; this one refuses every global
// but the three a state dict uses, bounds nesting depth, stack, memo and value count, and frees
// nested values iteratively.
#include "checkpoint_readers.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace glimpse::blip::detail {

namespace {

// ---- ZIP (stored entries only, as torch.save writes them) ----
//
// Our own reader rather than libtorch's caffe2::serialize::PyTorchStreamReader (1.13, linked):
// checked with a test program against tests/data/tiny/caption_bin/pytorch_model.bin and a copy
// re-zipped with deflate, torch's reader (a) has no way to ask a record's size or compression
// without getRecord(), which copies the whole record to the heap (4.15 MB for the tiny file; the
// 990 MB of a base checkpoint would be held twice instead of aliasing the mapping), and (b) for a
// deflated record returns from getRecordOffset() the offset of the compressed bytes (197 bytes
// for a 192-byte record), so zero-copy aliasing on top of it would silently read compressed data.
// This reader accepts stored entries only (what torch.save writes), gives offsets and sizes, and
// its errors name the entry and what is wrong with it.

uint32_t rd32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t rd16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint64_t rd64(const uint8_t* p) {
  return rd32(p) | (static_cast<uint64_t>(rd32(p + 4)) << 32);
}

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
    if (data > n || csize > n - data || csize != usize)
      throw bad("entry " + fname + " lies outside the file (truncated?)");
    if (!entries.emplace(fname, ZipEntry{data, csize}).second) throw bad("the zip directory lists " + fname + " twice");
    p += 46 + fn_len + extra_len + comment_len;
  }
  return entries;
}

// ---- pickle: the subset torch.save uses for a state dict ----

// A state dict nests a few levels (dict -> tensor -> tuple -> storage); anything deeper is not one.
constexpr int kMaxDepth = 64;
// Values alive at once, stack and memo entries: a base checkpoint needs tens of thousands.
constexpr size_t kMaxValues = size_t{1} << 20;
constexpr size_t kMaxPickleBytes = size_t{64} << 20;

// `child` becomes part of `parent`: frozen, and the parent's depth bounded.
void adopt(PValue& parent, PValue& child) {
  if (&parent == &child)
    throw BlipError("pickle puts a container inside itself (a recursive structure, never a state dict)");
  child.frozen = true;
  parent.depth = std::max(parent.depth, child.depth + 1);
  if (parent.depth > kMaxDepth)
    throw BlipError("pickle nests values more than " + std::to_string(kMaxDepth) +
                    " levels deep; a state dict needs a few");
}

void check_mutable(const PValue& v, const char* op) {
  if (v.frozen)
    throw BlipError(std::string("pickle ") + op +
                    " changes a container already placed in another one (a recursive structure, never a state dict)");
}

bool storage_dtype(const std::string& global, std::string& t) {
  static const std::map<std::string, std::string> kTypes = {
      {"torch.FloatStorage", "F32"},  {"torch.HalfStorage", "F16"}, {"torch.BFloat16Storage", "BF16"},
      {"torch.DoubleStorage", "F64"}, {"torch.LongStorage", "I64"}, {"torch.IntStorage", "I32"},
      {"torch.ShortStorage", "I16"},  {"torch.CharStorage", "I8"},  {"torch.ByteStorage", "U8"},
      {"torch.BoolStorage", "BOOL"}};
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
  if (n > kMaxPickleBytes)
    throw BlipError("data.pkl is " + std::to_string(n) + " bytes; a state dict's is far below " +
                    std::to_string(kMaxPickleBytes >> 20) + " MB");
  size_t made = 0;
  auto make = [&made](PValue::Kind k) {
    if (++made > kMaxValues)
      throw BlipError("pickle creates more than " + std::to_string(kMaxValues) +
                      " values; a state dict needs far fewer");
    auto p = std::make_shared<PValue>();
    p->kind = k;
    return p;
  };
  auto make_tuple = [&](std::vector<PPtr> items) {
    auto v = make(PValue::Tuple);
    for (auto& x : items) adopt(*v, *x);
    v->items = std::move(items);
    return v;
  };
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
    check_mutable(*dict, "SETITEMS");
    for (size_t k = 0; k < kv.size(); k += 2) {
      adopt(*dict, *kv[k]);
      adopt(*dict, *kv[k + 1]);
      dict->entries.emplace_back(kv[k], kv[k + 1]);
    }
  };
  while (true) {
    need(1);
    const uint8_t op = data[p++];
    if (stack.size() > kMaxValues || memo.size() > kMaxValues || marks.size() > kMaxValues)
      throw BlipError("pickle stack or memo holds more than " + std::to_string(kMaxValues) +
                      " entries; a state dict needs far fewer");
    switch (op) {
      case 0x80:
        need(1);
        ++p;
        break;  // PROTO
      case 0x95:
        need(8);
        p += 8;
        break;     // FRAME
      case '.': {  // STOP
        if (stack.size() != 1) throw BlipError("pickle ends with a malformed stack");
        return stack.back();
      }
      case '(':
        marks.push_back(stack.size());
        break;  // MARK
      case ')':
        stack.push_back(make(PValue::Tuple));
        break;  // EMPTY_TUPLE
      case '}':
        stack.push_back(make(PValue::Dict));
        break;  // EMPTY_DICT
      case ']':
        stack.push_back(make(PValue::List));
        break;  // EMPTY_LIST
      case 'N':
        stack.push_back(make(PValue::None));
        break;
      case 0x88:
      case 0x89: {  // NEWTRUE / NEWFALSE
        auto v = make(PValue::Bool);
        v->i = op == 0x88;
        stack.push_back(v);
        break;
      }
      case 'J': {
        need(4);
        auto v = make(PValue::Int);
        v->i = static_cast<int32_t>(rd32(data + p));
        p += 4;
        stack.push_back(v);
        break;
      }
      case 'K': {
        need(1);
        auto v = make(PValue::Int);
        v->i = data[p];
        p += 1;
        stack.push_back(v);
        break;
      }
      case 'M': {
        need(2);
        auto v = make(PValue::Int);
        v->i = rd16(data + p);
        p += 2;
        stack.push_back(v);
        break;
      }
      case 0x8a: {  // LONG1
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
      case 'G': {  // BINFLOAT (big endian)
        need(8);
        uint64_t u = 0;
        for (int k = 0; k < 8; ++k) u = (u << 8) | data[p + k];
        auto v = make(PValue::Float);
        std::memcpy(&v->f, &u, 8);
        p += 8;
        stack.push_back(v);
        break;
      }
      case 'X': {
        need(4);
        const size_t len = rd32(data + p);
        p += 4;
        push_str(len);
        break;
      }  // BINUNICODE
      case 0x8c:
      case 'U': {
        need(1);
        const size_t len = data[p++];
        push_str(len);
        break;
      }  // SHORT_BINUNICODE / SHORT_BINSTRING
      case 'T': {
        need(4);
        const size_t len = rd32(data + p);
        p += 4;
        push_str(len);
        break;
      }            // BINSTRING
      case 'c': {  // GLOBAL
        auto v = make(PValue::Global);
        std::string module = read_line();
        v->s = module + "." + read_line();
        stack.push_back(v);
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PPtr name = pop(), module = pop();
        if (name->kind != PValue::Str || module->kind != PValue::Str)
          throw BlipError("pickle STACK_GLOBAL needs strings");
        auto v = make(PValue::Global);
        v->s = module->s + "." + name->s;
        stack.push_back(v);
        break;
      }
      case 't': {
        stack.push_back(make_tuple(pop_mark()));
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        const int k = op - 0x84;
        std::vector<PPtr> items(k);
        for (int j = k - 1; j >= 0; --j) items[j] = pop();
        stack.push_back(make_tuple(std::move(items)));
        break;
      }
      case 'q': {
        need(1);
        if (stack.empty()) throw BlipError("pickle BINPUT on empty stack");
        memo[data[p++]] = stack.back();
        break;
      }
      case 'r': {
        need(4);
        if (stack.empty()) throw BlipError("pickle BINPUT on empty stack");
        memo[rd32(data + p)] = stack.back();
        p += 4;
        break;
      }
      case 0x94: {
        if (stack.empty()) throw BlipError("pickle MEMOIZE on empty stack");
        memo[static_cast<uint32_t>(memo.size())] = stack.back();
        break;
      }
      case 'h':
      case 'j': {  // BINGET / LONG_BINGET
        uint32_t key;
        if (op == 'h') {
          need(1);
          key = data[p++];
        } else {
          need(4);
          key = rd32(data + p);
          p += 4;
        }
        auto it = memo.find(key);
        if (it == memo.end()) throw BlipError("pickle refers to a missing memo entry");
        stack.push_back(it->second);
        break;
      }
      case 'a': {  // APPEND
        PPtr v = pop();
        PPtr l = pop();
        if (l->kind != PValue::List) throw BlipError("pickle APPEND on a non-list");
        check_mutable(*l, "APPEND");
        adopt(*l, *v);
        l->items.push_back(v);
        stack.push_back(l);
        break;
      }
      case 'e': {  // APPENDS
        auto items = pop_mark();
        PPtr l = pop();
        if (l->kind != PValue::List) throw BlipError("pickle APPENDS on a non-list");
        check_mutable(*l, "APPENDS");
        for (auto& x : items) adopt(*l, *x);
        l->items.insert(l->items.end(), items.begin(), items.end());
        stack.push_back(l);
        break;
      }
      case 's': {
        PPtr v = pop(), k = pop();
        PPtr d = pop();
        set_items(d, {k, v});
        stack.push_back(d);
        break;
      }
      case 'u': {
        auto kv = pop_mark();
        PPtr d = pop();
        set_items(d, kv);
        stack.push_back(d);
        break;
      }
      case 'b': {
        pop();
        if (stack.empty()) throw BlipError("pickle BUILD on empty stack");
        break;
      }            // state ignored (_metadata)
      case 'Q': {  // BINPERSID
        PPtr pid = pop();
        if (pid->kind != PValue::Tuple || pid->items.size() < 5 || pid->items[0]->kind != PValue::Str ||
            pid->items[0]->s != "storage" || pid->items[1]->kind != PValue::Global ||
            pid->items[2]->kind != PValue::Str || pid->items[4]->kind != PValue::Int || pid->items[4]->i < 0)
          throw BlipError("pickle has an unsupported persistent id");
        auto v = make(PValue::Storage);
        if (!storage_dtype(pid->items[1]->s, v->dtype)) throw BlipError("unsupported storage type " + pid->items[1]->s);
        v->s = pid->items[2]->s;
        v->numel = pid->items[4]->i;
        stack.push_back(v);
        break;
      }
      case 'R': {  // REDUCE
        PPtr args = pop(), fn = pop();
        if (fn->kind != PValue::Global || args->kind != PValue::Tuple)
          throw BlipError("pickle REDUCE needs a global and a tuple");
        if (fn->s == "collections.OrderedDict") {
          stack.push_back(make(PValue::Dict));
        } else if (fn->s == "torch._utils._rebuild_tensor_v2") {
          if (args->items.size() < 4 || args->items[0]->kind != PValue::Storage || args->items[1]->kind != PValue::Int)
            throw BlipError("malformed tensor record");
          auto t = make(PValue::Tensor);
          t->storage = args->items[0];
          adopt(*t, *t->storage);
          t->dtype = t->storage->dtype;
          t->offset = args->items[1]->i;
          t->size = int_tuple(args->items[2], "size");
          t->stride = int_tuple(args->items[3], "stride");
          if (t->size.size() != t->stride.size() || t->offset < 0) throw BlipError("malformed tensor record");
          stack.push_back(t);
        } else if (fn->s == "torch._utils._rebuild_parameter") {
          if (args->items.empty() || args->items[0]->kind != PValue::Tensor)
            throw BlipError("malformed parameter record");
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

BinIndex read_bin_index(const std::filesystem::path& path) {
  const std::string name = path.string();
  BinIndex idx;
  idx.map = std::make_shared<Mapping>(path);
  auto& map = idx.map;
  if (map->size() < 4 || map->data()[0] != 'P' || map->data()[1] != 'K')
    throw BlipError(name +
                    " is not a PyTorch zip checkpoint (legacy non-zip torch.save files are not supported; "
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

CheckpointIndex read_pytorch_bin_index(const std::filesystem::path& path) {
  const BinIndex idx = read_bin_index(path);
  CheckpointIndex index;
  for (const auto& [k, v] : idx.root->entries) {
    if (k->kind != PValue::Str) throw BlipError(path.string() + ": state dict has a non-string key");
    if (v->kind != PValue::Tensor) throw BlipError(path.string() + ": entry '" + k->s + "' is not a tensor");
    if (!index.emplace(k->s, TensorInfo{v->dtype, v->size}).second)
      throw BlipError(path.string() + ": state dict holds '" + k->s + "' twice");
  }
  return index;
}

}  // namespace glimpse::blip::detail
