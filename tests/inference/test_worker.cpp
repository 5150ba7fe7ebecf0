// The inference worker through its client, as the app uses it: results equal the engine's, stale
// requests are dropped, cancellation stops generation, failures arrive where they are shown, the
// calling thread never waits on a model, and long work runs as jobs with pause, resume, cancel
// and progress, while models change under them.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "../library/library_fixtures.h"
#include "blip.h"
#include "imaging/imagedecoder.h"
#include "inference/inferenceclient.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "marian.h"

using glimpse::AppSettings;
using glimpse::Task;
using glimpse::inference::CaptionRequest;
using glimpse::inference::CaptionResult;
using glimpse::inference::Channel;
using glimpse::inference::InferenceClient;
using glimpse::inference::JobProgress;
using glimpse::inference::JobState;
using glimpse::inference::JobSummary;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");
const QString kWide = kTiny + QStringLiteral("/vision_wide");
const QString kImage = kTiny + QStringLiteral("/images/grad_97x61.png");
const QString kImage2 = kTiny + QStringLiteral("/images/checker_200x120.png");

glimpse::blip::GenerationConfig greedy(int maxLength = 20) {
  glimpse::blip::GenerationConfig c;
  c.max_length = maxLength;
  return c;
}

CaptionRequest plain(int maxLength = 20) {
  CaptionRequest r;
  r.config = greedy(maxLength);
  return r;
}

AppSettings models(const QString& caption, const QString& ask, const QString& search) {
  AppSettings s;
  s.model(Task::Caption) = caption;
  s.model(Task::Ask) = ask;
  s.model(Task::Search) = search;
  return s;
}

AppSettings tiny() {
  return models(kTiny, kTiny, kTiny);
}

template <typename Pred>
bool waitUntil(Pred pred, int ms = 60000) {
  QElapsedTimer t;
  t.start();
  while (!pred() && t.elapsed() < ms) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(2);
  }
  return pred();
}

bool waitFor(QSignalSpy& spy, int count = 1, int ms = 60000) {
  return waitUntil([&] { return spy.count() >= count; }, ms);
}

std::shared_ptr<const glimpse::blip::BlipModel> load(const QString& dir) {
  return glimpse::blip::BlipModel::load(dir.toStdString());
}

// A folder of `n` distinct photos.
QString photoFolder(QTemporaryDir& dir, int n) {
  const QString root = dir.filePath(QStringLiteral("photos"));
  for (int i = 0; i < n; ++i)
    glimpse::test::writePhoto(root + QStringLiteral("/p%1.png").arg(i, 4, 10, QLatin1Char('0')), i, 48, 36);
  return root;
}

// An open library with that folder in it.
void openWithFolder(InferenceClient& client, const QString& db, const QString& folder) {
  QSignalSpy opened(&client, &InferenceClient::libraryOpened);
  client.openLibrary(db);
  client.addLibraryFolder(folder);
  ASSERT_TRUE(waitFor(opened, 2));
}

// Captions `path` with `request` and waits for its result on `ready` (the client's captionReady).
void captionAndWait(InferenceClient& client, QSignalSpy& ready, const QString& path, const CaptionRequest& request) {
  const int before = static_cast<int>(ready.count());
  client.caption(path, request);
  ASSERT_TRUE(waitFor(ready, before + 1));
}

// That library indexed.
void openAndIndex(InferenceClient& client, const QString& db, const QString& folder) {
  ASSERT_NO_FATAL_FAILURE(openWithFolder(client, db, folder));
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  client.startIndexing();
  ASSERT_TRUE(waitFor(finished));
}

// The engine's input for the photo at `path`.
auto pixelsOf(const glimpse::blip::BlipModel& model, const QString& path) {
  return model.preprocess(glimpse::imaging::decodeImageFile(path).rgb);
}

// Four photos and, at index 3, a file that is not an image.
QStringList photosAndANonImage() {
  return {kImage, kImage2, kTiny + QStringLiteral("/images/photo_120x90.jpg"), kTiny + QStringLiteral("/config.json"),
          kTiny + QStringLiteral("/images/gray_50x80.png")};
}

JobSummary summaryOf(const QSignalSpy& finished, quint64 job) {
  for (const auto& f : finished)
    if (f[0].toULongLong() == job) return f[1].value<JobSummary>();
  return {};
}

