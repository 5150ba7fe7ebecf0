// Load time and peak memory of a checkpoint folder, one process per measurement (peak RSS is per
// process): `bench_load DIR` loads the model the way the app does and prints seconds and peak RSS.
// `bench_load --make-base OUT` writes a base-size captioning checkpoint with random weights twice,
// as pytorch_model.bin (torch.save zip layout) in OUT/bin and as model.safetensors in OUT/safetensors.
// `bench_load --finite-check DIR` times reading the checkpoint (which refuses NaN/Inf weights) and
// then one more pass of that check alone over every tensor, pages already in memory.
// `bench_load --written-then-mapped MB DIR` writes MB of bytes twice in DIR, in 64 KiB pieces as a
// download's network reads arrived and through write_file_in_blocks (block_writer.h), syncs both,
// then maps each and touches every page, alternating five times: the first mapping's cost of a
// file the page cache holds as it was written, in small folios or in huge ones.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "blip.h"
#include "block_writer.h"
#include "random_model.h"
#include "weights_internal.h"

namespace {

void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8));
}

// torch.save's layout: a stored ZIP with <prefix>/data.pkl (pickle protocol 2 of an OrderedDict
// name -> _rebuild_tensor_v2(persistent storage, 0, size, stride, False, OrderedDict())), one
// <prefix>/data/<key> entry per storage and <prefix>/version.
void writeTorchZip(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors) {
  std::string pkl = "\x80\x02";
  auto unicode = [&](const std::string& s) {
    pkl += 'X';
    put32(pkl, static_cast<uint32_t>(s.size()));
    pkl += s;
  };
  auto integer = [&](int64_t v) {
    pkl += 'J';
    put32(pkl, static_cast<uint32_t>(v));
  };
  pkl += "ccollections\nOrderedDict\n)R(";
  int key = 0;
  std::vector<std::pair<std::string, at::Tensor>> entries;
  for (const auto& [name, t] : tensors) {
    at::Tensor c = t.contiguous();
    unicode(name);
    pkl += "ctorch._utils\n_rebuild_tensor_v2\n(";
    pkl += '(';
    unicode("storage");
    pkl += "ctorch\nFloatStorage\n";
    unicode(std::to_string(key));
    unicode("cpu");
    integer(c.numel());
    pkl += "tQ";
    integer(0);
    pkl += '(';
    for (auto d : c.sizes()) integer(d);
    pkl += 't';
    pkl += '(';
    for (auto d : c.strides()) integer(d);
    pkl += 't';
    pkl +=
        "\x89"
        "ccollections\nOrderedDict\n)Rt"
        "R";
    entries.emplace_back(std::to_string(key++), c);
  }
  pkl += "u.";
  std::ofstream out(path, std::ios::binary);
  std::string central;
  uint64_t offset = 0;
  int count = 0;
  auto add = [&](const std::string& name, const char* data, uint64_t size) {
    // Local header padded with an extra field so data is 64-byte aligned, like torch.
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
    uint16_t pad = static_cast<uint16_t>((64 - (offset + 30 + name.size() + 4) % 64) % 64);
    std::string h;
    put32(h, 0x04034b50);
    put16(h, 20);
    put16(h, 0);
    put16(h, 0);
    put16(h, 0);
    put16(h, 0);
    put32(h, crc);
    put32(h, static_cast<uint32_t>(size));
    put32(h, static_cast<uint32_t>(size));
    put16(h, static_cast<uint16_t>(name.size()));
    put16(h, static_cast<uint16_t>(pad + 4));
    h += name;
    put16(h, 0xCAFE);
    put16(h, pad);
    h += std::string(pad, 'Z');
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    out.write(data, static_cast<std::streamsize>(size));
    std::string c;
    put32(c, 0x02014b50);
    put16(c, 20);
    put16(c, 20);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put32(c, crc);
    put32(c, static_cast<uint32_t>(size));
    put32(c, static_cast<uint32_t>(size));
    put16(c, static_cast<uint16_t>(name.size()));
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put16(c, 0);
    put32(c, 0);
    put32(c, static_cast<uint32_t>(offset));
    c += name;
    central += c;
    offset += h.size() + size;
    ++count;
  };
  add("archive/data.pkl", pkl.data(), pkl.size());
  for (const auto& [k, t] : entries)
    add("archive/data/" + k, static_cast<const char*>(t.data_ptr()), static_cast<uint64_t>(t.numel()) * 4);
  add("archive/version", "3\n", 2);
  std::string e;
  put32(e, 0x06054b50);
  put16(e, 0);
  put16(e, 0);
  put16(e, static_cast<uint16_t>(count));
  put16(e, static_cast<uint16_t>(count));
  put32(e, static_cast<uint32_t>(central.size()));
  put32(e, static_cast<uint32_t>(offset));
  put16(e, 0);
  out.write(central.data(), static_cast<std::streamsize>(central.size()));
  out.write(e.data(), static_cast<std::streamsize>(e.size()));
}

}  // namespace

// FileHugePages of /proc/meminfo in MiB: the page cache's 2 MiB folios.
double fileHugePagesMiB() {
  std::ifstream f("/proc/meminfo");
  for (std::string key; f >> key;) {
    double kb = 0;
    f >> kb;
    if (key == "FileHugePages:") return kb / 1024.0;
    f.ignore(64, '\n');
  }
  return -1;
}

