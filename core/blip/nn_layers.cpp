#include "nn_layers.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bf16_layer_norm.h"
#include "engine_api.h"
#include "fp32_gemm.h"
#include "small_gemm.h"
#include "weights.h"

namespace glimpse::blip {

std::string detail::engine_precision_problem(Precision p) {
  if (p == Precision::BFloat16) {
    // libtorch 1.13 sends bfloat16 products to oneDNN only on AVX-512 CPUs; elsewhere they run
    // in a scalar loop many times slower than float32. Decoder steps need our AVX-512 BF16 kernel.
    if (!at::hasMKLDNN()) return "this libtorch was built without oneDNN";
    if (!small_gemm_available(at::kBFloat16)) return "this CPU has no AVX-512 BF16 instructions";
  }
  if (p == Precision::Int8) {
    const auto& engines = at::globalContext().supportedQEngines();
    if (std::find(engines.begin(), engines.end(), at::QEngine::ONEDNN) == engines.end())
      return "this libtorch has no oneDNN quantized engine";
  }
  return {};
}

namespace {
c10::OperatorHandle quantized_op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}
}  // namespace

at::Tensor LinearImpl::few_rows(const at::Tensor& x, const at::Tensor& b, bool gelu) {
  // A few rows (decoder steps, one per beam): our kernel reads the weights once for all rows.
  // Also one float32 row: since the engine's parallel_for runs threaded, greedy float32 steps are
  // about 5 % faster with it than with OpenBLAS's matrix-vector product (docs/performance.md).
  if (x.size(-1) <= 0 || x.numel() % x.size(-1) != 0 || (b.defined() && b.scalar_type() != at::kFloat)) return {};
  const int64_t rows = x.numel() / x.size(-1);
  if (precision_ != Precision::BFloat16)
    return runs_few_rows(rows) && weight.is_contiguous()
               ? small_rows_linear(to_dtype(x, at::kFloat).contiguous(), weight, b, gelu)
               : at::Tensor();
  // bf16 also for more rows than the kernel takes but fewer than go packed (the beams of several
  // images), a few rows at a time, reading the tiles (a plain copy kept beside them for at::linear
  // would double the layer's memory)
  if (runs_few_rows(rows) ||
      (rows > kSmallGemmMaxRows && rows < pack_min_rows() && small_gemm_available(at::kBFloat16)))
    return small_rows_linear(to_dtype(x, at::kFloat).contiguous(), bf16_weight_tiles(), b, gelu);
  return {};
}

bool LinearImpl::runs_few_rows(int64_t rows) const {
  return precision_ != Precision::Int8 && rows > 0 && rows <= kSmallGemmMaxRows &&
         small_gemm_available(precision_ == Precision::BFloat16 ? at::kBFloat16 : at::kFloat);
}

at::Tensor LinearImpl::forward(const at::Tensor& x, const at::Tensor& b) {
  if (at::Tensor y = few_rows(x, b, /*gelu=*/false); y.defined()) return y;
  const bool one_row = x.numel() == x.size(-1);
  switch (precision_) {
    case Precision::BFloat16: {
      const at::Tensor xb = to_dtype(x, at::kBFloat16);
      const at::Tensor w = plain_bf16_for_product(/*keep=*/true);
      if (b.defined() && b.is_same(bias)) return at::linear(xb, w, bias_bf16_);
      at::Tensor y = at::linear(xb, w);
      return b.defined() ? y + b : y;  // float32 bias: float32 result
    }
    case Precision::Int8: {
      static const c10::OperatorHandle op = quantized_op("quantized::linear_dynamic");
      c10::Stack stack{to_dtype(x, at::kFloat).contiguous(), packed_int8_, false};
      op.callBoxed(&stack);
      at::Tensor y = stack[0].toTensor();
      return b.defined() ? y + b : y;  // packed without a bias: the LM head passes its own
    }
    case Precision::Float32:
      break;
  }
  // One row (a decoder step with a single beam) on a CPU without AVX-512: a matrix-vector product
  // reads the weights once at memory speed, where a GEMM with M = 1 is slower.
  if (one_row && x.is_contiguous()) {
    at::Tensor y = b.defined() ? at::addmv(b, weight, x.view({-1})) : at::mv(weight, x.view({-1}));
    auto shape = x.sizes().vec();
    shape.back() = weight.size(0);
    return y.view(shape);
  }
  // Many rows: the faster of libtorch's BLAS and oneDNN on this CPU (fp32_gemm.h).
  return fp32_linear(x, weight, b);
}