TEST(InferenceWorker, CaptionEqualsTheEngineAndStreamsProgress) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QSignalSpy progress(&client, &InferenceClient::captionProgress);
  const quint64 id = client.caption(kImage, plain());
  ASSERT_TRUE(waitFor(ready));
  EXPECT_EQ(ready[0][0].toULongLong(), id);
  const auto r = ready[0][1].value<CaptionResult>();
  EXPECT_EQ(r.path, kImage);
  auto model = load(kTiny);
  const auto direct = model->caption({pixelsOf(*model, kImage)}, {}, greedy());
  EXPECT_EQ(r.fullText.toStdString(), direct[0][0].text);
  EXPECT_EQ(r.text.toStdString(), direct[0][0].continuation);
  EXPECT_EQ(static_cast<size_t>(r.tokenIds.size()), direct[0][0].token_ids.size());
  EXPECT_GT(progress.count(), 1);  // one per decoder step
}

// The prompt is the engine's business: the text comes back without it unless asked for.
TEST(InferenceWorker, PromptIsLeftOutOfTheCaptionUnlessKept) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  CaptionRequest r = plain();
  r.prompt = QStringLiteral("a picture of");
  r.config.min_length = 6;
  client.caption(kImage, r);
  r.keepPrompt = true;
  client.caption(kImage2, r);
  ASSERT_TRUE(waitFor(ready, 1));
  // The second request superseded the first (same lane) unless it was done already.
  ASSERT_TRUE(waitUntil([&] { return ready.last()[1].value<CaptionResult>().path == kImage2; }));
  const auto kept = ready.last()[1].value<CaptionResult>();
  auto model = load(kTiny);
  const auto direct = model->caption({pixelsOf(*model, kImage2)}, {"a picture of"}, r.config)[0][0];
  EXPECT_EQ(kept.text.toStdString(), direct.text);
  EXPECT_TRUE(kept.text.startsWith(QStringLiteral("a picture of")));
  EXPECT_EQ(kept.fullText, kept.text);
  r.keepPrompt = false;
  ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, kImage2, r));
  const auto bare = ready.last()[1].value<CaptionResult>();
  EXPECT_EQ(bare.text.toStdString(), direct.continuation);
  EXPECT_FALSE(bare.text.startsWith(QStringLiteral("a picture of")));
  EXPECT_EQ(bare.tokenIds, kept.tokenIds);
}

TEST(InferenceWorker, PrecisionSettingReloadsTheModelInThatMode) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QSignalSpy states(&client, &InferenceClient::stateChanged);
  const auto pixels = pixelsOf(*load(kTiny), kImage2);
  for (const char* mode : {"int8", "bf16", "fp32"}) {
    const auto precision = glimpse::blip::parse_precision(mode);
    ASSERT_TRUE(precision.has_value());
    if (!glimpse::blip::precision_problem(*precision).empty()) continue;
    AppSettings s = tiny();
    s.precision = QString::fromLatin1(mode);
    client.applySettings(s);
    ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, kImage2, plain()));
    glimpse::blip::LoadOptions o;
    o.precision = *precision;
    auto direct = glimpse::blip::BlipModel::load(kTiny.toStdString(), o);
    EXPECT_EQ(ready.last()[1].value<CaptionResult>().fullText.toStdString(),
              direct->caption({pixels}, {}, greedy())[0][0].text)
        << mode;
  }
  // Each change loaded the model again, and said in which mode.
  QStringList loads;
  for (const auto& s : states)
    if (s[0].toString().startsWith(QStringLiteral("Loading model"))) loads << s[0].toString();
  ASSERT_GE(loads.size(), 2);
  EXPECT_TRUE(loads.first().contains(QStringLiteral("(int8)"))) << loads.first().toStdString();
  EXPECT_FALSE(loads.last().contains(QStringLiteral("(")));  // fp32 is the plain default
}

TEST(InferenceWorker, CallsReturnAtOnceWhileTheWorkerLoadsAndRuns) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QElapsedTimer t;
  t.start();
  // The first call also loads the model: still no waiting on the calling thread.
  client.caption(kImage, plain(60));
  EXPECT_LT(t.elapsed(), 20);
  // The event loop keeps turning while the worker runs.
  int ticks = 0;
  QTimer timer;
  QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
  timer.start(5);
  ASSERT_TRUE(waitFor(ready));
  EXPECT_GT(ticks, 0);
}

TEST(InferenceWorker, StaleRequestsEndAsCancelled) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QSignalSpy cancelled(&client, &InferenceClient::cancelled);
  const quint64 a = client.caption(kImage, plain(60));
  const quint64 b = client.caption(kImage2, plain(60));
  const quint64 last = client.caption(kImage, plain(30));
  ASSERT_TRUE(waitFor(ready));
  // Only the newest request delivered a caption; each older one ended as cancelled.
  ASSERT_TRUE(waitFor(cancelled, 2));
  for (const auto& r : ready) EXPECT_EQ(r[0].toULongLong(), last);
  QList<quint64> ended;
  for (const auto& c : cancelled) ended << c[0].toULongLong();
  EXPECT_TRUE(ended.contains(a) && ended.contains(b));
  EXPECT_TRUE(client.isCurrent(Channel::Caption, last));
}

