#include "jobs.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <utility>

#include "errors.h"
#include "imaging/captionwriter.h"
#include "inferenceworker.h"
#include "library/indexer.h"
#include "library/librarycaptioner.h"
#include "library/librarydatabase.h"
#include "library/resultasker.h"
#include "library/scanner.h"

namespace glimpse::inference {
Job::Job(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt)
    : m_id(id), m_worker(worker), m_interrupt(std::move(interrupt)) {
  m_clock.start();
}

Job::~Job() = default;

void Job::updateRate() {
  const double seconds = static_cast<double>(m_clock.nsecsElapsed()) * 1e-9;
  const int done = progress.done - m_doneAtClock;
  progress.itemsPerSecond = seconds > 0 && done > 0 ? done / seconds : 0.0;
  progress.etaSeconds = progress.itemsPerSecond > 0 ? (progress.total - progress.done) / progress.itemsPerSecond : -1.0;
}

// ---- IndexJob ----

IndexJob::IndexJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt)
    : Job(id, worker, std::move(interrupt)), m_db(worker.library()) {}

IndexJob::~IndexJob() = default;

void IndexJob::dropIndexer() {
  if (!m_indexer) return;
  // What that indexer embedded is in the library (the next one counts it as searchable); its
  // failures are no longer to do.
  m_failedBefore += m_indexer->progress().failed;
  m_indexer.reset();
}

bool IndexJob::step() {
  if (interrupted()) return true;
  if (!m_scanned) {
    Q_EMIT m_worker.stateChanged(QCoreApplication::translate("glimpse::inference::Job", "Scanning folders…"));
    const library::ScanReport scan = library::Scanner(*m_db).scan(m_interrupt.get());
    if (interrupted()) return true;  // the scan runs again on resume; it is idempotent
    warnings = scan.warnings;
    m_scanned = true;
    restartClock();
    return true;
  }
  if (!m_indexer) {
    m_indexer = std::make_unique<library::Indexer>(m_db, m_worker.model(Task::Search));
    m_searchable = m_db->status(m_indexer->modelId()).embedded;
    if (!m_counted) progress.before = m_searchable;
    m_counted = true;
    progress.done = m_searchable + m_failedBefore;
    restartClock();  // the rate counts from what is done now
  }
  const bool more = m_indexer->step(m_interrupt.get());
  const library::IndexProgress& p = m_indexer->progress();
  progress.total = m_searchable + m_failedBefore + p.total;
  progress.done = m_searchable + m_failedBefore + p.done;
  progress.failed = m_failedBefore + p.failed;
  progress.current = p.current;
  updateRate();
  if (p.done > 0) m_worker.vectorsChanged();
  if (m_indexer->report().cancelled) {
    dropIndexer();  // interrupted: a new indexer continues on resume
    return true;
  }
  if (more)
    Q_EMIT m_worker.stateChanged(QCoreApplication::translate("glimpse::inference::Job", "Indexing %1 of %2…")
                                     .arg(progress.done)
                                     .arg(progress.total));
  return more;
}

QString IndexJob::modelChanged(Task task) {
  if (task != Task::Search) return {};
  dropIndexer();
  m_counted = false;  // what counts as done before is recounted for the new model  // the next step embeds with the new
                      // model what it has no vector for
  return QCoreApplication::translate("glimpse::inference::Job",
                                     "The library search model changed: indexing goes on with the new model.");
}

void IndexJob::libraryChanged() {
  dropIndexer();
  m_scanned = false;
}

// ---- CaptionAllJob ----

CaptionAllJob::CaptionAllJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt,
                             QStringList paths, CaptionRequest request, JobKind kind)
    : Job(id, worker, std::move(interrupt)), m_paths(std::move(paths)), m_request(std::move(request)), m_kind(kind) {
  progress.total = static_cast<int>(m_paths.size());
}

bool CaptionAllJob::step() {
  if (m_next >= m_paths.size()) return false;
  if (interrupted()) return true;
  const QString& path = m_paths[m_next];
  Q_EMIT m_worker.stateChanged(QCoreApplication::translate("glimpse::inference::Job", "Captioning %1 of %2…")
                                   .arg(m_next + 1)
                                   .arg(m_paths.size()));
  switch (m_worker.runCaption(m_id, path, m_request, m_interrupt.get())) {
    case InferenceWorker::CaptionOutcome::Cancelled:
      return true;  // this photo again on resume
    case InferenceWorker::CaptionOutcome::Failed:
      ++progress.failed;
      break;
    case InferenceWorker::CaptionOutcome::Done:
      break;
  }
  ++m_next;
  progress.done = m_next;
  progress.current = path;
  updateRate();
  return m_next < m_paths.size();
}

QString CaptionAllJob::modelChanged(Task task) {
  if (task != Task::Caption) return {};
  return QCoreApplication::translate(
      "glimpse::inference::Job", "The caption model changed: the remaining photos are captioned with the new model.");
}

// ---- AskResultsJob ----

