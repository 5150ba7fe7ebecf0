// The inference worker through its client, as the GUI uses it: results equal the engine's, stale
// requests are dropped, cancellation stops generation, failures arrive as failed(id, message),
// and the calling thread never waits on a model.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include "blip.h"
#include "imaging/imagedecoder.h"
#include "inference/inferenceworker.h"

using glimpse::inference::Channel;
using glimpse::inference::InferenceClient;
using glimpse::inference::InferenceWorker;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");
const QString kImage = kTiny + QStringLiteral("/images/grad_97x61.png");
const QString kImage2 = kTiny + QStringLiteral("/images/checker_200x120.png");

glimpse::blip::GenerationConfig greedy(int maxLength = 20) {
  glimpse::blip::GenerationConfig c;
  c.max_length = maxLength;
  return c;
}

bool waitFor(QSignalSpy& spy, int count = 1, int ms = 30000) {
  QElapsedTimer t;
  t.start();
  while (spy.count() < count && t.elapsed() < ms) spy.wait(100);
  return spy.count() >= count;
}

TEST(InferenceWorker, CaptionEqualsTheEngineAndStreamsProgress) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  QSignalSpy progress(client.worker(), &InferenceWorker::captionProgress);
  const quint64 id = client.caption(kImage, QString(), greedy());
  ASSERT_TRUE(waitFor(ready));
  EXPECT_EQ(ready[0][0].toULongLong(), id);
  EXPECT_EQ(ready[0][1].toString(), kImage);
  auto model = glimpse::blip::BlipModel::load(kTiny.toStdString());
  const auto direct = model->caption({model->preprocess(glimpse::imaging::decodeImageFile(kImage).rgb)}, {}, greedy());
  EXPECT_EQ(ready[0][2].toString().toStdString(), direct[0][0].text);
  EXPECT_GT(progress.count(), 1);  // one per decoder step
}

TEST(InferenceWorker, PrecisionSettingReloadsTheModelInThatMode) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  QSignalSpy states(client.worker(), &InferenceWorker::stateChanged);
  const auto pixels = [] {
    auto m = glimpse::blip::BlipModel::load(kTiny.toStdString());
    return m->preprocess(glimpse::imaging::decodeImageFile(kImage2).rgb);
  }();
  for (const char* mode : {"int8", "bf16", "fp32"}) {
    const auto precision = glimpse::blip::parse_precision(mode);
    ASSERT_TRUE(precision.has_value());
    if (!glimpse::blip::precision_problem(*precision).empty()) continue;
    client.setPrecision(QString::fromLatin1(mode));
    const int before = static_cast<int>(ready.count());
    client.caption(kImage2, QString(), greedy());
    ASSERT_TRUE(waitFor(ready, before + 1));
    glimpse::blip::LoadOptions o;
    o.precision = *precision;
    auto direct = glimpse::blip::BlipModel::load(kTiny.toStdString(), o);
    EXPECT_EQ(ready.last()[2].toString().toStdString(), direct->caption({pixels}, {}, greedy())[0][0].text) << mode;
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
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  QElapsedTimer t;
  t.start();
  // The first call also loads the model: still no waiting on the calling thread.
  client.caption(kImage, QString(), greedy(60));
  EXPECT_LT(t.elapsed(), 20);
  // The event loop keeps turning while the worker runs.
  int ticks = 0;
  QTimer timer;
  QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
  timer.start(5);
  ASSERT_TRUE(waitFor(ready));
  EXPECT_GT(ticks, 0);
}

TEST(InferenceWorker, StaleRequestsAreDropped) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  QSignalSpy cancelled(client.worker(), &InferenceWorker::cancelled);
  client.caption(kImage, QString(), greedy(60));
  client.caption(kImage2, QString(), greedy(60));
  const quint64 last = client.caption(kImage, QString(), greedy(30));
  ASSERT_TRUE(waitFor(ready));
  for (int i = 0; i < 20 && ready.count() < 3; ++i) ready.wait(50);
  // Only the newest request delivered a caption; the older ones were skipped or stopped.
  for (const auto& r : ready) EXPECT_EQ(r[0].toULongLong(), last);
  EXPECT_TRUE(client.isCurrent(Channel::Caption, last));
}