at::Tensor LinearImpl::try_packed(const at::Tensor& x, Epilogue e, const at::Tensor& residual) {
  if ((precision_ != Precision::Float32 && precision_ != Precision::BFloat16) ||
      (x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16) || x.dim() < 2)
    return {};
  PackedWeight* p = packed_weight(x.numel() / x.size(-1));
  if (!p) return {};
  const bool first = packed_bytes(*p) == 0;
  at::Tensor y = packed_linear(*p, x, e, residual);
  // The products of this layer now read the packed copy: give the float32 pages of a mapped
  // checkpoint back, as bf16 does (a few-row product would page them in again). A bf16 layer keeps
  // its plain bf16 copy only if plain_bf16_weight asked for it (few-row products read the tiles):
  // the vision layers' copies are 170 MB for a base model.
  if (y.defined() && first) {
    release_mapped_pages(weight);
    std::lock_guard<std::mutex> lock(pack_mutex_);
    if (!keep_plain_bf16_) weight_bf16_ = at::Tensor();
  }
  return y;
}

at::Tensor LinearImpl::forward_packed(const at::Tensor& x, Epilogue e, const at::Tensor& residual) {
  // (a bf16 layer that runs widened has no packed copy, and making one would be the second copy)
  if (precision_ != Precision::BFloat16 || bf16_gemm_rate().bf16_faster)
    if (at::Tensor y = try_packed(x, e, residual); y.defined()) return y;
  return forward(x, e, residual);
}

std::shared_ptr<PackedWeight> LinearImpl::slice_of(const at::Tensor& x, Slice along, int64_t part, int64_t parts) {
  if (precision_ != Precision::BFloat16 || (x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16) ||
      x.dim() < 2 || parts < 1 || part < 0 || part >= parts ||
      x.size(-1) != (along == Slice::Outputs ? weight.size(1) : weight.size(1) / parts))
    return nullptr;
  std::lock_guard<std::mutex> lock(pack_mutex_);
  if (slices_failed_) return nullptr;
  if (slices_.empty()) {
    const int64_t size = weight.size(along == Slice::Outputs ? 0 : 1);
    if (size % parts != 0) {
      slices_failed_ = true;
      return nullptr;
    }
    const int64_t step = size / parts;
    // views of the plain bfloat16 copy: each slice reads its own once, when it packs
    const at::Tensor w = bf16_rows_locked();
    // one block for the packed slices, as for the whole weight's packed copy (a slice whose
    // packed layout is larger gets its own), each slice's part of it on a cache line of its own
    const int64_t slice_bytes = (w.numel() / parts * static_cast<int64_t>(w.element_size()) + 63) / 64 * 64;
    const at::Tensor block = at::empty({slice_bytes * parts}, at::kByte);
    for (int64_t p = 0; p < parts; ++p) {
      const at::Tensor b = !bias.defined()           ? at::Tensor()
                           : along == Slice::Outputs ? bias.narrow(0, p * step, step)
                           : p == 0                  ? bias
                                                     : at::Tensor();
      std::shared_ptr<PackedWeight> packed =
          make_packed_weight(along == Slice::Outputs ? w.narrow(0, p * step, step) : w.narrow(1, p * step, step), b,
                             block.narrow(0, p * slice_bytes, slice_bytes));
      if (!packed) {
        slices_.clear();
        slices_failed_ = true;
        return nullptr;
      }
      slices_.push_back(std::move(packed));
    }
    slice_along_ = along;
    // The slices hold their views until they pack; the layer keeps no copy of its own (the
    // whole product, if it runs, makes the plain copy again).
    if (!keep_plain_bf16_) weight_bf16_ = at::Tensor();
    release_mapped_pages(weight);
  }
  if (slice_along_ != along || static_cast<int64_t>(slices_.size()) != parts) return nullptr;
  return slices_[static_cast<size_t>(part)];
}