AskResultsJob::AskResultsJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt,
                             QString question, QStringList paths, blip::GenerationConfig config)
    : Job(id, worker, std::move(interrupt)),
      m_question(std::move(question)),
      m_paths(std::move(paths)),
      m_config(std::move(config)) {
  progress.total = static_cast<int>(m_paths.size());
}

bool AskResultsJob::step() {
  if (progress.done >= m_paths.size()) return false;
  if (interrupted()) return true;
  if (!m_english) {
    try {
      m_english = m_worker.toEnglish(m_id, m_question, /*translate=*/true, m_interrupt.get());
    } catch (const blip::GenerationCancelled&) {
      return true;  // paused or stopped while translating: translated again on resume
    }
  }
  if (!m_asker) {  // the first step, or the question model changed: the photos not yet asked about
    m_asker = m_worker.resultAsker();
    m_asker->start(*m_english, m_paths.mid(progress.done), m_config);
    m_offset = progress.done;
  }
  Q_EMIT m_worker.stateChanged(QCoreApplication::translate("glimpse::inference::Job", "Asking photo %1 of %2…")
                                   .arg(progress.done + 1)
                                   .arg(m_paths.size()));
  const auto a = m_asker->step(m_interrupt.get());
  if (!a) return true;  // interrupted: this photo again on resume
  if (!a->error.isEmpty()) ++progress.failed;
  if (a->error.isEmpty()) {
    try {
      if (const QString shown = m_worker.fromEnglish(a->text, m_interrupt.get()); !shown.isEmpty())
        Q_EMIT m_worker.translated(m_id, Translated{Translated::Kind::Answer, a->text, shown, QStringLiteral("en"),
                                                    m_worker.outputLanguage()});
    } catch (const blip::GenerationCancelled&) {
      // The answer stands in English; the next photo waits for the resume.
    } catch (const std::exception& e) {
      // The English answer stands; the status bar says why, once per question.
      if (!std::exchange(m_toldUntranslated, true)) Q_EMIT m_worker.notice(QString::fromUtf8(e.what()));
    }
  }
  Q_EMIT m_worker.resultAnswered(m_id, a->index + m_offset, a->path, a->text, a->error);
  progress.done = m_offset + m_asker->done();
  progress.current = a->path;
  updateRate();
  return progress.done < m_paths.size();
}

QString AskResultsJob::modelChanged(Task task) {
  if (task != Task::Ask) return {};
  m_asker.reset();
  return QCoreApplication::translate("glimpse::inference::Job",
                                     "The question model changed: the remaining photos are asked with the new model.");
}

// ---- WriteCaptionsJob ----

WriteCaptionsJob::WriteCaptionsJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt,
                                   QList<CaptionFileRow> rows, QStringList targets, bool overwrite)
    : Job(id, worker, std::move(interrupt)),
      m_db(worker.library()),
      m_rows(std::move(rows)),
      m_targets(std::move(targets)),
      m_overwrite(overwrite) {
  progress.total = static_cast<int>(m_rows.size());
}

bool WriteCaptionsJob::step() {
  if (m_next >= m_rows.size()) return false;
  if (interrupted()) return true;
  const CaptionFileRow& row = m_rows[m_next];
  Q_EMIT m_worker.stateChanged(QCoreApplication::translate("glimpse::inference::Job", "Writing caption %1 of %2…")
                                   .arg(m_next + 1)
                                   .arg(m_rows.size()));
  imaging::CaptionWrite w;
  w.photoPath = row.path;
  w.caption = row.caption;
  w.overwrite = m_overwrite;
  for (const QString& key : m_targets)
    if (const auto t = imaging::captionTargetFromKey(key)) w.targets.push_back(*t);
  CaptionWriteReport report;
  report.path = row.path;
  // The file as the library knows it: a photo replaced or edited since then is not written.
  const auto photo = m_db->photoByPath(row.path);
  std::vector<imaging::TargetResult> results;
  if (!photo || photo->changed) {
    report.errors << QCoreApplication::translate("glimpse::inference::Job",
                                                 "%1: changed since it was indexed; index the library first")
                         .arg(QFileInfo(row.path).fileName());
  } else {
    w.expected = imaging::FileState{photo->size, photo->mtimeMs};
    results = imaging::writeCaption(w);
    library::recordCaptionWrites(*m_db, *photo, results);
  }
  for (const imaging::TargetResult& r : results) {
    switch (r.outcome) {
      case imaging::WriteOutcome::Written:
      case imaging::WriteOutcome::AlreadySame:
        report.written << r.file;
        break;
      case imaging::WriteOutcome::KeptExisting:
        report.kept << r.file;
        break;
      case imaging::WriteOutcome::Failed:
        report.errors << QStringLiteral("%1: %2").arg(QFileInfo(r.file).fileName(), r.error);
        break;
    }
  }
  if (!report.errors.isEmpty()) ++progress.failed;
  Q_EMIT m_worker.captionWritten(m_id, report);
  ++m_next;
  progress.done = m_next;
  progress.current = row.path;
  updateRate();
  return m_next < m_rows.size();
}

}  // namespace glimpse::inference
