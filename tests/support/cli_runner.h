#pragma once
// Programs run by the tests as real processes: glimpse-cli (GLIMPSE_CLI_PATH) or any other, waited
// for, with their exit code and output. Plain Qt Core: no torch, no widgets.
#include <gtest/gtest.h>

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace glimpse::test {

// How a process ended: its exit code (-1 when it crashed or did not end in time), stdout, stderr.
// An aggregate, so `auto [code, out, err] = runCli(...)` works.
struct CliRun {
  int code = -1;
  std::string out, err;
};

struct RunOptions {
  // The child's environment; an empty one inherits the test's.
  QProcessEnvironment env;
  QString workingDirectory;
  // Where stdout goes instead of CliRun::out (empty: read it).
  QString stdoutFile;
  // A process still running after this long is killed and counts as not ended (code -1).
  int timeoutMs = 120000;
  // Keeps this thread's event loop turning while waiting (for a server the test runs in it).
  bool serveEvents = false;
  // Runs in the child before exec (setrlimit and the like).
  std::function<void()> childSetup;
};

// The glimpse-cli binary the tests run.
QString cliPath();

// Runs `program` with `args` and waits for it.
CliRun runProgram(const QString& program, const QStringList& args, const RunOptions& options = {});

// Runs glimpse-cli with `args` and waits for it.
CliRun runCli(const QStringList& args, const RunOptions& options = {});

// Runs `sh -c script` with $0 set to glimpse-cli, so arguments can hold bytes that are not UTF-8
// (printf builds them; $'..' is not POSIX sh).
CliRun runCliSh(const QString& script);

// The test's environment with the XDG folders (data, config, cache, state) under `root` and no
// GLIMPSE_MODELS_DIR: a program run with it never reads or writes the settings, models or library
// of the person running the tests.
QProcessEnvironment isolatedEnvironment(const QString& root);

// A command that must fail: with `code`, nothing on stdout, and stderr starting "error: " and
// holding `needle`.
struct CliErrorCase {
  QStringList args;
  int code;
  const char* needle;
};

// Runs glimpse-cli for each case and checks it as above; the failure names each case's arguments
// and what was wrong. Use as EXPECT_TRUE(cliErrorsAsExpected({...})).
::testing::AssertionResult cliErrorsAsExpected(const std::vector<CliErrorCase>& cases);

// glimpse-cli's generation flags for transformers' generate() keyword arguments (a golden case's
// "kwargs"); a keyword without a flag fails the test.
QStringList generationArgs(const nlohmann::json& kwargs);

// A path as a QString.
inline QString q(const std::filesystem::path& p) {
  return QString::fromStdString(p.string());
}

}  // namespace glimpse::test