at::Tensor LinearImpl::forward_part(const at::Tensor& x, Slice along, int64_t part, int64_t parts, Epilogue e,
                                    const at::Tensor& residual) {
  const std::shared_ptr<PackedWeight> slice = slice_of(x, along, part, parts);
  return slice ? packed_linear(*slice, x, e, residual) : at::Tensor();
}

bool LinearImpl::add_part(const at::Tensor& x, int64_t part, int64_t parts, const at::Tensor& y) {
  const std::shared_ptr<PackedWeight> slice = slice_of(x, Slice::Inputs, part, parts);
  return slice && packed_linear_add(*slice, x, y);
}

void LinearImpl::drop_slices() {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  slices_.clear();
  slices_failed_ = true;
}

const at::Tensor& LinearImpl::bf16_rows_locked() {
  // Dropped when the layer went packed or made its tiles, or by release_packed: made again from
  // the tiles (exact), or else from the (mapped) float32 weight.
  if (!weight_bf16_.defined())
    weight_bf16_ = tiles_.defined() ? bf16_untiled(tiles_) : weight.to(at::kBFloat16).contiguous();
  return weight_bf16_;
}

at::Tensor LinearImpl::plain_bf16_for_product(bool keep) {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  if (!weight_bf16_.defined() && tiles_.defined()) return bf16_untiled(tiles_);  // for this product only
  if (keep) keep_plain_bf16_ = true;
  return bf16_rows_locked();
}

at::Tensor LinearImpl::plain_bf16_weight() {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  keep_plain_bf16_ = true;
  return bf16_rows_locked();
}

Bf16Tiles LinearImpl::bf16_weight_tiles() {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  if (!tiles_.defined()) {
    // from the plain copy where it is held (the float32 weight's mapped pages were given back)
    tiles_ = bf16_tiles(weight_bf16_.defined() ? weight_bf16_ : weight);
    if (!keep_plain_bf16_) weight_bf16_ = at::Tensor();
  }
  return tiles_;
}

void LinearImpl::share_bf16_tiles(const Bf16Tiles& tiles) {
  TORCH_CHECK(tiles.n == weight.size(0) && tiles.k == weight.size(1) && tiles.data.is_contiguous() &&
                  tiles.data.scalar_type() == at::kBFloat16 &&
                  tiles.data.numel() == bf16_tile_elements(weight.size(0), weight.size(1)),
              "share_bf16_tiles: not the tiles of this layer's weight");
  std::lock_guard<std::mutex> lock(pack_mutex_);
  tiles_ = tiles;
}

FusedBf16Linear fuse_bf16_tiles(const std::vector<LinearImpl*>& layers) {
  // Stacked tiles are the stacked matrix's tiles only where no tile is padded past a layer's rows
  // and, for inputs of several chunks of lines, every layer starts a group of tiles (small_gemm.h)
  // (checked from the shapes first: BlipTextSelfAttention::qkv_weights asks at every product).
  if (layers.empty() || layers.front()->weight.dim() != 2) return {};
  const int64_t multiple =
      bf16_tile_lines(layers.front()->weight.size(1)) > kTileChunkLines ? kTileColumns * kTileGroup : kTileColumns;
  int64_t n = 0;
  for (LinearImpl* l : layers) {
    if (l->weight.dim() != 2 || l->weight.size(0) % multiple != 0 ||
        l->weight.size(1) != layers.front()->weight.size(1))
      return {};
    n += l->weight.size(0);
  }
  std::vector<Bf16Tiles> tiles;
  std::vector<at::Tensor> biases;
  for (LinearImpl* l : layers) {
    TORCH_CHECK(l->precision() == Precision::BFloat16, "fuse_bf16_tiles: layers must be in the bf16 mode");
    tiles.push_back(l->bf16_weight_tiles());
    biases.push_back(l->bias.defined() ? l->bias.to(at::kFloat) : at::zeros({l->weight.size(0)}));
  }
  const int64_t k = tiles.front().k;
  // already one after another in one block: a view of them
  bool adjacent = true;
  for (size_t i = 1; adjacent && i < tiles.size(); ++i) {
    const at::Tensor &before = tiles[i - 1].data, &t = tiles[i].data;
    adjacent = t.is_alias_of(before) &&
               static_cast<const char*>(t.data_ptr()) == static_cast<const char*>(before.data_ptr()) + before.nbytes();
  }
  const at::Tensor& first = tiles.front().data;
  if (adjacent) return {{first.as_strided({bf16_tile_elements(n, k)}, {1}), n, k}, at::cat(biases, 0)};
  std::vector<at::Tensor> data;
  for (const Bf16Tiles& t : tiles) data.push_back(t.data);
  FusedBf16Linear fused{{at::cat(data, 0), n, k}, at::cat(biases, 0)};
  int64_t at = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const int64_t elements = tiles[i].data.numel();
    layers[i]->share_bf16_tiles({fused.weight.data.narrow(0, at, elements), tiles[i].n, k});
    at += elements;
  }
  return fused;
}

