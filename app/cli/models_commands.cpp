// glimpse-cli models: list, download, import, verify, convert and remove BLIP checkpoints.
#include <unistd.h>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "cli_common.h"
#include "models/hubdownloader.h"
#include "models/modelstore.h"

namespace glimpse::cli {
namespace {

using nlohmann::json;

std::string mb(qint64 bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

QString resolveFolder(const QString& nameOrDir) {
  if (QFileInfo(nameOrDir).isDir()) return QFileInfo(nameOrDir).absoluteFilePath();
  if (!models::isValidModelName(nameOrDir))
    throw UsageError("no model folder " + nameOrDir.toStdString() + " (give a folder or an installed NAME)");
  const QString f = models::folderFor(nameOrDir);
  if (QFileInfo(f).isDir()) return f;
  throw UsageError("no model folder " + nameOrDir.toStdString() + " (give a folder or an installed NAME)");
}

json describeJson(const models::InstalledModel& m) {
  json heads = json::array();
  for (const QString& h : m.heads) heads.push_back(h.toStdString());
  return {
      {"name", m.name.toStdString()},       {"folder", m.folder.toStdString()},  {"usable", m.usable}, {"heads", heads},
      {"summary", m.summary.toStdString()}, {"problem", m.problem.toStdString()}};
}

// Set by SIGINT/SIGTERM (the only thing a handler may safely do); a timer on the event loop
// turns it into a cancel, and the command exits 130.
volatile std::sig_atomic_t g_interrupted = 0;
void onInterrupt(int) {
  g_interrupted = 1;
}

}  // namespace

int runModels(const QStringList& args) {
  Options o;
  o.addDocumented("models");
  o.parse(args);
  auto& p = o.parser;
  const QStringList pos = p.positionalArguments();
  if (pos.isEmpty())
    throw UsageError("models needs list, download NAME, import DIR, verify DIR, convert DIR or remove NAME");
  const QString verb = pos.front();
  const bool asJson = p.isSet("json");
  auto need = [&](const char* what) {
    if (pos.size() != 2) throw UsageError(std::string("models ") + verb.toStdString() + " takes one " + what);
    return pos[1];
  };
  try {
    if (verb == QLatin1String("list")) {
      json cat = json::array(), inst = json::array();
      for (const auto& e : models::catalogue()) {
        const bool have = QFileInfo(models::folderFor(e.repo) + QStringLiteral("/config.json")).exists();
        cat.push_back({{"repo", e.repo.toStdString()},
                       {"task", taskKey(e.task).toStdString()},
                       {"size_mb", e.sizeMb},
                       {"about", e.about.toStdString()},
                       {"installed", have}});
        if (!asJson)
          std::cout << (have ? "* " : "  ") << e.repo.toStdString() << "  [" << taskKey(e.task).toStdString() << ", ~"
                    << e.sizeMb << " MB]\n    " << e.about.toStdString() << '\n';
      }
      for (const auto& m : models::installedModels()) {
        inst.push_back(describeJson(m));
        if (!asJson && !models::findInCatalogue(models::catalogue(), m.name))
          std::cout << "* " << m.name.toStdString() << "  (" << (m.usable ? m.summary : m.problem).toStdString()
                    << ")\n";
      }
      if (asJson)
        print({{"models_dir", models::modelsDir().toStdString()}, {"catalogue", cat}, {"installed", inst}});
      else
        std::cout << "models folder: " << models::modelsDir().toStdString() << "  (* = installed)\n";
      return kOk;
    }
    if (verb == QLatin1String("download")) {
      const QString repo = need("NAME (a Hub repo id such as Salesforce/blip-image-captioning-base)");
      if (!models::isValidRepoId(repo))
        throw UsageError("'" + repo.toStdString() +
                         "' is not a Hub repo id: use owner/name (letters, digits, '-', '_', '.') such as "
                         "Salesforce/blip-image-captioning-base");
      models::DownloadOptions d;
      if (p.isSet("revision")) d.revision = p.value("revision");
      d.patterns = p.values("files");
      if (p.isSet("endpoint")) d.endpoint = p.value("endpoint");
      if (p.isSet("stall-timeout"))
        d.stallTimeoutMs = static_cast<int>(toDouble(p.value("stall-timeout"), "stall-timeout") * 1000);
      models::HubDownloader dl(repo, d);
      QEventLoop loop;
      bool ok = false, ended = false;
      QString error;
      const bool tty = ::isatty(STDERR_FILENO) != 0;
      QElapsedTimer last;
      last.start();
      QObject::connect(&dl, &models::HubDownloader::planned, [&](qint64 total, const QStringList& files) {
        std::fprintf(stderr, "downloading %s: %d files, %s\n", repo.toUtf8().constData(),
                     static_cast<int>(files.size()), mb(total).c_str());
      });
      QObject::connect(&dl, &models::HubDownloader::progress, [&](qint64 done, qint64 total, double rate, double eta) {
        if (!tty && last.elapsed() < 2000 && done < total) return;
        last.restart();
        const int width = 30;
        const int filled = total > 0 ? static_cast<int>(width * std::clamp<qint64>(done, 0, total) / total) : 0;
        std::fprintf(stderr,
                     tty ? "\r[%s%s] %s / %s  %.1f MB/s  ETA %.0f s   " : "[%s%s] %s / %s  %.1f MB/s  ETA %.0f s\n",
                     std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(), mb(done).c_str(),
                     mb(total).c_str(), rate / 1e6, eta < 0 ? 0.0 : eta);
      });
      QObject::connect(&dl, &models::HubDownloader::finished, [&](bool success, const QString& e) {
        ok = success;
        error = e;
        ended = true;
        loop.quit();
      });
      g_interrupted = 0;
      std::signal(SIGINT, onInterrupt);
      std::signal(SIGTERM, onInterrupt);
      QTimer poll;
      QObject::connect(&poll, &QTimer::timeout, [&] {
        if (g_interrupted) dl.cancel();
      });
      poll.start(50);
      dl.start();
      if (!ended) loop.exec();  // start() may already have failed
      poll.stop();
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      if (tty) std::fputc('\n', stderr);
      if (g_interrupted && !ok) {
        std::cerr << "error: " << error.toStdString() << '\n';
        return kCancelled;
      }
      if (!ok) throw models::ModelError(error.toStdString());
      const auto m = models::describe(dl.targetFolder());
      if (asJson)
        print(describeJson(m));
      else
        std::cout << "installed " << repo.toStdString() << " in " << dl.targetFolder().toStdString() << "\n  "
                  << (m.usable ? m.summary : m.problem).toStdString() << '\n';
      // With --files the folder is what was asked for; still say when it cannot be used.
      if (!m.usable)
        throw ModelError("installed in " + dl.targetFolder().toStdString() +
                         " but not usable: " + m.problem.toStdString());
      return kOk;
    }
    if (verb == QLatin1String("import")) {
      const QString dir = need("DIR");
      const QString name =
          p.isSet("name") ? p.value("name") : QFileInfo(QDir::cleanPath(QFileInfo(dir).absoluteFilePath())).fileName();
      if (!models::isValidModelName(name))
        throw UsageError(
            "'" + name.toStdString() +
            "' is not a model name: use NAME or owner/name (letters, digits, '-', '_', '.'); give one with --name");
      const QString folder = models::importModel(dir, name);
      const auto m = models::describe(folder);
      if (asJson)
        print(describeJson(m));
      else
        std::cout << "imported into " << folder.toStdString() << "\n  " << m.summary.toStdString() << '\n';
      return kOk;
    }
    if (verb == QLatin1String("verify")) {
      const auto m = models::describe(resolveFolder(need("DIR or NAME")));
      if (asJson)
        print(describeJson(m));
      else if (m.usable)
        std::cout << "ok: " << m.heads.join(QStringLiteral(", ")).toStdString() << "; " << m.summary.toStdString()
                  << '\n';
      if (!m.usable) throw ModelError(m.problem.toStdString());
      return kOk;
    }
    if (verb == QLatin1String("convert")) {
      const QString out = models::convertToSafetensors(resolveFolder(need("DIR or NAME")));
      if (asJson)
        print({{"written", out.toStdString()}});
      else
        std::cout << "wrote " << out.toStdString() << " (pytorch_model.bin kept)\n";
      return kOk;
    }
    if (verb == QLatin1String("remove")) {
      const QString name = need("NAME");
      if (!QFileInfo(name).isAbsolute() && !models::isValidModelName(name))
        throw UsageError("'" + name.toStdString() + "' is not the name of an installed model (see models list)");
      models::removeModel(name);
      if (asJson)
        print({{"removed", name.toStdString()}});
      else
        std::cout << "removed " << name.toStdString() << '\n';
      return kOk;
    }
  } catch (const models::ModelError& e) {
    throw ModelError(e.what());
  }
  throw UsageError("unknown models command '" + verb.toStdString() + "'");
}

}  // namespace glimpse::cli