TEST(InferenceWorker, CancelStopsBetweenDecoderSteps) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy progress(&client, &InferenceClient::captionProgress);
  QSignalSpy cancelled(&client, &InferenceClient::cancelled);
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  CaptionRequest longRun = plain(64);
  longRun.config.min_length = 64;  // never ends early
  longRun.config.num_beams = 4;
  const quint64 id = client.caption(kImage, longRun);
  ASSERT_TRUE(waitFor(progress));
  client.cancel(Channel::Caption);
  ASSERT_TRUE(waitFor(cancelled));
  EXPECT_EQ(cancelled[0][0].toULongLong(), id);
  EXPECT_LT(progress.count(), 63);
  EXPECT_EQ(ready.count(), 0);
}

TEST(InferenceWorker, FailuresArriveWhereTheyAreShown) {
  InferenceClient client;
  QSignalSpy captionFailed(&client, &InferenceClient::captionFailed);
  QSignalSpy failed(&client, &InferenceClient::failed);
  QSignalSpy notices(&client, &InferenceClient::notice);
  // No model chosen yet: the photo's caption says why.
  const quint64 a = client.caption(kImage, plain());
  ASSERT_TRUE(waitFor(captionFailed));
  EXPECT_EQ(captionFailed[0][0].toULongLong(), a);
  EXPECT_EQ(captionFailed[0][1].toString(), kImage);
  EXPECT_TRUE(captionFailed[0][2].toString().contains(QStringLiteral("No model")))
      << captionFailed[0][2].toString().toStdString();
  client.applySettings(tiny());
  client.caption(kTiny + QStringLiteral("/config.json"), plain());
  ASSERT_TRUE(waitFor(captionFailed, 2));
  EXPECT_TRUE(captionFailed[1][2].toString().contains(QStringLiteral("not an image")))
      << captionFailed[1][2].toString().toStdString();
  QTemporaryDir dir;
  client.applySettings(models(dir.path(), dir.path(), dir.path()));
  const quint64 c = client.ask(kImage, QStringLiteral("what is it?"), greedy());
  ASSERT_TRUE(waitFor(failed));
  EXPECT_EQ(failed[0][0].toULongLong(), c);
  EXPECT_TRUE(failed[0][1].toString().contains(QStringLiteral("config.json"))) << failed[0][1].toString().toStdString();
  // The chat shows that one; none of the above went to the status bar.
  EXPECT_EQ(notices.count(), 0);
  // Failures no page shows reach the status bar: library actions and photo details.
  client.addLibraryFolder(dir.path());
  ASSERT_TRUE(waitFor(notices));
  EXPECT_TRUE(notices[0][0].toString().contains(QStringLiteral("No library is open")))
      << notices[0][0].toString().toStdString();
  client.openLibrary(dir.filePath(QStringLiteral("lib.glimpse")));
  client.photoDetails(kImage);
  ASSERT_TRUE(waitFor(notices, 2));
  EXPECT_TRUE(notices[1][0].toString().contains(QStringLiteral("not in the library")))
      << notices[1][0].toString().toStdString();
}

TEST(InferenceWorker, FollowUpQuestionsReuseTheImageAndMatchTheEngine) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy answers(&client, &InferenceClient::answerReady);
  QSignalSpy states(&client, &InferenceClient::stateChanged);
  const auto cfg = glimpse::blip::blip_vqa_preset();
  client.ask(kImage, QStringLiteral("how many dogs are in the picture?"), cfg);
  ASSERT_TRUE(waitFor(answers));
  client.ask(kImage, QStringLiteral("is there a cat?"), cfg);
  ASSERT_TRUE(waitFor(answers, 2));
  int looked = 0;
  for (const auto& s : states)
    if (s[0].toString().startsWith(QStringLiteral("Looking at"))) ++looked;
  EXPECT_EQ(looked, 1);  // the vision model ran once for both questions
  auto model = load(kTiny);
  const auto px = pixelsOf(*model, kImage);
  EXPECT_EQ(answers[0][3].toString().toStdString(),
            model->answer({px}, {"how many dogs are in the picture?"}, cfg)[0][0].text);
  EXPECT_EQ(answers[1][3].toString().toStdString(), model->answer({px}, {"is there a cat?"}, cfg)[0][0].text);
}

