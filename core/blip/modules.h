#pragma once
// Glimpse's private modules (the engine, libglimpse_engine.so; the sentencepiece shim): where they
// are looked for, and opening one with a clear error. Internal to core/blip and core/marian.
#include <string>
#include <vector>

namespace glimpse::modules {

// The places a module is looked for, in order: the file the environment variable `env_var` names
// when it is set (that file only: to run with another build's module, or to check what happens
// without one); else lib/glimpse/modules/ beside the running program's folder (an install moved
// elsewhere), the install location and the build tree.
std::vector<std::string> candidates(const char* env_var, const std::string& installed, const std::string& built);

// dlopen of the first candidate that exists, with `flags`. On failure returns nullptr and sets
// `problem` to a sentence naming the module and every place tried, with the loader's errors.
void* open(const std::vector<std::string>& candidates, int flags, const std::string& what, std::string& problem);

}  // namespace glimpse::modules
