// The restricted pickle reader of pytorch_model.bin (core/blip/weights.cpp), without the ZIP
// framing in the way: the input is archive/data.pkl, and this harness wraps it in a stored ZIP
// next to eight storage records (archive/data/0 .. 7, 512 bytes each, as torch.save names them).
#include <string>
#include <utility>
#include <vector>

#include "read_pytorch_bin.h"
#include "support.h"

namespace {

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v & 0xffff));
  put16(out, static_cast<uint16_t>(v >> 16));
}

// A ZIP archive of stored (uncompressed) entries; the reader checks no CRC, so none is written.
std::string storedZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, directory;
  for (const auto& [name, body] : entries) {
    const uint32_t local = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20), put16(out, 0), put16(out, 0), put16(out, 0), put16(out, 0);
    put32(out, 0), put32(out, static_cast<uint32_t>(body.size())), put32(out, static_cast<uint32_t>(body.size()));
    put16(out, static_cast<uint16_t>(name.size())), put16(out, 0);
    out += name;
    out += body;
    put32(directory, 0x02014b50);
    put16(directory, 20), put16(directory, 20), put16(directory, 0), put16(directory, 0), put16(directory, 0),
        put16(directory, 0);
    put32(directory, 0), put32(directory, static_cast<uint32_t>(body.size())),
        put32(directory, static_cast<uint32_t>(body.size()));
    put16(directory, static_cast<uint16_t>(name.size())), put16(directory, 0), put16(directory, 0);
    put16(directory, 0), put16(directory, 0), put32(directory, 0), put32(directory, local);
    directory += name;
  }
  const uint32_t directoryOffset = static_cast<uint32_t>(out.size());
  out += directory;
  put32(out, 0x06054b50);
  put16(out, 0), put16(out, 0);
  put16(out, static_cast<uint16_t>(entries.size())), put16(out, static_cast<uint16_t>(entries.size()));
  put32(out, static_cast<uint32_t>(directory.size())), put32(out, directoryOffset);
  put16(out, 0);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.emplace_back("archive/data.pkl", std::string(reinterpret_cast<const char*>(data), size));
  for (int i = 0; i < 8; ++i) {
    std::string storage(512, '\0');
    for (size_t b = 0; b < storage.size(); ++b) storage[b] = static_cast<char>((b * 37 + i) & 0xff);
    entries.emplace_back("archive/data/" + std::to_string(i), storage);
  }
  entries.emplace_back("archive/version", "3\n");
  const std::string zip = storedZip(entries);
  glimpse::fuzz::readPytorchBin(
      glimpse::fuzz::writeScratch("pytorch_model.bin", reinterpret_cast<const uint8_t*>(zip.data()), zip.size()));
  return 0;
}