TEST(InferenceWorker, ModelsUnloadAfterIdleTime) {
  InferenceClient client;
  client.applySettings(tiny());
  client.setIdleUnloadSeconds(1);
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QSignalSpy states(&client, &InferenceClient::stateChanged);
  ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, kImage, plain()));
  EXPECT_TRUE(waitUntil(
      [&] {
        for (const auto& st : states)
          if (st[0].toString().contains(QStringLiteral("unloaded"))) return true;
        return false;
      },
      5000));
}

// A caption made for a photo of the open library is kept there, and search by words finds it.
TEST(InferenceWorker, CaptionsOfLibraryPhotosAreKept) {
  QTemporaryDir dir;
  const QString folder = photoFolder(dir, 3);
  const QString db = dir.filePath(QStringLiteral("lib.glimpse"));
  QString text;
  const QString photo = folder + QStringLiteral("/p0001.png");
  {
    InferenceClient client;
    client.applySettings(tiny());
    ASSERT_NO_FATAL_FAILURE(openAndIndex(client, db, folder));
    QSignalSpy ready(&client, &InferenceClient::captionReady);
    ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, photo, plain()));
    text = ready[0][1].value<CaptionResult>().text;
    ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, kImage, plain()));  // not in the library: nothing kept
  }
  ASSERT_FALSE(text.trimmed().isEmpty());
  glimpse::library::LibraryDatabase check(db);
  const auto p = check.photoByPath(photo);
  ASSERT_TRUE(p);
  const auto captions = check.captions(p->id);
  ASSERT_EQ(captions.size(), 1);
  EXPECT_EQ(captions[0].text, text);
  EXPECT_FALSE(check.photoByPath(kImage).has_value());
  // Its words find it (the full-text index of names and captions).
  EXPECT_TRUE(check.textMatches(text, 5).contains(p->id)) << text.toStdString();
}

// ---- jobs ----

