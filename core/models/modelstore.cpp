#include "modelstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <algorithm>

#include <unistd.h>

#include "blip.h"
#include "checkpoint.h"
#include "desktop/paths.h"
#include "errors.h"

static void initModelResources() {
  Q_INIT_RESOURCE(models);
}

namespace glimpse::models {

QStringList requiredModelFiles() {
  return {QStringLiteral("config.json"), QStringLiteral("preprocessor_config.json"), QStringLiteral("vocab.txt")};
}

QStringList optionalModelFiles() {
  return {QStringLiteral("special_tokens_map.json"), QStringLiteral("tokenizer_config.json"),
          QStringLiteral("added_tokens.json"), QStringLiteral("tokenizer.json")};
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
    e.recommended = o.value(QStringLiteral("recommended")).toBool();
    for (const QJsonValue& fv : files.value(o.value(QStringLiteral("files")).toString()).toArray())
      e.files << fv.toString();
    out.push_back(e);
  }
  return out;
}

QList<CatalogueEntry> recommendedSet() {
  const QList<CatalogueEntry> all = catalogue();
  QList<CatalogueEntry> out;
  for (Task t : kTasks)
    for (const auto& e : all)
      if (e.recommended && e.task == t) {
        out.push_back(e);
        break;
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

void markModelsDir() {
  if (qEnvironmentVariableIsEmpty("GLIMPSE_MODELS_DIR")) desktop::excludeFromBackups(modelsDir());
}

namespace {

bool isValidNamePart(const QString& part) {
  static const QRegularExpression kPart(QStringLiteral("^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$"));
  return kPart.match(part).hasMatch() && !part.contains(QLatin1String("..")) && !part.contains(QLatin1String("--")) &&
         !part.endsWith(QLatin1String(".git"));
}

[[noreturn]] void refuse(const QString& message) {
  throw ModelError(message.toStdString());
}

// The canonical form of `path`: its deepest existing ancestor resolved, the rest appended.
QString resolved(const QString& path) {
  QString existing = QDir::cleanPath(path);
  QStringList rest;
  while (!QFileInfo::exists(existing) && !QFileInfo(existing).isSymLink()) {
    const int slash = existing.lastIndexOf(QLatin1Char('/'));
    if (slash <= 0) return QDir::cleanPath(path);
    rest.prepend(existing.mid(slash + 1));
    existing = existing.left(slash);
  }
  QString canonical = QFileInfo(existing).canonicalFilePath();
  if (canonical.isEmpty()) canonical = existing;  // a dangling link: compared as written
  for (const QString& r : rest) canonical += QLatin1Char('/') + r;
  return canonical;
}

}  // namespace

bool isValidRepoId(const QString& repo) {
  const QStringList parts = repo.split(QLatin1Char('/'));
  return parts.size() == 2 && isValidNamePart(parts[0]) && isValidNamePart(parts[1]);
}

bool isValidModelName(const QString& name) {
  const QStringList parts = name.split(QLatin1Char('/'));
  return (parts.size() == 1 || parts.size() == 2) && std::all_of(parts.begin(), parts.end(), isValidNamePart);
}

bool isSafeRelativePath(const QString& name) {
  if (name.isEmpty() || name.toUtf8().size() > 1024 || name.startsWith(QLatin1Char('/'))) return false;
  for (const QChar c : name)
    if (c == QLatin1Char('\\') || c.unicode() < 0x20 || c.unicode() == 0x7f) return false;
  for (const QString& part : name.split(QLatin1Char('/')))
    if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String("..") || part.toUtf8().size() > 255)
      return false;
  return true;
}

QString pathInside(const QString& root, const QString& relative) {
  if (!isSafeRelativePath(relative))
    refuse(QStringLiteral("refusing the path '%1': not a plain relative name").arg(relative));
  const QString base = resolved(root);
  const QString full = resolved(root + QLatin1Char('/') + relative);
  if (!full.startsWith(base + QLatin1Char('/')))
    refuse(QStringLiteral("refusing %1: it resolves to %2, outside %3").arg(relative, full, base));
  return QDir::cleanPath(root + QLatin1Char('/') + relative);
}

QString folderFor(const QString& repo) {
  if (!isValidModelName(repo))
    refuse(QStringLiteral("'%1' is not a model name: use owner/name (letters, digits, '-', '_', '.') as on the Hub")
               .arg(repo));
  return pathInside(modelsDir(), repo);
}

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

qint64 partialDownloadBytes(const QString& folder) {
  qint64 bytes = 0;
  QDirIterator it(folder + QStringLiteral(".download"), QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) bytes += QFileInfo(it.next()).size();
  return bytes;
}

QList<InstalledModel> installedModels() {
  QList<InstalledModel> out;
  const QString root = modelsDir();
  QDirIterator it(root, {QStringLiteral("config.json")}, QDir::Files, QDirIterator::Subdirectories);
  QStringList folders;
  while (it.hasNext()) {
    const QString dir = QFileInfo(it.next()).absolutePath();
    // Unfinished downloads and the previous copy of a replaced model are no models.
    if (dir.contains(QStringLiteral(".download")) || dir.endsWith(QStringLiteral(".old"))) continue;
    folders << dir;
  }
  folders.sort();
  for (const QString& f : folders) out.push_back(describe(f));
  return out;
}

namespace {

constexpr qint64 kChunk = qint64{4} << 20;

// SHA-256 of a file, read in chunks; empty when it cannot be read or the flag was set.
QByteArray sha256Of(const QString& path, const std::atomic<bool>* cancel) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash h(QCryptographicHash::Sha256);
  while (!f.atEnd()) {
    if (cancel && cancel->load()) return {};
    const QByteArray chunk = f.read(kChunk);
    if (chunk.isEmpty() && f.error() != QFileDevice::NoError) return {};
    h.addData(chunk);
  }
  return h.result();
}

// A regular file in the models folder (not in an unfinished download) with the size and content of
// `source`; empty when there is none.
QString storedCopyOf(const QFileInfo& source, const QString& skip, const std::atomic<bool>* cancel) {
  QByteArray sourceHash;
  QDirIterator it(modelsDir(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QFileInfo f(it.next());
    if (f.isSymLink() || f.size() != source.size() || f.absoluteFilePath().startsWith(skip)) continue;
    if (f.absolutePath().contains(QStringLiteral(".download"))) continue;
    if (sourceHash.isEmpty()) sourceHash = sha256Of(source.absoluteFilePath(), cancel);
    if (sourceHash.isEmpty()) return {};
    if (sha256Of(f.absoluteFilePath(), cancel) == sourceHash) return f.absoluteFilePath();
  }
  return {};
}

// Copies `from` to `to` in chunks, adding each chunk to `done`; false when the flag was set.
bool copyFile(const QString& from, const QString& to, qint64& done, qint64 total, const ImportProgress& progress,
              const std::atomic<bool>* cancel) {
  QFile in(from);
  QFile out(to);
  if (!in.open(QIODevice::ReadOnly)) throw ModelError(("cannot read " + from + ": " + in.errorString()).toStdString());
  if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
    throw ModelError(("cannot write " + to + ": " + out.errorString()).toStdString());
  while (!in.atEnd()) {
    if (cancel && cancel->load()) return false;
    const QByteArray chunk = in.read(kChunk);
    if (chunk.isEmpty() && in.error() != QFileDevice::NoError)
      throw ModelError(("cannot read " + from + ": " + in.errorString()).toStdString());
    if (out.write(chunk) != chunk.size())
      throw ModelError(("cannot copy " + QFileInfo(from).fileName() + ": " + out.errorString()).toStdString());
    done += chunk.size();
    if (progress) progress(done, total);
  }
  if (!out.flush()) throw ModelError(("cannot copy " + QFileInfo(from).fileName() + " (disk full?)").toStdString());
  return true;
}

}  // namespace

QString importModel(const QString& source, const QString& name, const ImportProgress& progress,
                    const std::atomic<bool>* cancel) {
  const QFileInfo src(source);
  if (!src.isDir()) throw ModelError((source + QStringLiteral(" is not a folder")).toStdString());
  const InstalledModel check = describe(src.absoluteFilePath());
  if (!check.usable) throw ModelError(("cannot import " + source + ": " + check.problem).toStdString());
  const QString target = folderFor(name.isEmpty() ? src.fileName() : name);  // checks the name
  if (QFileInfo::exists(target)) throw ModelError((target + QStringLiteral(" already exists")).toStdString());
  const QString staging = target + QStringLiteral(".download");
  QDir(staging).removeRecursively();
  if (!QDir().mkpath(staging)) throw ModelError(("cannot create " + staging).toStdString());
  markModelsDir();
  const QFileInfoList files = QDir(src.absoluteFilePath()).entryInfoList(QDir::Files);
  qint64 total = 0;
  for (const QFileInfo& f : files) total += f.size();
  qint64 done = 0;
  if (progress) progress(0, total);
  try {
    for (const QFileInfo& f : files) {
      const QString to = staging + QLatin1Char('/') + f.fileName();
      const QString stored = storedCopyOf(f, staging, cancel);
      if (cancel && cancel->load()) throw ImportCancelled();
      if (!stored.isEmpty() && ::link(QFile::encodeName(stored).constData(), QFile::encodeName(to).constData()) == 0) {
        done += f.size();
        if (progress) progress(done, total);
        continue;
      }
      if (!copyFile(f.absoluteFilePath(), to, done, total, progress, cancel)) throw ImportCancelled();
    }
    if (!QDir().rename(staging, target)) throw ModelError(("cannot move the model into " + target).toStdString());
  } catch (...) {
    QDir(staging).removeRecursively();  // nothing partial stays
    throw;
  }
  return target;
}

void removeModel(const QString& nameOrFolder) {
  const QString root = QDir::cleanPath(modelsDir());
  QString folder;
  if (QFileInfo(nameOrFolder).isAbsolute()) {
    folder = QDir::cleanPath(nameOrFolder);
    if (!folder.startsWith(root + QLatin1Char('/')))
      refuse(folder + QStringLiteral(" is not in the models folder ") + root +
             QStringLiteral("; Glimpse removes only its own copies"));
    folder = pathInside(root, folder.mid(root.size() + 1));
  } else {
    folder = folderFor(nameOrFolder);  // refuses "../x" and other non-names
  }
  const QFileInfo info(folder);
  if (info.isSymLink())
    refuse(folder +
           QStringLiteral(" is a symbolic link; Glimpse removes only folders it made (remove the link yourself)"));
  if (!QFileInfo(folder + QStringLiteral("/config.json")).exists()) refuse(QStringLiteral("no model at ") + folder);
  if (!QDir(folder).removeRecursively()) refuse(QStringLiteral("cannot remove ") + folder);
  const QString staging = folder + QStringLiteral(".download");
  if (!QFileInfo(staging).isSymLink()) QDir(staging).removeRecursively();
}

QString convertToSafetensors(const QString& folder) {
  try {
    return QString::fromStdString(blip::convert_to_safetensors(folder.toStdString()).string());
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  }
}

}  // namespace glimpse::models
