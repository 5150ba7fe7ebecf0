#include "cli_runner.h"

#include <sstream>

#include <gtest/gtest.h>

#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <map>

namespace glimpse::test {

QString cliPath() {
  return QStringLiteral(GLIMPSE_CLI_PATH);
}

CliRun runProgram(const QString& program, const QStringList& args, const RunOptions& options) {
  QProcess p;
  if (!options.env.isEmpty()) {
    p.setProcessEnvironment(options.env);
  } else {
    // The test's environment, but never the cache folder of the person running the tests (the
    // engine keeps its product measurement there): one folder for this test program.
    static QTemporaryDir cache;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CACHE_HOME"), cache.path());
    p.setProcessEnvironment(env);
  }
  if (!options.workingDirectory.isEmpty()) p.setWorkingDirectory(options.workingDirectory);
  if (!options.stdoutFile.isEmpty()) p.setStandardOutputFile(options.stdoutFile);
  if (options.childSetup) p.setChildProcessModifier(options.childSetup);
  p.start(program, args);
  bool ended = false;
  if (options.serveEvents) {
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&p, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
      if (e == QProcess::FailedToStart) loop.quit();
    });
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(options.timeoutMs);
    if (p.state() != QProcess::NotRunning) loop.exec();
    ended = p.state() == QProcess::NotRunning;
  } else {
    ended = p.waitForFinished(options.timeoutMs);
  }
  if (!ended) {
    p.kill();
    p.waitForFinished();
  }
  const int code =
      ended && p.exitStatus() == QProcess::NormalExit && p.error() != QProcess::FailedToStart ? p.exitCode() : -1;
  return {code, p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

CliRun runCli(const QStringList& args, const RunOptions& options) {
  return runProgram(cliPath(), args, options);
}

CliRun runCliSh(const QString& script) {
  return runProgram(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, cliPath()});
}

::testing::AssertionResult cliErrorsAsExpected(const std::vector<CliErrorCase>& cases) {
  std::ostringstream problems;
  for (const CliErrorCase& c : cases) {
    const CliRun r = runCli(c.args);
    const std::string what = "\n  glimpse-cli " + c.args.join(QLatin1Char(' ')).toStdString() + ": ";
    if (r.code != c.code)
      problems << what << "exit code " << r.code << ", expected " << c.code << "; stderr: " << r.err;
    if (!r.out.empty()) problems << what << "wrote to stdout: " << r.out;
    if (r.err.rfind("error: ", 0) != 0) problems << what << "stderr does not start with \"error: \": " << r.err;
    if (r.err.find(c.needle) == std::string::npos) problems << what << "stderr lacks \"" << c.needle << "\": " << r.err;
  }
  const std::string p = problems.str();
  if (p.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "commands did not fail as expected:" << p;
}

QStringList generationArgs(const nlohmann::json& kwargs) {
  static const std::map<std::string, QString> kFlags = {{"num_beams", "--beams"},
                                                        {"max_length", "--max-length"},
                                                        {"min_length", "--min-length"},
                                                        {"max_new_tokens", "--max-new-tokens"},
                                                        {"repetition_penalty", "--repetition-penalty"},
                                                        {"no_repeat_ngram_size", "--no-repeat-ngram-size"},
                                                        {"length_penalty", "--length-penalty"},
                                                        {"num_return_sequences", "--num-return-sequences"}};
  QStringList a;
  for (const auto& [k, v] : kwargs.items()) {
    if (k == "early_stopping") {
      if (v.get<bool>()) a << QStringLiteral("--early-stopping");
      continue;
    }
    const auto flag = kFlags.find(k);
    if (flag == kFlags.end()) {
      ADD_FAILURE() << "generation option without a CLI flag in this test: " << k;
      continue;
    }
    a << flag->second << QString::fromStdString(v.dump());
  }
  return a;
}

QProcessEnvironment isolatedEnvironment(const QString& root) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
  env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
  env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
  env.insert(QStringLiteral("XDG_STATE_HOME"), root + QStringLiteral("/state"));
  env.remove(QStringLiteral("GLIMPSE_MODELS_DIR"));
  return env;
}

}  // namespace glimpse::test