// The crash this guards against: models change while a library is indexed, and captions and searches
// are asked for meanwhile. The job restarts on the new search model, everything asked is served,
// and the library ends complete and consistent.
TEST(InferenceJobs, ModelsChangeWhileIndexing) {
  QTemporaryDir dir;
  constexpr int kPhotos = 300;
  const QString folder = photoFolder(dir, kPhotos);
  const QString db = dir.filePath(QStringLiteral("lib.glimpse"));
  QStringList notices;
  {
    InferenceClient client;
    client.applySettings(tiny());
    openWithFolder(client, db, folder);
    QSignalSpy progress(&client, &InferenceClient::jobProgress);
    QSignalSpy finished(&client, &InferenceClient::jobFinished);
    QSignalSpy captions(&client, &InferenceClient::captionReady);
    QSignalSpy searches(&client, &InferenceClient::searchReady);
    QObject::connect(&client, &InferenceClient::notice, [&](const QString& m) { notices << m; });
    QStringList order;  // which came first
    QObject::connect(&client, &InferenceClient::captionReady, [&] { order << QStringLiteral("caption"); });
    QObject::connect(&client, &InferenceClient::searchReady, [&] { order << QStringLiteral("search"); });
    QObject::connect(&client, &InferenceClient::jobFinished, [&] { order << QStringLiteral("job"); });
    const quint64 job = client.startIndexing();
    ASSERT_TRUE(waitUntil([&] {
      for (const auto& p : progress)
        if (p[1].value<JobProgress>().done > 0) return true;
      return false;
    }));
    // While it runs: a caption, a new search model (and caption model), and a search.
    client.caption(kImage, plain());
    client.applySettings(models(kWide, kTiny, kWide));
    glimpse::library::SearchOptions o;
    o.limit = 5;
    client.search(QStringLiteral("a red circle"), o);
    client.applySettings(models(kTiny, kTiny, kWide));  // the caption model back: search stays wide
    ASSERT_TRUE(waitFor(finished, 1, 180000));
    const JobSummary s = summaryOf(finished, job);
    EXPECT_EQ(s.state, JobState::Finished) << s.error.toStdString();
    // Served while the job ran, not after it.
    ASSERT_EQ(captions.count(), 1);
    ASSERT_EQ(searches.count(), 1);
    EXPECT_EQ(order.last(), QStringLiteral("job")) << order.join(QLatin1Char(' ')).toStdString();
    EXPECT_EQ(s.failed, 0);
  }
  EXPECT_TRUE(notices.join(QLatin1Char('\n')).contains(QStringLiteral("search model changed")))
      << notices.join(QLatin1Char('\n')).toStdString();
  // Every photo has one vector of the new model; none lost, none twice; the file is sound.
  glimpse::library::LibraryDatabase check(db);
  const QString wideId = glimpse::library::modelIdentity(*load(kWide));
  EXPECT_EQ(check.status(wideId).photos, kPhotos);
  EXPECT_EQ(check.status(wideId).embedded, kPhotos);
  {
    auto sql = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    sql.setDatabaseName(db);
    ASSERT_TRUE(sql.open());
    QSqlQuery q(sql);
    ASSERT_TRUE(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    EXPECT_EQ(q.value(0).toString(), QStringLiteral("ok"));
    ASSERT_TRUE(q.exec(QStringLiteral("SELECT COUNT(*), COUNT(DISTINCT path) FROM photos")) && q.next());
    EXPECT_EQ(q.value(0).toInt(), kPhotos);
    EXPECT_EQ(q.value(1).toInt(), kPhotos);
    ASSERT_TRUE(q.exec(QStringLiteral("SELECT COUNT(*) FROM (SELECT photo_id, model FROM embeddings GROUP BY photo_id, "
                                      "model HAVING COUNT(*) > 1)")) &&
                q.next());
    EXPECT_EQ(q.value(0).toInt(), 0);
    q.finish();
    sql.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("check"));
}

TEST(InferenceJobs, IndexingPausesResumesAndCounts) {
  QTemporaryDir dir;
  constexpr int kPhotos = 120;
  const QString folder = photoFolder(dir, kPhotos);
  InferenceClient client;
  client.applySettings(tiny());
  openWithFolder(client, dir.filePath(QStringLiteral("lib.glimpse")), folder);
  QSignalSpy progress(&client, &InferenceClient::jobProgress);
  QSignalSpy states(&client, &InferenceClient::jobStateChanged);
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  const quint64 job = client.startIndexing();
  ASSERT_TRUE(waitUntil([&] { return !progress.isEmpty() && progress.last()[1].value<JobProgress>().done > 0; }));
  client.pauseJob(job);
  EXPECT_EQ(client.jobState(job), JobState::Pausing);
  ASSERT_TRUE(waitUntil([&] { return client.jobState(job) == JobState::Paused; }));
  // Paused: no step runs.
  const int doneAtPause = progress.last()[1].value<JobProgress>().done;
  const int reports = static_cast<int>(progress.count());
  QTest::qWait(400);
  EXPECT_EQ(progress.count(), reports);
  EXPECT_LT(doneAtPause, kPhotos);
  // A request is served while the job is paused, and while it runs.
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, kImage, plain()));
  client.resumeJob(job);
  ASSERT_TRUE(waitFor(finished));
  const JobSummary s = summaryOf(finished, job);
  EXPECT_EQ(s.state, JobState::Finished);
  EXPECT_EQ(s.done, kPhotos);  // counted across the pause
  const JobProgress last = progress.last()[1].value<JobProgress>();
  EXPECT_EQ(last.done, kPhotos);
  EXPECT_EQ(last.total, kPhotos);
  QList<JobState> seen;
  for (const auto& st : states)
    if (st[0].toULongLong() == job) seen << st[1].value<JobState>();
  EXPECT_TRUE(seen.contains(JobState::Paused));
  EXPECT_EQ(seen.count(JobState::Running), 2);  // started, resumed
  EXPECT_EQ(seen.last(), JobState::Finished);
}

TEST(InferenceJobs, IndexingCancelKeepsWhatIsDone) {
  QTemporaryDir dir;
  constexpr int kPhotos = 200;
  const QString folder = photoFolder(dir, kPhotos);
  const QString db = dir.filePath(QStringLiteral("lib.glimpse"));
  {
    InferenceClient client;
    client.applySettings(tiny());
    openWithFolder(client, db, folder);
    QSignalSpy progress(&client, &InferenceClient::jobProgress);
    QSignalSpy finished(&client, &InferenceClient::jobFinished);
    const quint64 job = client.startIndexing();
    ASSERT_TRUE(waitUntil([&] { return !progress.isEmpty() && progress.last()[1].value<JobProgress>().done > 0; }));
    client.cancelJob(job);
    ASSERT_TRUE(waitFor(finished));
    const JobSummary s = summaryOf(finished, job);
    EXPECT_EQ(s.state, JobState::Cancelled);
    EXPECT_GT(s.done, 0);
    EXPECT_LT(s.done, kPhotos);
    // Starting again continues where it stopped, and counts the library: what was done before
    // is done, out of every photo (not "0 of what is left").
    progress.clear();
    const quint64 again = client.startIndexing();
    ASSERT_TRUE(waitFor(finished, 2));
    EXPECT_EQ(summaryOf(finished, again).done, kPhotos - s.done);
    EXPECT_EQ(summaryOf(finished, again).last.done, kPhotos);
    EXPECT_EQ(summaryOf(finished, again).last.total, kPhotos);
    bool first = true;
    for (const auto& p : progress) {
      const auto jp = p[1].value<JobProgress>();
      if (p[0].toULongLong() != again || jp.total == 0) continue;  // scanning
      EXPECT_EQ(jp.total, kPhotos);
      if (first) {
        EXPECT_GE(jp.done, s.done);
      }
      EXPECT_EQ(jp.before, s.done);
      first = false;
    }
    EXPECT_FALSE(first);
  }
  glimpse::library::LibraryDatabase check(db);
  EXPECT_EQ(check.status(glimpse::library::modelIdentity(*load(kTiny))).embedded, kPhotos);
}

