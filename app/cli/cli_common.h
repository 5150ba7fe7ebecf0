#pragma once
// Shared pieces of glimpse-cli's commands: exit codes, error kinds, option parsing helpers.
#include <QCommandLineParser>
#include <QStringList>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "blip.h"
#include "errors.h"
#include "imaging/imagedecoder.h"

namespace glimpse::cli {

enum ExitCode { kOk = 0, kError = 1, kUsage = 2, kModelError = 3, kImageError = 4, kLibraryError = 5, kCancelled = 130 };

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ModelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  QCommandLineParser parser;
  void add(const QString& name, const QString& value = {}) {
    parser.addOption(value.isEmpty() ? QCommandLineOption(name) : QCommandLineOption(name, QString(), value));
  }
  // --model DIR and --precision MODE, read by loadModel().
  void addModelOptions() {
    add("model", "DIR");
    add("precision", "MODE");
  }
  void parse(const QStringList& args) {
    if (!parser.parse(args)) throw UsageError(parser.errorText().toStdString());
  }
};

inline int toInt(const QString& s, const char* what) {
  bool ok = false;
  const int v = s.toInt(&ok);
  if (!ok) throw UsageError(std::string("--") + what + " needs an integer, got '" + s.toStdString() + "'");
  return v;
}

inline double toDouble(const QString& s, const char* what) {
  bool ok = false;
  const double v = s.toDouble(&ok);
  if (!ok) throw UsageError(std::string("--") + what + " needs a number, got '" + s.toStdString() + "'");
  return v;
}

inline std::unique_ptr<blip::BlipModel> loadModel(const QCommandLineParser& p) {
  if (!p.isSet("model")) throw UsageError("--model DIR is required");
  blip::LoadOptions options;
  if (p.isSet("precision")) {
    const auto mode = blip::parse_precision(p.value("precision").toStdString());
    if (!mode) throw UsageError("--precision must be fp32, bf16 or int8, got '" + p.value("precision").toStdString() + "'");
    options.precision = *mode;
  }
  try {
    return blip::BlipModel::load(p.value("model").toStdString(), options);
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  }
}

inline void print(const nlohmann::json& j) { std::cout << j.dump() << '\n'; }

// Library commands (library_commands.cpp).
int runIndex(const QStringList& args);
int runSearch(const QStringList& args);
int runSimilar(const QStringList& args);
int runLibrary(const QStringList& args);
int runModels(const QStringList& args);

}  // namespace glimpse::cli