namespace {
// Zeroed memory for `elements` values of `type` starting on a 2 MiB boundary, and that boundary's
// length (0: an ordinary tensor, where the memory could not be mapped).
std::pair<at::Tensor, size_t> empty_on_huge_page_boundary(int64_t elements, at::ScalarType type) {
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t bytes = static_cast<size_t>(elements) * c10::elementSize(type);
  const size_t length = (bytes + kHuge - 1) / kHuge * kHuge;
  void* mapped =
      length ? mmap(nullptr, length + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
  if (mapped == MAP_FAILED) return {at::zeros({elements}, at::TensorOptions().dtype(type)), 0};
  // one huge page more, to start on the boundary; the rest given back
  const auto base = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t start = (base + kHuge - 1) / kHuge * kHuge;
  if (start > base) munmap(mapped, start - base);
  if (const uintptr_t end = base + length + kHuge; end > start + length)
    munmap(reinterpret_cast<void*>(start + length), end - (start + length));
  return {at::from_blob(
              reinterpret_cast<void*>(start), {elements}, [length](void* p) { munmap(p, length); },
              at::TensorOptions().dtype(type)),
          length};
}

std::atomic<int64_t> g_huge_bytes_moved{0}, g_huge_moves_started{0};
std::atomic<int> g_huge_moves_running{0};

// Whether the kernel's transparent huge pages are turned off ("[never]"): MADV_COLLAPSE would
// still move pages then, against what the machine's owner chose.
bool transparent_huge_pages_off() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  return !std::getline(f, line) || line.find("[never]") != std::string::npos;
}

// Moves the block's pages onto huge pages now (MADV_COLLAPSE, Linux 6.1; the kernel copies each
// 2 MiB and swaps it in, the values unchanged) from a thread of the lowest nice priority, one huge
// page a call (each call holds the process's memory map a moment): beside a batch of captions it
// takes a few percent of a core for 1-4 s. (SCHED_IDLE, which runs only where no other thread
// wants the core, left it undone through 20 captions in one of three runs.) It holds the block
// only during a call: once the model is gone it stops.
// A refusal (EINVAL: a kernel without the call, or huge pages turned off for the process or the
// mapping) stops it at once; a page it could not move now (EAGAIN, EBUSY, or ENOMEM with no huge
// page free) is left to khugepaged, and kHugeMoveMisses such in a row stop it.
// (Stopping at the first miss left 12 MiB of 236 behind in one of ten runs.)
constexpr size_t kHugeMoveCall = size_t{2} << 20;
constexpr int kHugeMoveMisses = 8;
void move_onto_huge_pages(c10::weak_intrusive_ptr<c10::StorageImpl> weak, char* start, size_t length) {
#ifdef MADV_COLLAPSE
  constexpr int kCollapse = MADV_COLLAPSE;
#else
  constexpr int kCollapse = 25;  // asm-generic/mman-common.h
#endif
  if (weak.expired()) return;
  ++g_huge_moves_started;
  ++g_huge_moves_running;
  try {
    std::thread([weak = std::move(weak), start, length] {
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
      int misses = 0;
      for (size_t at = 0; at < length && misses < kHugeMoveMisses; at += kHugeMoveCall) {
        const c10::intrusive_ptr<c10::StorageImpl> held = weak.lock();
        if (!held) break;
        const size_t n = std::min(kHugeMoveCall, length - at);
        if (madvise(start + at, n, kCollapse) == 0) {
          g_huge_bytes_moved += static_cast<int64_t>(n);
          misses = 0;
        } else if (errno == EINVAL) {
          break;
        } else {
          ++misses;
        }
      }
      --g_huge_moves_running;
    }).detach();
  } catch (...) {  // no thread (a limit reached): the pages stay as they are
    --g_huge_moves_running;
  }
}

// Blocks gathered and not yet handed to a move (weak: a model unloaded first is not kept).
struct PendingMove {
  c10::weak_intrusive_ptr<c10::StorageImpl> block;
  char* start;
  size_t length;
};
struct PendingMoves {
  std::mutex mutex;
  std::vector<PendingMove> moves;
};
// never destroyed: a worker may still generate while the process's statics go
PendingMoves& pending_moves() {
  static auto* p = new PendingMoves;
  return *p;
}
}  // namespace

