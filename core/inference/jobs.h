#pragma once
// Long work of the inference worker as jobs. A job does its work in steps (one batch of photos
// to index, one photo to caption); the worker runs one step per queued call, so requests that
// arrive meanwhile are served between steps. Pause, resume, cancel and progress work the same
// for every job: pause and cancel set the job's interrupt flag, which stops the step in flight at
// its next check (a decoder step, a photo); an interrupted step is redone on resume.
#include <QElapsedTimer>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <optional>

#include "settings/task.h"
#include "types.h"

namespace glimpse::library {
class Indexer;
class LibraryDatabase;
class ResultAsker;
}  // namespace glimpse::library

namespace glimpse::inference {

class InferenceWorker;

class Job {
 public:
  Job(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt);
  virtual ~Job();
  virtual JobKind kind() const = 0;
  // One unit of work. Returns false when the job has nothing left to do; throws (a message in
  // words) when it cannot go on. Returns early, with nothing half-done, when interrupted().
  virtual bool step() = 0;
  // The model of `task` (or every model's precision) changed: continue or restart on the new one.
  // Returns what the user should read about it, or nothing when the job does not use that task.
  virtual QString modelChanged(Task task) {
    (void)task;
    return {};
  }
  // The library's folders changed (or it was replaced): the job re-reads what it has to do.
  virtual void libraryChanged() {}
  // The library this job writes to, if any.
  virtual library::LibraryDatabase* database() const { return nullptr; }

  quint64 id() const { return m_id; }
  JobState state = JobState::Running;
  JobProgress progress;
  QStringList warnings;
  bool interrupted() const { return m_interrupt->load(); }
  // The rate counts from here (the job starts or resumes running).
  void restartClock() {
    m_clock.restart();
    m_doneAtClock = progress.done;
  }
  void clearInterrupt() { m_interrupt->store(false); }

 protected:
  // Rate and time left from the items done since the job (re)started running.
  void updateRate();
  quint64 m_id;
  InferenceWorker& m_worker;
  std::shared_ptr<std::atomic<bool>> m_interrupt;
  QElapsedTimer m_clock;
  int m_doneAtClock = 0;
};

// Scans the library's folders, then embeds every photo without a vector of the search model. Its
// progress counts the library: done includes the photos that were searchable before (also those of
// an earlier run that was paused or stopped, or of a previous session), total every photo to index.
class IndexJob : public Job {
 public:
  IndexJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt);
  ~IndexJob() override;
  JobKind kind() const override { return JobKind::Index; }
  bool step() override;
  QString modelChanged(Task task) override;
  void libraryChanged() override;
  library::LibraryDatabase* database() const override { return m_db.get(); }

 private:
  void dropIndexer();
  std::shared_ptr<library::LibraryDatabase> m_db;
  bool m_scanned = false;
  std::unique_ptr<library::Indexer> m_indexer;
  bool m_counted = false;  // progress.before is set (at the first indexer)
  int m_searchable = 0;    // photos with a vector of the model when the current indexer began
  int m_failedBefore = 0;  // failed under earlier indexers of this job (no longer to do)
};

// Captions a list of photos one by one through the same path as a single caption.
class CaptionAllJob : public Job {
 public:
  CaptionAllJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt, QStringList paths,
                CaptionRequest request, JobKind kind = JobKind::CaptionAll);
  JobKind kind() const override { return m_kind; }
  bool step() override;
  QString modelChanged(Task task) override;

 private:
  QStringList m_paths;
  CaptionRequest m_request;
  JobKind m_kind;
  int m_next = 0;
};

// Writes captions into photos' files (captionwriter.h), one photo per step. A photo changed on
// disk since the library read it is refused, so a caption never lands on another picture.
class WriteCaptionsJob : public Job {
 public:
  WriteCaptionsJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt,
                   QList<CaptionFileRow> rows, QStringList targets, bool overwrite);
  JobKind kind() const override { return JobKind::WriteCaptions; }
  bool step() override;
  library::LibraryDatabase* database() const override { return m_db.get(); }

 private:
  std::shared_ptr<library::LibraryDatabase> m_db;
  QList<CaptionFileRow> m_rows;
  QStringList m_targets;
  bool m_overwrite;
  int m_next = 0;
};

// One question asked of search results (library/resultasker.h), one photo per step; each answer
// is reported as it comes (resultAnswered). The worker keeps the asker between questions, so
// photos asked about again are not encoded again. As in the chat, a question not in English is
// translated first (translated(job, Query)), and with "Show captions and answers in <interface
// language>" each answer's translation is reported (translated(job, Answer)) just before it.
class AskResultsJob : public Job {
 public:
  AskResultsJob(quint64 id, InferenceWorker& worker, std::shared_ptr<std::atomic<bool>> interrupt, QString question,
                QStringList paths, blip::GenerationConfig config = blip::vqa_generation_config());
  JobKind kind() const override { return JobKind::AskResults; }
  bool step() override;
  QString modelChanged(Task task) override;

 private:
  QString m_question;
  std::optional<QString> m_english;  // the question BLIP reads, once translated
  bool m_toldUntranslated = false;   // a translation of an answer failed, and the user was told
  QStringList m_paths;
  blip::GenerationConfig m_config;
  std::shared_ptr<library::ResultAsker> m_asker;
  int m_offset = 0;  // photos asked about by an earlier asker (before a model change)
};

}  // namespace glimpse::inference
