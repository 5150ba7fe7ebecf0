#include "modelstore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include "blip.h"
#include "errors.h"
#include "weights.h"

static void initModelResources() { Q_INIT_RESOURCE(models); }

namespace glimpse::models {

QStringList requiredModelFiles() {
  return {QStringLiteral("config.json"), QStringLiteral("preprocessor_config.json"), QStringLiteral("vocab.txt")};
}

QStringList optionalModelFiles() {
  return {QStringLiteral("special_tokens_map.json"), QStringLiteral("tokenizer_config.json"), QStringLiteral("added_tokens.json"),
          QStringLiteral("tokenizer.json")};
}

QList<CatalogueEntry> catalogue() {
  initModelResources();
  QFile f(QStringLiteral(":/models/catalogue.json"));
  if (!f.open(QIODevice::ReadOnly)) throw ModelError("the model catalogue resource is missing");
  const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
  const QJsonObject files = root.value(QStringLiteral("files")).toObject();
  QList<CatalogueEntry> out;
  for (const QJsonValue& v : root.value(QStringLiteral("models")).toArray()) {
    const QJsonObject o = v.toObject();
    CatalogueEntry e;
    e.repo = o.value(QStringLiteral("repo")).toString();
    const auto task = taskFromKey(o.value(QStringLiteral("task")).toString());
    if (!task) throw ModelError(("the model catalogue names an unknown task for " + e.repo).toStdString());
    e.task = *task;
    e.sizeMb = o.value(QStringLiteral("size_mb")).toInt();
    e.about = o.value(QStringLiteral("about")).toString();
    for (const QJsonValue& fv : files.value(o.value(QStringLiteral("files")).toString()).toArray()) e.files << fv.toString();
    out.push_back(e);
  }
  return out;
}

const CatalogueEntry* findInCatalogue(const QList<CatalogueEntry>& entries, const QString& repo) {
  for (const auto& e : entries)
    if (e.repo.compare(repo, Qt::CaseInsensitive) == 0) return &e;
  return nullptr;
}

QString modelsDir() {
  const QByteArray env = qgetenv("GLIMPSE_MODELS_DIR");
  if (!env.isEmpty()) return QDir::cleanPath(QString::fromLocal8Bit(env));
  QString base = QString::fromLocal8Bit(qgetenv("XDG_DATA_HOME"));
  if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.local/share");
  return base + QStringLiteral("/Glimpse/models");
}

QString folderFor(const QString& repo) { return modelsDir() + QLatin1Char('/') + repo; }

InstalledModel describe(const QString& folder) {
  InstalledModel m;
  m.folder = QDir::cleanPath(folder);
  const QString root = modelsDir();
  m.name = m.folder.startsWith(root + QLatin1Char('/')) ? m.folder.mid(root.size() + 1) : QFileInfo(folder).fileName();
  const auto info = blip::inspect_model_folder(folder.toStdString());
  m.usable = info.usable;
  m.problem = QString::fromStdString(info.problem);
  m.summary = QString::fromStdString(info.summary);
  for (const auto& h : info.heads) m.heads << QString::fromStdString(h);
  return m;
}

QList<InstalledModel> installedModels() {
  QList<InstalledModel> out;
  const QString root = modelsDir();
  QDirIterator it(root, {QStringLiteral("config.json")}, QDir::Files, QDirIterator::Subdirectories);
  QStringList folders;
  while (it.hasNext()) {
    const QString dir = QFileInfo(it.next()).absolutePath();
    if (dir.contains(QStringLiteral(".download"))) continue;  // unfinished download
    folders << dir;
  }
  folders.sort();
  for (const QString& f : folders) out.push_back(describe(f));
  return out;
}

QString importModel(const QString& source, const QString& name) {
  const QFileInfo src(source);
  if (!src.isDir()) throw ModelError((source + QStringLiteral(" is not a folder")).toStdString());
  const InstalledModel check = describe(src.absoluteFilePath());
  if (!check.usable) throw ModelError(("cannot import " + source + ": " + check.problem).toStdString());
  const QString target = folderFor(name.isEmpty() ? src.fileName() : name);
  if (QFileInfo::exists(target)) throw ModelError((target + QStringLiteral(" already exists")).toStdString());
  const QString staging = target + QStringLiteral(".download");
  QDir(staging).removeRecursively();
  if (!QDir().mkpath(staging)) throw ModelError(("cannot create " + staging).toStdString());
  for (const QFileInfo& f : QDir(src.absoluteFilePath()).entryInfoList(QDir::Files)) {
    if (!QFile::copy(f.absoluteFilePath(), staging + QLatin1Char('/') + f.fileName())) {
      QDir(staging).removeRecursively();
      throw ModelError(("cannot copy " + f.fileName() + " (disk full?)").toStdString());
    }
  }
  if (!QDir().rename(staging, target)) throw ModelError(("cannot move the model into " + target).toStdString());
  return target;
}

void removeModel(const QString& nameOrFolder) {
  QString folder = QFileInfo(nameOrFolder).isAbsolute() ? QDir::cleanPath(nameOrFolder) : folderFor(nameOrFolder);
  const QString root = QDir::cleanPath(modelsDir());
  if (!folder.startsWith(root + QLatin1Char('/')))
    throw ModelError((folder + QStringLiteral(" is not in the models folder ") + root + QStringLiteral("; Glimpse removes only its own copies")).toStdString());
  if (!QFileInfo(folder + QStringLiteral("/config.json")).exists()) throw ModelError(("no model at " + folder).toStdString());
  if (!QDir(folder).removeRecursively()) throw ModelError(("cannot remove " + folder).toStdString());
  QDir(folder + QStringLiteral(".download")).removeRecursively();
}

QString convertToSafetensors(const QString& folder) {
  const QString bin = folder + QStringLiteral("/pytorch_model.bin");
  const QString out = folder + QStringLiteral("/model.safetensors");
  if (!QFileInfo::exists(bin)) throw ModelError(("no pytorch_model.bin in " + folder).toStdString());
  if (QFileInfo::exists(out)) throw ModelError((out + QStringLiteral(" already exists")).toStdString());
  try {
    blip::TensorMap t = blip::load_pytorch_bin(bin.toStdString());
    std::map<std::string, at::Tensor> keep;
    for (auto& [name, tensor] : t.tensors) {
      // Legacy buffers and tied aliases are not parameters; safetensors stores each tensor once.
      if (name.size() >= 12 && name.compare(name.size() - 12, 12, "position_ids") == 0) continue;
      if (name == "text_decoder.cls.predictions.decoder.bias" && t.tensors.count("text_decoder.cls.predictions.bias")) continue;
      keep.emplace(name, tensor);
    }
    blip::save_safetensors(out.toStdString(), keep);
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  }
  return out;
}

}  // namespace glimpse::models