void move_gathered_weights_onto_huge_pages() noexcept {
  std::vector<PendingMove> pending;
  {
    std::lock_guard<std::mutex> lock(pending_moves().mutex);
    pending.swap(pending_moves().moves);
  }
  for (PendingMove& p : pending) move_onto_huge_pages(std::move(p.block), p.start, p.length);
}

HugePageMoves huge_page_moves() {
  return {g_huge_bytes_moved.load(), g_huge_moves_running.load(), g_huge_moves_started.load()};
}

void gather_bf16_tiles(const std::vector<LinearImpl*>& layers) {
  int64_t total = 0;
  for (LinearImpl* l : layers) total += bf16_tile_elements(l->weight.size(0), l->weight.size(1));
  const auto [block, length] = empty_on_huge_page_boundary(total, at::kBFloat16);
  int64_t at = 0;
  for (LinearImpl* l : layers) {
    const int64_t n = bf16_tile_elements(l->weight.size(0), l->weight.size(1));
    l->set_bf16_tiles_in(block.narrow(0, at, n));
    at += n;
  }
  if (length > 0) {
    const char* env = std::getenv("GLIMPSE_HUGE_PAGES");
    const std::string huge = env ? env : "";
    madvise(block.data_ptr(), length, huge == "0" ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
    if (huge != "0" && huge != "advise" && !transparent_huge_pages_off()) {
      std::lock_guard<std::mutex> lock(pending_moves().mutex);
      std::vector<PendingMove>& moves = pending_moves().moves;
      // (models loaded and unloaded without a caption leave theirs)
      moves.erase(std::remove_if(moves.begin(), moves.end(), [](const PendingMove& p) { return p.block.expired(); }),
                  moves.end());
      moves.push_back({block.storage().getWeakStorageImpl(), static_cast<char*>(block.data_ptr()), length});
    }
  }
}

PackedWeight* LinearImpl::packed_weight(int64_t rows) {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  if (!pack_tried_) {
    // float32: when the first-use measurement found the packed product the fastest, and once the
    // products run unpacked have lost what packing costs. bfloat16: always (libtorch's bf16 product
    // is the same oneDNN kernel, reordering the weight per call).
    if (precision_ == Precision::Float32 && fp32_gemm_choice().packed) {
      if (!pack_now(fp32_gemm_choice(), unpacked_loss_seconds_, rows, weight.size(1), weight.size(0)))
        return nullptr;  // unpacked this time
      packed_ = make_packed_weight(weight, bias);
    }
    pack_tried_ = true;
    unpacked_loss_seconds_ = 0;
    if (precision_ == Precision::BFloat16) packed_ = make_packed_weight(bf16_rows_locked(), bias);
  }
  return packed_.get();
}

at::Tensor LinearImpl::widened_product(const at::Tensor& x, Epilogue e, const at::Tensor& residual) {
  // The bfloat16 weight widened into a float32 buffer of this thread (exact), then the float32
  // product: on a ViT-B layer the widening costs a few percent of the product it saves.
  // (Memory, not a tensor: a tensor made in inference mode cannot be written outside it.)
  // The plain copy is not marked kept (plain_bf16_weight): release_packed may drop it, as it
  // drops a packed copy, and it is made again from the float32 weight at the next product. A
  // layer with tiles (decoder steps) makes it from them for this product only: no second copy.
  thread_local std::vector<float> buffer;
  const at::Tensor w = plain_bf16_for_product(/*keep=*/false);
  buffer.resize(static_cast<size_t>(w.numel()));
  const at::Tensor widened = at::from_blob(buffer.data(), w.sizes(), at::kFloat);
  widened.copy_(w);
  at::Tensor y = fp32_linear(to_dtype(x, at::kFloat), widened, bias);
  if (e == Epilogue::Gelu) y = at::gelu(y);
  return residual.defined() ? y.add_(residual) : y;
}

at::Tensor LinearImpl::forward(const at::Tensor& x, Epilogue e, const at::Tensor& residual) {
  // (Rows first: the rate is measured at its first call, which must not be inside a decoder step.)
  if (precision_ == Precision::BFloat16 && x.dim() >= 2 && x.numel() >= pack_min_rows() * x.size(-1) &&
      !bf16_gemm_rate().bf16_faster)
    return widened_product(x, e, residual);
  if (x.dim() >= 2 && x.numel() >= pack_min_rows() * x.size(-1))
    if (at::Tensor y = try_packed(x, e, residual); y.defined()) return y;
  at::Tensor y = few_rows(x, bias, e == Epilogue::Gelu);  // GELU inside the few-row product
  if (!y.defined()) {
    y = forward(x, bias);
    if (e == Epilogue::Gelu) y = at::gelu(y);
  }
  return residual.defined() ? y + residual : y;
}

size_t LinearImpl::release_packed() {
  std::lock_guard<std::mutex> lock(pack_mutex_);
  size_t bytes = packed_ ? packed_bytes(*packed_) : 0;
  packed_.reset();
  for (const auto& slice : slices_) bytes += packed_bytes(*slice);
  slices_.clear();
  // A bf16 plain copy no few-row product has read goes too (widened products read it; it is made
  // again at the next product).
  if (precision_ == Precision::BFloat16 && !keep_plain_bf16_ && weight_bf16_.defined()) {
    bytes += static_cast<size_t>(weight_bf16_.numel()) * sizeof(uint16_t);
    weight_bf16_ = at::Tensor();
  }
  pack_tried_ = false;
  unpacked_loss_seconds_ = 0;  // rent or buy starts over (pack_now)
  // Unpacked products (float32 where the first-use measurement chose another product) read the
  // mapped weight itself: give its pages back too.
  release_mapped_pages(weight);
  return bytes;
}

size_t release_packed_weights(torch::nn::Module& root) {
  size_t bytes = 0;
  for (const auto& m : root.modules(/*include_self=*/true)) {
    if (auto* linear = dynamic_cast<LinearImpl*>(m.get())) bytes += linear->release_packed();
    if (auto* patches = dynamic_cast<PatchConv2dImpl*>(m.get())) bytes += patches->release_packed();
  }
  return bytes;
}

void LinearImpl::set_bf16_tiles_in(const at::Tensor& dest) {
  TORCH_CHECK(dest.scalar_type() == at::kBFloat16 && dest.is_contiguous() &&
                  dest.numel() == bf16_tile_elements(weight.size(0), weight.size(1)),
              "set_bf16_tiles_in: contiguous bfloat16 of the weight's tiles' size");
  std::lock_guard<std::mutex> lock(pack_mutex_);
  pack_tried_ = false;
  unpacked_loss_seconds_ = 0;  // rent or buy starts over (pack_now)
  packed_.reset();
  slices_.clear();
  // the same rounding as weight.to(kBFloat16); a layer already in the mode keeps its values
  const bool bf16 = precision_ == Precision::BFloat16;
  if (bf16 && tiles_.defined())
    dest.copy_(tiles_.data);  // the same layout
  else
    write_bf16_tiles(bf16 && weight_bf16_.defined() ? weight_bf16_ : weight, dest);
  tiles_ = {dest, weight.size(0), weight.size(1)};
  weight_bf16_ = at::Tensor();
  bias_bf16_ = bias.defined() ? bias.to(at::kBFloat16) : at::Tensor();
  keep_plain_bf16_ = false;
  gathered_ = true;
  packed_int8_ = c10::IValue();
  precision_ = Precision::BFloat16;
  release_mapped_pages(weight);
}

void LinearImpl::set_precision(Precision p) {
  if (p == Precision::BFloat16 && precision_ == p && gathered_) return;
  gathered_ = false;
  {
    std::lock_guard<std::mutex> lock(pack_mutex_);
    pack_tried_ = false;
    unpacked_loss_seconds_ = 0;  // rent or buy starts over (pack_now)
    packed_.reset();
    slices_.clear();
    slices_failed_ = false;
  }
  weight_bf16_ = bias_bf16_ = at::Tensor();
  tiles_ = Bf16Tiles();
  keep_plain_bf16_ = false;
  packed_int8_ = c10::IValue();
  precision_ = p;
  if (p == Precision::BFloat16) {
    weight_bf16_ = weight.to(at::kBFloat16).contiguous();
    if (bias.defined()) bias_bf16_ = bias.to(at::kBFloat16);
    // The float32 weight is not read in this mode: give its mapped pages back (bf16's RSS would
    // otherwise be float32's plus the copy).
    release_mapped_pages(weight);
  } else if (p == Precision::Int8) {
    // Symmetric per-output-channel int8 weights; the input is quantized per call from its own
    // range (dynamic quantization), accumulation in int32, output float32.
    at::globalContext().setQEngine(at::QEngine::ONEDNN);
    at::Tensor scales = (weight.abs().amax({1}) / 127.0).clamp_min(1e-12).to(at::kDouble);
    at::Tensor zero_points = at::zeros({weight.size(0)}, at::kLong);
    at::Tensor wq = at::quantize_per_channel(weight.contiguous(), scales, zero_points, 0, at::kQInt8);
    c10::Stack stack{wq, c10::optional<at::Tensor>()};
    quantized_op("quantized::linear_prepack").callBoxed(&stack);
    packed_int8_ = stack[0];
    release_mapped_pages(weight);
  }
}

void set_linear_precision(torch::nn::Module& root, Precision p) {
  for (const auto& m : root.modules(/*include_self=*/true)) {
    if (auto* linear = dynamic_cast<LinearImpl*>(m.get())) linear->set_precision(p);
    if (auto* patches = dynamic_cast<PatchConv2dImpl*>(m.get())) patches->set_precision(p);
  }
}

at::Tensor PatchConv2dImpl::forward(const at::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2) / patch_, w = x.size(3) / patch_;
  // [B, C, h, p, w, p] -> [B, h, w, C, p, p]: one row per patch (the convolution drops a remainder)
  const at::Tensor rows = x.slice(2, 0, h * patch_)
                              .slice(3, 0, w * patch_)
                              .reshape({b, c, h, patch_, w, patch_})
                              .permute({0, 2, 4, 1, 3, 5})
                              .reshape({b, h * w, c * patch_ * patch_});
  if (linear_) return linear_->forward(rows);
  return fp32_linear(rows, weight.reshape({weight.size(0), -1}), bias);
}

