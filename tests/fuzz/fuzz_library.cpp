// The library database (core/library): a fuzzed file opened as a LibraryDatabase (application id,
// schema version, migrations), then what `library status`, `search` and `similar` read from it.
#include <QString>
#include <cstdio>
#include <memory>
#include <vector>

#include "library/librarydatabase.h"
#include "library/searcher.h"
#include "support.h"

using namespace glimpse::library;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  glimpse::fuzz::initQt(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string base = glimpse::fuzz::scratchDir() + "/library.db";
  for (const char* suffix : {"-wal", "-shm", "-journal"}) std::remove((base + suffix).c_str());
  const QString path = QString::fromStdString(glimpse::fuzz::writeScratch("library.db", data, size));
  try {
    const auto shared = std::make_shared<LibraryDatabase>(path);
    LibraryDatabase& db = *shared;
    db.schemaVersion();
    db.status();
    for (const Folder& f : db.folders()) db.photosInFolder(f.id);
    for (const auto& [model, count] : db.embeddingModels()) {
      db.status(model);
      db.photosWithoutEmbedding(model);
      int dim = 0;
      std::vector<float> vectors;
      const auto rows = db.allEmbeddings(model, &dim, &vectors);
      if (dim < 0 || vectors.size() != rows.size() * static_cast<size_t>(dim)) __builtin_trap();
      Searcher searcher(shared, model);
      SearchOptions options;
      options.limit = 5;
      for (const auto& row : rows) {
        if (auto v = db.embedding(row.photoId, model)) searcher.similar(*v, options, row.photoId);
        db.embeddingModelsOf(row.photoId);
        break;
      }
      searcher.similar(std::vector<float>(static_cast<size_t>(dim), 0.5f), options);
    }
    for (const QString& query : {QStringLiteral("photo"), QStringLiteral("beach 2019"), QStringLiteral("\"a* OR")}) {
      for (qint64 id : db.textMatches(query, 10)) {
        db.photoById(id);
        db.captions(id);
      }
    }
  } catch (const LibraryError&) {
  }
  return 0;
}
