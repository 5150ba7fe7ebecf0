// glimpse: the desktop application.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLoggingCategory>
#include <QScreen>
#include <QTimer>
#include <QWindow>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "blip.h"
#include "desktop/paths.h"
#include "desktop/singleinstance.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "mainwindow.h"
#include "models/modelstore.h"
#include "session.h"
#include "translations.h"

Q_LOGGING_CATEGORY(lcInstance, "glimpse.instance", QtWarningMsg)

namespace {

// The first time the window is on screen: warm the engine in the background (libtorch loads on the
// worker thread while the user picks photos). With GLIMPSE_REPORT_WINDOW set, print one line for
// bench/bench_start.py, which times the launch until it; GLIMPSE_REPORT_WINDOW=quit then quits
// instead of warming the engine (the start-up benchmark and tests/packaging/check-no-torch.sh).
class FirstExpose : public QObject {
 public:
  explicit FirstExpose(glimpse::ui::MainWindow* window) : QObject(window), m_window(window) {}

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (!m_done && event->type() == QEvent::Expose && m_window->windowHandle() &&
        m_window->windowHandle()->isExposed()) {
      m_done = true;
      if (const char* report = std::getenv("GLIMPSE_REPORT_WINDOW"); report && *report) {
        std::fprintf(stderr, "glimpse: window exposed\n");
        std::fflush(stderr);
        if (std::string(report) == "quit") {
          QTimer::singleShot(0, qApp, [] { QApplication::quit(); });
          return QObject::eventFilter(watched, event);
        }
      }
      m_window->client()->warmEngine();
    }
    return QObject::eventFilter(watched, event);
  }

 private:
  glimpse::ui::MainWindow* m_window;
  bool m_done = false;
};

}  // namespace

int main(int argc, char** argv) {
  // Before any thread starts and before the engine loads libgomp (blip.h).
  glimpse::blip::set_openmp_defaults();
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("Glimpse"));
  QApplication::setOrganizationName(QStringLiteral("Glimpse"));
  QApplication::setApplicationVersion(QStringLiteral(GLIMPSE_VERSION));
  QApplication::setDesktopFileName(QStringLiteral("io.github.glimpse.Glimpse"));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/glimpse.svg")));

  // Translations from the system locale (translations.h: the widget tests install the same).
  const glimpse::ui::Translations translations;

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QApplication::translate("main", "Captions, answers and search for your photos with BLIP."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption captionModel(QStringLiteral("caption-model"),
                                  QApplication::translate("main", "Model folder for captions."), QStringLiteral("DIR"));
  QCommandLineOption askModel(QStringLiteral("ask-model"),
                              QApplication::translate("main", "Model folder for questions."), QStringLiteral("DIR"));
  QCommandLineOption searchModel(QStringLiteral("search-model"),
                                 QApplication::translate("main", "Model folder for library search."),
                                 QStringLiteral("DIR"));
  QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QApplication::translate("main", "Caption the first image, save a screenshot of the window to FILE and quit."),
      QStringLiteral("FILE"));
  parser.addOptions({captionModel, askModel, searchModel, screenshot});
  parser.addPositionalArgument(QStringLiteral("images"), QApplication::translate("main", "Images or folders to open."),
                               QStringLiteral("[IMAGE...]"));
  parser.process(app);

  // One window per user and library: a later launch hands its files to it and ends (a scripted
  // --screenshot run always has its own window).
  glimpse::desktop::SingleInstance instance;
  if (!parser.isSet(screenshot)) {
    const auto role = instance.start(parser.positionalArguments());
    if (role == glimpse::desktop::SingleInstance::Role::Forwarded) {
      qCInfo(lcInstance) << "handed" << parser.positionalArguments().size() << "file(s) to the running window";
      return 0;
    }
    if (role == glimpse::desktop::SingleInstance::Role::Alone)
      qCWarning(lcInstance) << "another Glimpse window does not answer; this one runs on its own";
  }
  for (const QString& problem : glimpse::desktop::migrateDoubledFolders()) qWarning("%s", qPrintable(problem));
  glimpse::models::markModelsDir();

  glimpse::ui::MainWindow window;
  QObject::connect(&instance, &glimpse::desktop::SingleInstance::filesReceived, &window,
                   [&window](const QStringList& files) {
                     const int added = window.addPaths(files);
                     qCInfo(lcInstance) << "another launch opened" << files.size() << "file(s)," << added << "added";
                     if (window.isMinimized()) window.showNormal();
                     window.raise();
                     window.activateWindow();
                   });
  // Model folders from the command line are for this session: never saved.
  for (auto [opt, task] : {std::pair{&captionModel, glimpse::Task::Caption}, std::pair{&askModel, glimpse::Task::Ask},
                           std::pair{&searchModel, glimpse::Task::Search}})
    if (parser.isSet(*opt)) window.settingsStore()->overrideModel(task, QDir(parser.value(*opt)).absolutePath());
  // The Images page as it was left (not for a screenshot, which shows the command line's image).
  if (!parser.isSet(screenshot)) window.restoreSession(glimpse::ui::sessionFile());
  window.winId();  // creates the native window, whose Expose events FirstExpose watches
  window.windowHandle()->installEventFilter(new FirstExpose(&window));
  window.show();
  window.addPaths(parser.positionalArguments());

  if (parser.isSet(screenshot)) {
    const QString file = parser.value(screenshot);
    auto* client = window.client();
    auto shoot = [&window, file] {
      QTimer::singleShot(400, &window, [&window, file] {
        window.grab().save(file);
        QApplication::quit();
      });
    };
    QObject::connect(client, &glimpse::inference::InferenceClient::captionReady, &window, shoot);
    QObject::connect(client, &glimpse::inference::InferenceClient::captionFailed, &window, shoot);
    QTimer::singleShot(120000, &app, [] { QApplication::exit(3); });  // never hang
  }
  return QApplication::exec();
}
