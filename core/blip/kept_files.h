#pragma once
// The small files the engine keeps between processes (its float32 product measurement, its decoder
// steps' ways): {"version": V, "entries": [{"key": ..., ...}, ...]}, an entry per key (the CPU, the
// thread count, the libraries), a few keys at most. Anything unreadable in them counts as no entry.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace glimpse::blip {

// Writes `text` as the whole of `file`: into a file of its own beside it, then a rename, so that a
// reader sees the old file or the new one, never a part (two processes may write at once: the
// last rename wins). Makes the folder first. Returns false on any failure (a full disk, a folder
// it may not write), `file` then as it was and nothing left beside it.
bool replace_file(const std::filesystem::path& file, const std::string& text);

// The entries of `file` (objects with a string "key"); none when it is missing or not of `version`.
std::vector<nlohmann::json> read_kept_entries(const std::filesystem::path& file, int version);
// Writes `entry` (with its "key"), then up to seven entries of `file` with other keys, through
// replace_file. A key that is not UTF-8 is written with replacement characters (the next read
// finds no entry for it).
bool write_kept_entries(const std::filesystem::path& file, int version, nlohmann::json entry);

int64_t unix_seconds(std::chrono::system_clock::time_point t);
// Whether an entry written at `unix_time` still holds at `now`: at most `days` before, and at most
// a day after (a clock set back a little is no reason to measure again; one far off is).
bool kept_entry_fresh(const nlohmann::json& unix_time, std::chrono::system_clock::time_point now, int days);

}  // namespace glimpse::blip