TEST(InferenceJobs, IndexingWithoutALibraryFailsAndSaysSo) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  QSignalSpy notices(&client, &InferenceClient::notice);
  const quint64 job = client.startIndexing();
  ASSERT_TRUE(waitFor(finished));
  EXPECT_EQ(summaryOf(finished, job).state, JobState::Failed);
  EXPECT_TRUE(summaryOf(finished, job).error.contains(QStringLiteral("No library is open")));
  ASSERT_TRUE(waitFor(notices));  // the status bar hears it
  EXPECT_EQ(client.jobState(job), JobState::Finished);
}

// Browsing and the folder counts are requests on the worker (no SQL on the GUI thread): a browse
// says what it found and how many there are; counts are on the library lane, so a search does not
// supersede them; without a library, the page is told (not the status bar).
TEST(InferenceWorker, BrowseAndDirectoryCountsRunOnTheWorker) {
  InferenceClient client;
  client.applySettings(tiny());
  QSignalSpy failed(&client, &InferenceClient::failed);
  QSignalSpy notices(&client, &InferenceClient::notice);
  const quint64 early = client.browse({});
  ASSERT_TRUE(waitFor(failed));
  EXPECT_EQ(failed[0][0].toULongLong(), early);
  EXPECT_TRUE(failed[0][1].toString().contains(QStringLiteral("No library is open")));
  EXPECT_EQ(notices.count(), 0);
  QTemporaryDir dir;
  const QString folder = photoFolder(dir, 5);
  ASSERT_NO_FATAL_FAILURE(openAndIndex(client, dir.filePath(QStringLiteral("lib.glimpse")), folder));
  QSignalSpy browsed(&client, &InferenceClient::browseReady);
  glimpse::library::SearchOptions o;
  o.limit = 3;
  const quint64 b = client.browse(o);
  ASSERT_TRUE(waitFor(browsed));
  EXPECT_EQ(browsed[0][0].toULongLong(), b);
  const auto r = browsed[0][1].value<glimpse::inference::BrowseResult>();
  EXPECT_EQ(r.total, 5);
  ASSERT_EQ(r.photos.size(), 3);
  for (const auto& p : r.photos) EXPECT_TRUE(p.path.startsWith(folder + QLatin1Char('/')));
  QSignalSpy counted(&client, &InferenceClient::directoryCountsReady);
  QSignalSpy searched(&client, &InferenceClient::searchReady);
  const quint64 c = client.directoryCounts();
  client.search(QStringLiteral("a photo"), {});
  ASSERT_TRUE(waitFor(counted));
  ASSERT_TRUE(waitFor(searched));
  EXPECT_EQ(counted[0][0].toULongLong(), c);
  EXPECT_EQ(counted[0][1].value<glimpse::inference::DirectoryCounts>(),
            (glimpse::inference::DirectoryCounts{{folder, 5}}));
}

TEST(InferenceJobs, CaptionAllStreamsLikeSingleCaptionsPausesAndCancels) {
  InferenceClient client;
  client.applySettings(tiny());
  const QStringList paths = photosAndANonImage();
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  QSignalSpy failures(&client, &InferenceClient::captionFailed);
  QSignalSpy progress(&client, &InferenceClient::jobProgress);
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  const quint64 job = client.captionAll(paths, plain());
  ASSERT_TRUE(waitFor(ready));
  client.pauseJob(job);
  ASSERT_TRUE(waitUntil([&] { return client.jobState(job) == JobState::Paused; }));
  const int atPause = static_cast<int>(ready.count());
  QTest::qWait(300);
  EXPECT_EQ(ready.count(), atPause);
  client.resumeJob(job);
  ASSERT_TRUE(waitFor(finished));
  const JobSummary s = summaryOf(finished, job);
  EXPECT_EQ(s.state, JobState::Finished);
  EXPECT_EQ(s.done, 4);
  EXPECT_EQ(s.failed, 1);
  ASSERT_EQ(failures.count(), 1);
  EXPECT_EQ(failures[0][1].toString(), paths[3]);
  // Each photo once, with the same text a single caption gives.
  ASSERT_EQ(ready.count(), 4);
  auto model = load(kTiny);
  for (const auto& r : ready) {
    const auto c = r[1].value<CaptionResult>();
    EXPECT_EQ(r[0].toULongLong(), job);
    EXPECT_EQ(c.fullText.toStdString(), model->caption({pixelsOf(*model, c.path)}, {}, greedy())[0][0].text);
  }
  EXPECT_EQ(progress.last()[1].value<JobProgress>().done, 5);
  // Cancel: stops, says how far it got.
  const quint64 second = client.captionAll(paths, plain(60));
  client.cancelJob(second);
  ASSERT_TRUE(waitFor(finished, 2));
  EXPECT_EQ(summaryOf(finished, second).state, JobState::Cancelled);
  EXPECT_LT(summaryOf(finished, second).done, 5);
}

