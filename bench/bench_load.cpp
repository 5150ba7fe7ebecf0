// Load time and peak memory of a checkpoint folder, one process per measurement (peak RSS is per
// process): `bench_load DIR` loads the model the way the app does and prints seconds and peak RSS.
// `bench_load --make-base OUT` writes a base-size captioning checkpoint with random weights twice,
// as pytorch_model.bin (torch.save zip layout) in OUT/bin and as model.safetensors in OUT/safetensors.
// `bench_load --finite-check DIR` times reading the checkpoint (which refuses NaN/Inf weights) and
// then one more pass of that check alone over every tensor, pages already in memory.
#include <sys/resource.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "blip.h"
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

int main(int argc, char** argv) {
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
    std::cerr << "usage: bench_load DIR | bench_load --make-base OUT | bench_load --finite-check DIR\n";
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
