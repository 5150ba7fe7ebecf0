// Which model and which library a command uses when it is not told, or told by name: the ones the
// desktop app uses, so that models installed once and one library serve both.
#include <QDir>
#include <QFileInfo>

#include "cli_common.h"
#include "models/modelstore.h"
#include "read_ahead.h"
#include "settings/settings.h"

namespace glimpse::cli {
namespace {

// "installed: a, b" or "no model is installed", with what to do about it.
std::string installedNames(const QList<models::InstalledModel>& installed) {
  QStringList names;
  for (const auto& m : installed)
    if (m.usable) names << m.name;
  if (names.isEmpty())
    return "no model is installed in " + models::modelsDir().toStdString() +
           " (glimpse-cli models download NAME, or models import DIR)";
  return "installed: " + names.join(QStringLiteral(", ")).toStdString();
}

std::string taskWords(std::optional<Task> task) {
  if (!task) return "this";
  switch (*task) {
    case Task::Caption:
      return "captions";
    case Task::Ask:
      return "questions";
    case Task::Search:
      return "image-text matching (search)";
    case Task::Translate:
      return "translation";
  }
  return "this";
}

}  // namespace

QString namedModelFolder(const QString& value) {
  if (QFileInfo(value).isDir()) return value;
  // Not a folder here: the name of an installed model ("Salesforce/blip-image-captioning-base").
  if (models::isValidModelName(value)) {
    const QString folder = models::folderFor(value);
    if (QFileInfo(folder).isDir()) return folder;
  }
  // A path that is not there, or a name that is not installed.
  if (value.startsWith(QLatin1Char('/')) || value.startsWith(QLatin1Char('.')) || !models::isValidModelName(value))
    return value;  // the loader says "model folder not found" with the path
  throw ModelError("model folder not found, and no installed model is named '" + value.toStdString() + "'; " +
                   installedNames(models::installedModels()));
}

QString modelFolder(const QCommandLineParser& p, std::optional<Task> task, const char* option) {
  if (p.isSet(option)) return namedModelFolder(p.value(option));
  // The desktop app's choice for the task, when it still exists.
  if (task) {
    const QString chosen = AppSettings::loadSavedOfApp().model(*task);
    if (!chosen.isEmpty() && QFileInfo(chosen).isDir()) return chosen;
  }
  const auto installed = models::installedModels();
  for (const auto& m : installed)
    if (m.usable && (!task || tasksOfHeads(m.heads).contains(*task))) return m.folder;
  throw UsageError("no --model given, and no installed model can do " + taskWords(task) + "; " +
                   installedNames(installed));
}

void loadEngine() {
  static bool checked = false;
  try {
    blip::load_engine();
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  }
  if (checked) return;
  checked = true;
  const auto blas = blip::blas_backend();
  if (!blas.fast)
    std::cerr << "warning: libtorch uses " << blas.name << " (" << blas.path
              << "); inference will be slow. Install libopenblas0-openmp (scripts/install-deps.sh).\n";
}

std::unique_ptr<blip::BlipModel> loadModel(const QCommandLineParser& p, std::optional<Task> task, const char* option) {
  const QString folder = modelFolder(p, task, option);
  blip::LoadOptions options;
  if (p.isSet("precision")) {
    const auto mode = blip::parse_precision(p.value("precision").toStdString());
    if (!mode)
      throw UsageError("--precision must be fp32, bf16 or int8, got '" + p.value("precision").toStdString() + "'");
    options.precision = *mode;
  }
  // On a cold start the weights are read while libtorch loads (read_ahead.h); kept until loaded.
  const auto ahead = blip::read_weights_ahead_of_engine(folder.toStdString());
  loadEngine();
  try {
    return blip::BlipModel::load(folder.toStdString(), options);
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  } catch (const std::exception& e) {
    if (!blip::is_out_of_memory(e)) throw;
    throw ModelError("not enough memory to load the model in " + folder.toStdString());
  }
}

QString libraryFile(const QCommandLineParser& p) {
  if (p.isSet("library")) return p.value("library");
  const QString file = defaultLibraryFile();
  // The app creates its folder on first start; a command that writes may come first.
  QDir().mkpath(QFileInfo(file).absolutePath());
  return file;
}

}  // namespace glimpse::cli

namespace glimpse::cli {

const blip::BlipModel* selfCheckModel(const QCommandLineParser& p, const blip::BlipModel& captioner,
                                      std::unique_ptr<blip::BlipModel>* owned) {
  if (p.isSet("check-model")) {
    *owned = loadModel(p, Task::Search, "check-model");
    if (!(*owned)->has_retrieval())
      throw ModelError("--check-model needs a retrieval model (BlipForImageTextRetrieval), e.g. blip-itm-base-coco; " +
                       p.value("check-model").toStdString() + " has none");
    return owned->get();
  }
  if (captioner.has_retrieval()) return &captioner;
  throw UsageError(
      "--self-check needs a retrieval model: give --check-model NAME|DIR (e.g. Salesforce/blip-itm-base-coco); "
      "the caption model has no retrieval head");
}

captions::SelfCheckOptions selfCheckOptions(const QCommandLineParser& p) {
  captions::SelfCheckOptions o;
  if (p.isSet("candidates")) o.candidates = toIntIn(p.value("candidates"), "candidates", 1, 8);
  if ((p.isSet("candidates") || p.isSet("check-model")) && !p.isSet("self-check"))
    throw UsageError("--candidates and --check-model need --self-check");
  return o;
}

void addSelfCheck(nlohmann::json& result, const captions::SelfCheckResult& check) {
  using nlohmann::json;
  const auto degenerate = [](captions::Degeneracy d) {
    return d == captions::Degeneracy::None ? json(nullptr) : json(captions::degeneracyKey(d));
  };
  result["itm"] = check.best().score.itm;
  result["itc"] = check.best().score.itc;
  result["self_check"] = {{"degenerate", degenerate(check.candidates.front().degeneracy)},
                          {"regenerated", check.regenerated()}};
  json candidates = json::array();
  for (const auto& c : check.candidates)
    candidates.push_back({{"text", c.generated.text},
                          {"strategy", c.strategy},
                          {"itm", c.score.itm},
                          {"itc", c.score.itc},
                          {"degenerate", degenerate(c.degeneracy)}});
  result["candidates"] = candidates;
}

}  // namespace glimpse::cli