// ---- BLIP's heads on each other ----

// With a search model set every caption is scored against its photo (equal to the engine's match
// on that text); asked to, a degenerate one is made again, and the library keeps the score.
TEST(InferenceHeads, CaptionsAreScoredAndDegenerateOnesMadeAgain) {
  QTemporaryDir dir;
  const QString folder = dir.filePath(QStringLiteral("photos"));
  QDir().mkpath(folder);
  const QString photo = folder + QStringLiteral("/checker.png");
  ASSERT_TRUE(QFile::copy(kImage2, photo));  // the tiny model's greedy caption of it repeats a word
  const QString db = dir.filePath(QStringLiteral("lib.glimpse"));
  InferenceClient client;
  client.applySettings(tiny());
  ASSERT_NO_FATAL_FAILURE(openAndIndex(client, db, folder));
  QSignalSpy ready(&client, &InferenceClient::captionReady);
  ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, photo, plain()));
  const auto scored = ready[0][1].value<CaptionResult>();
  auto model = load(kTiny);
  const auto pixels = pixelsOf(*model, photo);
  EXPECT_EQ(scored.fullText.toStdString(), model->caption({pixels}, {}, greedy())[0][0].text);  // not replaced
  ASSERT_TRUE(scored.checked);
  EXPECT_FALSE(scored.regenerated);
  const auto direct = model->match({pixels}, {scored.fullText.toStdString()})[0][0];
  EXPECT_NEAR(scored.itm, direct.itm, 1e-5);
  EXPECT_NEAR(scored.itc, direct.itc, 1e-5);
  CaptionRequest fix = plain();
  fix.fixDegenerate = true;
  ASSERT_NO_FATAL_FAILURE(captionAndWait(client, ready, photo, fix));
  const auto fixed = ready[1][1].value<CaptionResult>();
  ASSERT_TRUE(fixed.checked);
  EXPECT_TRUE(fixed.regenerated);
  EXPECT_NE(fixed.fullText, scored.fullText);
  EXPECT_GT(fixed.itm, scored.itm);
  EXPECT_NEAR(fixed.itm, model->match({pixels}, {fixed.fullText.toStdString()})[0][0].itm, 1e-5);
  // The library keeps the score: the review lists the photo with it.
  QSignalSpy results(&client, &InferenceClient::searchReady);
  const quint64 review = client.leastConfidentCaptions(10);
  ASSERT_TRUE(waitFor(results));
  EXPECT_EQ(results[0][0].toULongLong(), review);
  const auto rows = results[0][1].value<QList<glimpse::library::SearchResult>>();
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows[0].path, photo);
  EXPECT_NEAR(rows[0].score, fixed.itm, 1e-6);
}

// One question across photos as a job: an answer per photo as it comes, equal to the engine's
// answer; a cancel stops between photos.
TEST(InferenceHeads, AskResultsStreamsAnswersAndCancels) {
  InferenceClient client;
  client.applySettings(tiny());
  const QStringList paths = photosAndANonImage();
  QSignalSpy answered(&client, &InferenceClient::resultAnswered);
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  const quint64 job = client.askResults(QStringLiteral("is it red?"), paths);
  ASSERT_TRUE(waitFor(finished));
  const JobSummary s = summaryOf(finished, job);
  EXPECT_EQ(s.state, JobState::Finished);
  EXPECT_EQ(s.done, 4);  // answered; the one that is not an image failed
  EXPECT_EQ(s.failed, 1);
  ASSERT_EQ(answered.count(), 5);
  auto model = load(kTiny);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(answered[i][0].toULongLong(), job);
    EXPECT_EQ(answered[i][1].toInt(), i);
    EXPECT_EQ(answered[i][2].toString(), paths[i]);
    if (i == 3) {
      EXPECT_FALSE(answered[i][4].toString().isEmpty());  // not an image
      continue;
    }
    const auto pixels = pixelsOf(*model, paths[i]);
    EXPECT_EQ(answered[i][3].toString().toStdString(), model->answer({pixels}, {"is it red?"}, greedy())[0][0].text);
  }
  // Cancelled after the first answer: the job stops between photos.
  QStringList many;
  for (int i = 0; i < 200; ++i) many << paths[i % 3];
  answered.clear();
  const quint64 second = client.askResults(QStringLiteral("how many?"), many);
  ASSERT_TRUE(waitFor(answered));
  client.cancelJob(second);
  ASSERT_TRUE(waitFor(finished, 2));
  EXPECT_EQ(summaryOf(finished, second).state, JobState::Cancelled);
  EXPECT_LT(answered.count(), 200);
  EXPECT_EQ(summaryOf(finished, second).done, static_cast<int>(answered.count()));
}

