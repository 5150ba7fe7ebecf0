#pragma once
// Checkpoint readers (internal to glimpse_blip; front ends use checkpoint.h): model.safetensors
// (memory-mapped; F32, F16, BF16; safetensors.cpp) and pytorch_model.bin (torch.save zip pickle;
// pytorch_bin.cpp). Both give name -> float32 CPU tensor and refuse NaN/Inf weights. Every
// failure on outside data is a BlipError naming the file and what is wrong with it.
#include <ATen/core/Tensor.h>

#include "checkpoint.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace glimpse::blip {

struct TensorMap {
  std::map<std::string, at::Tensor> tensors;  // name -> float32 (or int64 for buffers) tensor
  std::string source;                         // file they came from
  std::string stored_dtype;                   // "F32", "F16", "BF16", "mixed"
};

// Reads a safetensors file. F32 tensors alias the read-only mapping; F16/BF16 are converted to
// float32 exactly. Throws BlipError for a truncated file, a header whose sizes or offsets lie
// (overlapping, gaps, trailing bytes, duplicate keys), an unsupported dtype, or NaN/Inf values.
TensorMap load_safetensors(const std::filesystem::path& path);

// Reads a PyTorch zip checkpoint (torch.save of a state dict).
TensorMap load_pytorch_bin(const std::filesystem::path& path);

// Writes tensors as a safetensors file (F32 stays F32, int64 as I64; keys sorted, data 8-byte
// aligned), to `path` + ".part" first and renamed when complete.
void save_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// Names, dtypes and shapes of loaded tensors (as read_checkpoint_index gives them for a file).
CheckpointIndex index_of(const TensorMap& weights);

// Drops from this process's resident memory the pages of a float32 tensor that aliases a
// checkpoint mapping, once a lower-precision copy replaces it (bf16, int8). The mapping is
// read-only and private, so a later read pages the data in again from the file: safe whatever
// still refers to the tensor. Returns the bytes released; 0 for tensors that own their memory.
size_t release_mapped_pages(const at::Tensor& t);

// The checkpoint of a folder (find_checkpoint), loaded.
TensorMap load_checkpoint(const std::filesystem::path& dir);

}  // namespace glimpse::blip