TEST(InferenceWorker, CancelStopsBetweenDecoderSteps) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy progress(client.worker(), &InferenceWorker::captionProgress);
  QSignalSpy cancelled(client.worker(), &InferenceWorker::cancelled);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  glimpse::blip::GenerationConfig longRun;
  longRun.max_length = 64;
  longRun.min_length = 64;  // never ends early
  longRun.num_beams = 4;
  const quint64 id = client.caption(kImage, QString(), longRun);
  ASSERT_TRUE(waitFor(progress));
  client.cancel(Channel::Caption);
  ASSERT_TRUE(waitFor(cancelled));
  EXPECT_EQ(cancelled[0][0].toULongLong(), id);
  EXPECT_LT(progress.count(), 63);
  EXPECT_EQ(ready.count(), 0);
}

TEST(InferenceWorker, FailuresArriveAsFailedSignals) {
  InferenceClient client;
  QSignalSpy failed(client.worker(), &InferenceWorker::failed);
  // No model chosen yet.
  const quint64 a = client.caption(kImage, QString(), greedy());
  ASSERT_TRUE(waitFor(failed));
  EXPECT_EQ(failed[0][0].toULongLong(), a);
  EXPECT_TRUE(failed[0][1].toString().contains(QStringLiteral("No model"))) << failed[0][1].toString().toStdString();
  client.setModelFolders(kTiny, kTiny, kTiny);
  const quint64 b = client.caption(kTiny + QStringLiteral("/config.json"), QString(), greedy());
  ASSERT_TRUE(waitFor(failed, 2));
  EXPECT_EQ(failed[1][0].toULongLong(), b);
  EXPECT_TRUE(failed[1][1].toString().contains(QStringLiteral("not an image"))) << failed[1][1].toString().toStdString();
  QTemporaryDir dir;
  client.setModelFolders(dir.path(), dir.path(), dir.path());
  const quint64 c = client.ask(kImage, QStringLiteral("what is it?"), greedy());
  ASSERT_TRUE(waitFor(failed, 3));
  EXPECT_EQ(failed[2][0].toULongLong(), c);
  EXPECT_TRUE(failed[2][1].toString().contains(QStringLiteral("config.json"))) << failed[2][1].toString().toStdString();
}

TEST(InferenceWorker, FollowUpQuestionsReuseTheImageAndMatchTheEngine) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  QSignalSpy answers(client.worker(), &InferenceWorker::answerReady);
  QSignalSpy states(client.worker(), &InferenceWorker::stateChanged);
  const auto cfg = glimpse::blip::blip_vqa_preset();
  client.ask(kImage, QStringLiteral("how many dogs are in the picture?"), cfg);
  ASSERT_TRUE(waitFor(answers));
  client.ask(kImage, QStringLiteral("is there a cat?"), cfg);
  ASSERT_TRUE(waitFor(answers, 2));
  int looked = 0;
  for (const auto& s : states)
    if (s[0].toString().startsWith(QStringLiteral("Looking at"))) ++looked;
  EXPECT_EQ(looked, 1);  // the vision model ran once for both questions
  auto model = glimpse::blip::BlipModel::load(kTiny.toStdString());
  const auto px = model->preprocess(glimpse::imaging::decodeImageFile(kImage).rgb);
  EXPECT_EQ(answers[0][3].toString().toStdString(), model->answer({px}, {"how many dogs are in the picture?"}, cfg)[0][0].text);
  EXPECT_EQ(answers[1][3].toString().toStdString(), model->answer({px}, {"is there a cat?"}, cfg)[0][0].text);
}

TEST(InferenceWorker, ModelsUnloadAfterIdleTime) {
  InferenceClient client;
  client.setModelFolders(kTiny, kTiny, kTiny);
  client.setIdleUnloadSeconds(1);
  QSignalSpy ready(client.worker(), &InferenceWorker::captionReady);
  QSignalSpy states(client.worker(), &InferenceWorker::stateChanged);
  client.caption(kImage, QString(), greedy());
  ASSERT_TRUE(waitFor(ready));
  bool unloaded = false;
  for (int i = 0; i < 40 && !unloaded; ++i) {
    states.wait(100);
    for (const auto& s : states) unloaded |= s[0].toString().contains(QStringLiteral("unloaded"));
  }
  EXPECT_TRUE(unloaded);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