// Ask across results in German, as the chat asks: the question is translated first (reported
// before any answer), each answer's translation comes just before the answer, and the answers are
// those of the English question. An answer too long for the translation model stays English and
// the status bar says why once, not once per photo.
TEST(InferenceHeads, AskResultsTranslatesTheQuestionAndTheAnswers) {
  const QString marian = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/marian/tiny");
  const auto translator = glimpse::marian::MarianModel::load(marian.toStdString());
  const auto translate = [&](const QString& text) {
    return QString::fromStdString(
               translator->translate({text.toStdString()}, translator->generation_defaults()).front().front().text)
        .trimmed();
  };
  const QLocale before;
  QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
  InferenceClient client;
  AppSettings s = tiny();
  s.queryTranslationModel = marian;
  s.outputTranslationModel = marian;
  s.translateOutput = true;
  client.applySettings(s);
  const QString frage = QStringLiteral("Wie viele Hunde sind auf dem Bild?");
  const QString question = translate(frage);
  const QStringList paths = {kImage, kImage2};
  // In the order the client reports them: "Q" (question), "T" (an answer's translation), "A".
  QStringList order;
  QList<glimpse::inference::Translated> translations;
  QStringList answers;
  quint64 job = 0;
  QObject::connect(&client, &InferenceClient::translated, [&](quint64 id, const glimpse::inference::Translated& t) {
    if (id != job) return;
    order << (t.kind == glimpse::inference::Translated::Kind::Query ? QStringLiteral("Q") : QStringLiteral("T"));
    translations << t;
  });
  QObject::connect(&client, &InferenceClient::resultAnswered,
                   [&](quint64 id, int, const QString&, const QString& answer, const QString& error) {
                     if (id != job) return;
                     EXPECT_TRUE(error.isEmpty()) << error.toStdString();
                     order << QStringLiteral("A");
                     answers << answer;
                   });
  QSignalSpy notices(&client, &InferenceClient::notice);
  QSignalSpy finished(&client, &InferenceClient::jobFinished);
  // Short answers: the tiny Marian reads at most 64 pieces.
  job = client.askResults(frage, paths, greedy(6));
  ASSERT_TRUE(waitFor(finished));
  EXPECT_EQ(summaryOf(finished, job).state, JobState::Finished);
  EXPECT_EQ(order, (QStringList{"Q", "T", "A", "T", "A"}));
  ASSERT_EQ(translations.size(), 3);
  EXPECT_EQ(translations[0].source, frage);
  EXPECT_EQ(translations[0].text, question);
  EXPECT_EQ(translations[0].from, QStringLiteral("de"));
  auto model = load(kTiny);
  ASSERT_EQ(answers.size(), 2);
  for (int i = 0; i < 2; ++i) {
    const auto pixels = model->preprocess(glimpse::imaging::decodeImageFile(paths[i]).rgb);
    EXPECT_EQ(answers[i].toStdString(), model->answer({pixels}, {question.toStdString()}, greedy(6))[0][0].text);
    EXPECT_EQ(translations[i + 1].source, answers[i]);
    EXPECT_EQ(translations[i + 1].text, translate(answers[i]));
    EXPECT_EQ(translations[i + 1].to, QStringLiteral("de"));
  }

  // Long answers (glimpse-cli ask's defaults): English, with one notice for the whole question.
  order.clear();
  translations.clear();
  answers.clear();
  notices.clear();
  job = client.askResults(frage, paths);
  ASSERT_TRUE(waitFor(finished, 2));
  EXPECT_EQ(order, (QStringList{"Q", "A", "A"}));
  int tooLong = 0;
  for (const auto& n : notices) tooLong += n[0].toString().contains(QStringLiteral("tokens long")) ? 1 : 0;
  EXPECT_EQ(tooLong, 1);
  QLocale::setDefault(before);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