// Maps `path` and reads a byte of every 4 KiB page: seconds.
double touchMapped(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  const auto size = static_cast<size_t>(std::filesystem::file_size(path));
  const auto t0 = std::chrono::steady_clock::now();
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  const volatile unsigned char* p = static_cast<const unsigned char*>(m);
  unsigned sum = 0;
  for (size_t i = 0; i < size; i += 4096) sum += p[i];
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::munmap(m, size);
  ::close(fd);
  if (sum == 1) std::printf(" ");  // keeps the reads
  return s;
}

int writtenThenMapped(int64_t mb, const std::filesystem::path& dir) {
  if (mb <= 0) {
    std::cerr << "--written-then-mapped: MB must be positive\n";
    return 2;
  }
  std::filesystem::create_directories(dir);
  const int64_t bytes = mb << 20;
  std::string piece(64 << 10, '\0');
  auto fill = [&](int64_t at) {
    for (size_t i = 0; i < piece.size(); i += 8) piece[i] = static_cast<char>((at + static_cast<int64_t>(i)) >> 12);
  };
  const auto small = dir / "written-in-pieces.bin", blocks = dir / "written-in-blocks.bin";
  std::filesystem::remove(small);
  std::filesystem::remove(blocks);
  const double huge0 = fileHugePagesMiB();
  {
    const int fd = ::open(small.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (int64_t at = 0; at < bytes; at += static_cast<int64_t>(piece.size())) {
      fill(at);
      if (::write(fd, piece.data(), piece.size()) != static_cast<ssize_t>(piece.size())) {
        std::perror("write");
        return 1;
      }
    }
    ::fsync(fd);
    ::close(fd);
  }
  const double huge1 = fileHugePagesMiB();
  glimpse::blip::write_file_in_blocks(blocks, [&](glimpse::blip::BlockWriter& out) {
    for (int64_t at = 0; at < bytes; at += static_cast<int64_t>(piece.size())) {
      fill(at);
      out.write(piece.data(), static_cast<int64_t>(piece.size()));
    }
  });
  {
    const int fd = ::open(blocks.c_str(), O_RDONLY | O_CLOEXEC);
    ::fsync(fd);
    ::close(fd);
  }
  const double huge2 = fileHugePagesMiB();
  std::vector<double> a, b;
  for (int round = 0; round < 5; ++round) {
    a.push_back(touchMapped(small));
    b.push_back(touchMapped(blocks));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const double gb = static_cast<double>(bytes) / 1e9;
  std::printf(
      "{\"mb\": %lld, \"pieces_huge_mib\": %.0f, \"blocks_huge_mib\": %.0f, \"pieces_touch_s_per_gb\": %.4f, "
      "\"blocks_touch_s_per_gb\": %.4f, \"pieces_over_blocks\": %.1f}\n",
      static_cast<long long>(mb), huge1 - huge0, huge2 - huge1, a[2] / gb, b[2] / gb, a[2] / b[2]);
  std::filesystem::remove(small);
  std::filesystem::remove(blocks);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--written-then-mapped")
    return writtenThenMapped(std::atoll(argv[2]), argv[3]);
  if (argc == 3 && std::string(argv[1]) == "--make-base") {
    const std::filesystem::path out = argv[2];
    const auto vocab = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";
    glimpse::bench::writeRandomBaseModel(out / "safetensors", vocab, {glimpse::blip::BlipHead::Captioning});
    std::filesystem::create_directories(out / "bin");
    for (const auto& f : std::filesystem::directory_iterator(out / "safetensors"))
      if (f.path().filename() != "model.safetensors")
        std::filesystem::copy_file(f.path(), out / "bin" / f.path().filename(),
                                   std::filesystem::copy_options::overwrite_existing);
    const auto t = glimpse::blip::load_safetensors(out / "safetensors" / "model.safetensors");
    std::map<std::string, at::Tensor> copy;
    for (const auto& [k, v] : t.tensors) copy.emplace(k, v.clone());
    writeTorchZip(out / "bin" / "pytorch_model.bin", copy);
    std::cout << "wrote " << out << "\n";
    return 0;
  }
  if (argc == 3 && std::string(argv[1]) == "--finite-check") {
    glimpse::blip::init_torch_threads();
    const auto t0 = std::chrono::steady_clock::now();
    const auto weights = glimpse::blip::load_checkpoint(argv[2]);
    const auto t1 = std::chrono::steady_clock::now();
    int64_t floats = 0;
    for (const auto& [name, t] : weights.tensors) {
      glimpse::blip::detail::check_finite(t, name);
      floats += t.numel();
    }
    const auto t2 = std::chrono::steady_clock::now();
    std::printf(
        "{\"folder\": \"%s\", \"tensors\": %zu, \"values\": %lld, \"read_seconds\": %.3f, \"finite_check_seconds\": "
        "%.4f, \"threads\": %d}\n",
        argv[2], weights.tensors.size(), static_cast<long long>(floats), std::chrono::duration<double>(t1 - t0).count(),
        std::chrono::duration<double>(t2 - t1).count(), at::get_num_threads());
    return 0;
  }
  if (argc != 2) {
    std::cerr << "usage: bench_load DIR | bench_load --make-base OUT | bench_load --finite-check DIR | bench_load "
                 "--written-then-mapped MB DIR\n";
    return 2;
  }
  glimpse::blip::init_torch_threads();
  const auto t0 = std::chrono::steady_clock::now();
  auto model = glimpse::blip::BlipModel::load(argv[1]);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"folder\": \"%s\", \"weights\": \"%s\", \"load_seconds\": %.3f, \"peak_rss_mib\": %.1f}\n", argv[1],
              model->weights_dtype().c_str(), s, ru.ru_maxrss / 1024.0);
  return 0;
}