void PatchConv2dImpl::set_precision(Precision p) {
  if (p != Precision::BFloat16) {
    linear_ = nullptr;
    return;
  }
  linear_ = Linear(weight.numel() / weight.size(0), weight.size(0));
  // a view: the checkpoint's (mapped) values, in place of the layer's own empty ones
  linear_->weight.set_data(weight.reshape({weight.size(0), -1}));
  linear_->bias.set_data(bias);
  linear_->set_precision(p);
}

size_t PatchConv2dImpl::release_packed() {
  return linear_ ? linear_->release_packed() : 0;
}

at::Tensor LayerNormImpl::forward_for(const at::Tensor& x, Precision consumer) {
  if (consumer != Precision::BFloat16 || x.scalar_type() != at::kFloat || !x.is_contiguous() || x.dim() < 1 ||
      x.size(-1) != dim_ || weight.scalar_type() != at::kFloat || bias.scalar_type() != at::kFloat ||
      !weight.is_contiguous() || !bias.is_contiguous() || !bf16_layer_norm_available())
    return forward(x);
  at::Tensor out = at::empty(x.sizes(), x.options().dtype(at::kBFloat16));
  bf16_layer_norm(x.data_ptr<float>(), x.numel() / std::max<int64_t>(dim_, 1), dim_, weight.data_ptr<float>(),
                  bias.data_ptr<float>(), static_cast<float>(eps_), static_cast<uint16_t*>(out.data_ptr()));
  return out;
}

}  // namespace glimpse::blip
