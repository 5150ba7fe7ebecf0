#pragma once
// Where models live and what can be done with them: the catalogue of supported Hub checkpoints,
// the models folder (GLIMPSE_MODELS_DIR, else the XDG data dir), import of folders people already
// have, verification in words, removal, and one-time conversion of pytorch_model.bin to
// model.safetensors.
#include <QList>
#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <stdexcept>

#include "settings/task.h"

namespace glimpse::models {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CatalogueEntry {
  QString repo;  // "Salesforce/blip-image-captioning-base"
  Task task = Task::Caption;
  int sizeMb = 0;
  QString about;
  QStringList files;         // preferred files to fetch
  bool recommended = false;  // one of the set a first run offers (one checkpoint per task)
};

// The supported checkpoints (resources/models/catalogue.json).
QList<CatalogueEntry> catalogue();
// The recommended entries, one per task, in task order.
QList<CatalogueEntry> recommendedSet();
const CatalogueEntry* findInCatalogue(const QList<CatalogueEntry>& entries, const QString& repo);
// Files a BLIP folder needs (required) and may have (optional).
QStringList requiredModelFiles();
QStringList optionalModelFiles();

// The models folder: $GLIMPSE_MODELS_DIR, else <XDG data>/Glimpse/models.
QString modelsDir();
// Leaves the default models folder out of backups (desktop::excludeFromBackups: models are large
// and can be downloaded again); a folder named by $GLIMPSE_MODELS_DIR is the user's and untouched.
// Called whenever a model is installed.
void markModelsDir();

// Names that come from people or servers are checked before they become paths (docs/security.md):
// A Hub repo id: "owner/name", each part 1-96 of letters, digits, '-', '_', '.', starting and
// ending with a letter or digit, no "..", "--" or ".git" ending (as huggingface_hub validates).
bool isValidRepoId(const QString& repo);
// The name of an installed model: a repo id or one such part ("mine").
bool isValidModelName(const QString& name);
// A file name from a server's file list: relative, '/'-separated parts without "", "." or "..",
// no backslash or control character, at most 255 bytes a part and 1024 in all.
bool isSafeRelativePath(const QString& name);
// `root`/`relative` when it stays inside `root` after resolving symbolic links of the part that
// exists; throws ModelError otherwise.
QString pathInside(const QString& root, const QString& relative);

// Folder of a model inside the models folder: <models>/<org>/<name>. Throws ModelError for a
// name isValidModelName refuses.
QString folderFor(const QString& repo);

struct InstalledModel {
  QString name;  // "org/name" (or folder name)
  QString folder;
  QStringList heads;
  QString summary;
  bool usable = false;
  QString problem;
};

// Every model folder under the models folder (staging folders of unfinished downloads excluded).
QList<InstalledModel> installedModels();
// What a folder holds, in words (`models verify`): its heads, a summary, or what is wrong.
InstalledModel describe(const QString& folder);
// Bytes already fetched of an unfinished download of `folder` (its staging folder); 0 when none.
qint64 partialDownloadBytes(const QString& folder);

// An import stopped by its cancel flag (nothing of it is left in the models folder).
class ImportCancelled : public ModelError {
 public:
  ImportCancelled() : ModelError("import cancelled") {}
};

// Bytes of an import: copied (or found already stored) of all its files.
using ImportProgress = std::function<void(qint64 done, qint64 total)>;

// Copies a folder into the models folder as `name` after checking it is a usable BLIP checkpoint;
// returns the new folder. Throws ModelError saying what is missing. The copy goes into
// <target>.download and is renamed into place when complete; `progress` is called as it goes
// (from the calling thread) and a set `cancel` flag stops it between chunks, removes the partial
// copy and throws ImportCancelled. A file identical to one already in the models folder (same size
// and SHA-256, e.g. the same weights imported under another name) is hard-linked to it instead of
// stored twice; a copy is made where a link cannot be.
QString importModel(const QString& source, const QString& name = {}, const ImportProgress& progress = {},
                    const std::atomic<bool>* cancel = nullptr);
// Removes an installed model: a name, or a folder inside the models folder (refuses anything that
// resolves outside it, and symbolic links).
void removeModel(const QString& nameOrFolder);
// Writes model.safetensors beside pytorch_model.bin (same tensors, float32/half as stored) and
// keeps the original. Returns the new file.
QString convertToSafetensors(const QString& folder);

}  // namespace glimpse::models
