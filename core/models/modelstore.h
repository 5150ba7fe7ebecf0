#pragma once
// Where models live and what can be done with them: the catalogue of supported Hub checkpoints,
// the models folder (GLIMPSE_MODELS_DIR, else the XDG data dir), import of folders people already
// have, verification in words, removal, and one-time conversion of pytorch_model.bin to
// model.safetensors.
#include <QList>
#include <QString>
#include <QStringList>
#include <stdexcept>

#include "settings/task.h"

namespace glimpse::models {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CatalogueEntry {
  QString repo;   // "Salesforce/blip-image-captioning-base"
  Task task = Task::Caption;
  int sizeMb = 0;
  QString about;
  QStringList files;  // preferred files to fetch
};

// The supported checkpoints (resources/models/catalogue.json).
QList<CatalogueEntry> catalogue();
const CatalogueEntry* findInCatalogue(const QList<CatalogueEntry>& entries, const QString& repo);
// Files a BLIP folder needs (required) and may have (optional).
QStringList requiredModelFiles();
QStringList optionalModelFiles();

// The models folder: $GLIMPSE_MODELS_DIR, else <XDG data>/Glimpse/models.
QString modelsDir();
// Folder of a Hub repo inside the models folder: <models>/<org>/<name>.
QString folderFor(const QString& repo);

struct InstalledModel {
  QString name;    // "org/name" (or folder name)
  QString folder;
  QStringList heads;
  QString summary;
  bool usable = false;
  QString problem;
};

// Every model folder under the models folder (staging folders of unfinished downloads excluded).
QList<InstalledModel> installedModels();
InstalledModel describe(const QString& folder);

// Copies a folder (or the files given) into the models folder as `name` after checking it is a
// usable BLIP checkpoint; returns the new folder. Throws ModelError saying what is missing.
QString importModel(const QString& source, const QString& name = {});
// Removes an installed model (refuses paths outside the models folder).
void removeModel(const QString& nameOrFolder);
// Writes model.safetensors beside pytorch_model.bin (same tensors, float32/half as stored) and
// keeps the original. Returns the new file.
QString convertToSafetensors(const QString& folder);

}  // namespace glimpse::models
