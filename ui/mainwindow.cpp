#include "mainwindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

#include "desktop.h"
#include "desktop/paths.h"
#include "imagelistmodel.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "io/files.h"
#include "librarypage.h"
#include "messagebar.h"
#include "modelsdialog.h"
#include "session.h"
#include "shortcutsdialog.h"

// The resources live in the static glimpse_ui library; Q_INIT_RESOURCE must run at global scope.
static void initGlimpseResources() {
  Q_INIT_RESOURCE(glimpse);
}

namespace glimpse::ui {
namespace {

// The local files of a drop or paste (file managers send text/uri-list; other URLs are skipped).
QStringList localFiles(const QMimeData* mime) {
  QStringList paths;
  if (mime && mime->hasUrls())
    for (const QUrl& u : mime->urls())
      if (u.isLocalFile()) paths << u.toLocalFile();
  return paths;
}

// Dropped files are only ever read: whatever the file manager proposes (a move with Shift), the
// drop is a copy, so the source never deletes its files.
bool acceptAsCopy(QDropEvent* event) {
  if (localFiles(event->mimeData()).isEmpty() || !(event->possibleActions() & Qt::CopyAction)) {
    event->ignore();
    return false;
  }
  event->setDropAction(Qt::CopyAction);
  event->accept();
  return true;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  initGlimpseResources();
  setWindowTitle(tr("Glimpse"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/glimpse.svg")));
  setAcceptDrops(true);
  m_settings = new SettingsStore(this);
  m_client = new inference::InferenceClient(this);
  m_images = new ImagesPage(m_client);
  m_library = new LibraryPage(m_client);
  m_library->setCaptionRequestSource([images = m_images] { return images->captionRequest(); });
  // Caption / Ask on a library result: the photo on the Images page, with its chat.
  connect(m_library, &LibraryPage::openInImages, this, [this](const QString& path, bool ask) {
    const int row = m_images->showPath(path);
    if (row < 0) return;
    showImages();
    if (ask) {
      m_images->showAskTab();
    } else {
      m_images->showCaptionTab();
      if (!m_images->model()->item(row).working) m_images->captionCurrent();
    }
  });
  m_stack = new QStackedWidget;
  m_stack->addWidget(m_images);
  m_stack->addWidget(m_library);
  // Messages that need the person stand above the pages until dismissed; all go to the log.
  m_messages = new MessageBar;
  auto* central = new QWidget;
  auto* centralLayout = new QVBoxLayout(central);
  centralLayout->setContentsMargins(0, 0, 0, 0);
  centralLayout->setSpacing(0);
  centralLayout->addWidget(m_messages);
  centralLayout->addWidget(m_stack, 1);
  setCentralWidget(central);
  connect(m_images, &ImagesPage::message, m_messages, &MessageBar::show);
  connect(m_library, &LibraryPage::message, m_messages, &MessageBar::show);
  connect(m_library, &LibraryPage::messageResolved, m_messages, &MessageBar::clear);
  // The engine's performance warning (measured at the first image) goes to the log.
  blip::set_engine_warning_sink(
      [](const std::string& warning) { applog::write(QStringLiteral("engine"), QString::fromStdString(warning)); });
  // The first image's measurement of this CPU's products is kept for the next start.
  blip::set_measurement_cache_file(QFile::encodeName(desktop::engineMeasurementFile()).toStdString());
  // The worker reports its state from now on; until its first report it is idle.
  m_workerState = new QLabel(tr("Ready"));
  m_workerState->setAccessibleName(tr("Worker state"));
  m_workerState->setTextFormat(Qt::PlainText);  // "Loading model NAME…"
  statusBar()->addPermanentWidget(m_workerState);
  // A faster numeric mode is never silent: its name stays in the status bar while it is on.
  m_precisionBadge = new QLabel;
  m_precisionBadge->setAccessibleName(tr("Precision"));
  m_precisionBadge->setVisible(false);
  statusBar()->addPermanentWidget(m_precisionBadge);
  connect(m_client, &inference::InferenceClient::stateChanged, m_workerState, &QLabel::setText);
  connect(m_client, &inference::InferenceClient::precisionSupportChanged, this,
          [this](const inference::PrecisionSupport& support) {
            m_precisionBadge->setToolTip(SettingsDialog::describePrecision(m_settings->current().precision, support));
          });
  // Failures no page shows, and what jobs have to say.
  // A long one (a loader's list of tensors) shows its first line there and the rest on demand.
  connect(m_client, &inference::InferenceClient::notice, this, [this](const QString& m) {
    applog::write(QStringLiteral("notice"), m);
    statusBar()->showMessage(firstLine(m), 10000);
    if (firstLine(m) != m.trimmed()) m_messages->show({QStringLiteral("notice"), firstLine(m), m, {}, {}});
  });
  connect(m_images, &ImagesPage::status, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
  connect(m_library, &LibraryPage::status, this, [this](const QString& m) { statusBar()->showMessage(m, 6000); });
  // A pasted image lives only in Glimpse's state folder: it goes when it leaves the list.
  connect(m_images->model(), &QAbstractItemModel::rowsAboutToBeRemoved, this,
          [this](const QModelIndex&, int first, int last) {
            for (int row = first; row <= last; ++row) desktop::removePastedImage(m_images->model()->item(row).path);
          });
  createActions();
  // The session is written a moment after a change, so a crash keeps what was done. Changes
  // that follow before the write ride along with it (not restarting the wait), so a long run of
  // them, such as caption all, is still written every kSessionSaveDelayMs.
  m_sessionSave = new QTimer(this);
  m_sessionSave->setSingleShot(true);
  m_sessionSave->setInterval(kSessionSaveDelayMs);
  connect(m_sessionSave, &QTimer::timeout, this, &MainWindow::saveSession);
  connect(m_images, &ImagesPage::sessionChanged, this, [this] {
    if (!m_sessionFile.isEmpty() && !m_sessionSave->isActive()) m_sessionSave->start();
  });

  QSettings s;
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1280, 800);
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
  connect(m_settings, &SettingsStore::changed, this, &MainWindow::settingsChanged);
  settingsChanged(m_settings->current());
  // The one library the app and glimpse-cli share, or the place chosen when that one could not be
  // opened (LibraryPage::chooseLibraryLocation).
  m_library->openLibrary(s.value(QStringLiteral("library/file"), defaultLibraryFile()).toString());
  // First run: no model for any task yet -> the models page (after the command line had its say).
  QTimer::singleShot(0, this, [this] {
    if (m_settings->current().noModels()) openModels();
  });
  // Indexing that was running when Glimpse closed continues, a paused one shows paused (after the
  // command line had its say).
  QTimer::singleShot(0, this,
                     [this] { m_library->restoreIndexing(!m_settings->current().model(Task::Search).isEmpty()); });
}

MainWindow::~MainWindow() {
  if (m_sessionSave->isActive()) saveSession();  // a change not written yet (closed without a close event)
}

void MainWindow::createActions() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* openAct =
      file->addAction(themeIcon(QStringLiteral("document-open")), tr("&Open images…"), this, &MainWindow::openImages);
  openAct->setShortcut(QKeySequence::Open);
  auto* folderAct =
      file->addAction(themeIcon(QStringLiteral("folder-open")), tr("Open &folder…"), this, &MainWindow::openFolder);
  folderAct->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
  auto* addFolderAct =
      file->addAction(themeIcon(QStringLiteral("folder-open")), tr("Add folder to &library…"), this, [this] {
        showLibrary();
        m_library->addFolder();
      });
  auto* pasteAct =
      file->addAction(themeIcon(QStringLiteral("edit-paste")), tr("&Paste image"), this, &MainWindow::paste);
  pasteAct->setShortcut(QKeySequence::Paste);
  file->addSeparator();
  auto* quitAct = file->addAction(themeIcon(QStringLiteral("application-exit")), tr("&Quit"), this, &QWidget::close);
  quitAct->setShortcut(QKeySequence::Quit);

  auto* caption = menuBar()->addMenu(tr("&Caption"));
  auto* captionAct = caption->addAction(themeIcon(QStringLiteral("insert-text")), tr("&Caption selected image"),
                                        m_images, &ImagesPage::captionCurrent);
  captionAct->setShortcut(QKeySequence(tr("Ctrl+Return")));
  auto* allAct = caption->addAction(tr("Caption &all images"), m_images, &ImagesPage::captionAll);
  allAct->setShortcut(QKeySequence(tr("Ctrl+Shift+Return")));
  auto* cancelAct = caption->addAction(tr("C&ancel"), m_images, &ImagesPage::cancel);
  cancelAct->setShortcut(QKeySequence(Qt::Key_Escape));
  auto* copyAct = caption->addAction(themeIcon(QStringLiteral("edit-copy")), tr("Co&py caption"), m_images,
                                     &ImagesPage::copyCaption);
  copyAct->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
  auto* askAct =
      caption->addAction(themeIcon(QStringLiteral("dialog-question")), tr("As&k about the image"), this, [this] {
        showImages();
        m_images->showAskTab();
      });
  askAct->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
  // A digiKam user's toolbar greys out what has nothing to act on, and what acts on the Images
  // page's photos while the Library page is shown.
  m_imagesOnly = {{captionAct, false}, {allAct, false}, {cancelAct, true}, {copyAct, false}, {askAct, false}};
  connect(m_images, &ImagesPage::actionsChanged, this, [this](bool photo, bool photos, bool text) {
    m_imagesOnly[0].second = photo;
    m_imagesOnly[1].second = photos;
    m_imagesOnly[3].second = text;
    m_imagesOnly[4].second = photo;
    pageChanged();
  });
  caption->addSeparator();
  auto* libraryCaptionAct =
      caption->addAction(themeIcon(QStringLiteral("insert-text")), tr("Caption library &photos"), this, [this] {
        showLibrary();
        m_library->startOrPauseCaptioning();
      });
  auto* writeAct =
      caption->addAction(themeIcon(QStringLiteral("document-save")), tr("&Write captions to files…"), this, [this] {
        showLibrary();
        m_library->writeCaptionsToFiles();
      });

  auto* view = menuBar()->addMenu(tr("&View"));
  auto* group = new QActionGroup(this);
  auto* imagesAct =
      view->addAction(themeIcon(QStringLiteral("image-x-generic")), tr("&Images"), this, &MainWindow::showImages);
  imagesAct->setShortcut(QKeySequence(tr("Ctrl+1")));
  auto* libraryAct =
      view->addAction(themeIcon(QStringLiteral("folder-pictures")), tr("&Library"), this, &MainWindow::showLibrary);
  libraryAct->setShortcut(QKeySequence(tr("Ctrl+2")));
  for (auto* a : {imagesAct, libraryAct}) {
    a->setCheckable(true);
    group->addAction(a);
  }
  imagesAct->setChecked(true);
  m_imagesAction = imagesAct;
  m_libraryAction = libraryAct;
  auto* findAct = view->addAction(tr("&Search library"), this, [this] {
    showLibrary();
    if (auto* q = m_library->findChild<QLineEdit*>()) q->setFocus();
  });
  findAct->setShortcut(QKeySequence::Find);
  view->addSeparator();
  auto* fullAct = view->addAction(themeIcon(QStringLiteral("view-fullscreen")), tr("&Full screen"));
  fullAct->setShortcut(QKeySequence(Qt::Key_F11));
  fullAct->setCheckable(true);  // checked while the preview is full screen, however it got there
  connect(fullAct, &QAction::triggered, this, [this](bool on) {
    if (!on) {
      m_images->closeFullScreen();
      return;
    }
    showImages();
    m_images->showFullScreen();
  });
  connect(m_images, &ImagesPage::fullScreenChanged, fullAct, &QAction::setChecked);
  m_imagesOnly.push_back({fullAct, true});

  auto* tools = menuBar()->addMenu(tr("&Tools"));
  auto* settingsAct = tools->addAction(themeIcon(QStringLiteral("preferences-system")), tr("&Settings…"), this,
                                       &MainWindow::openSettings);
  settingsAct->setShortcut(QKeySequence::Preferences);
  if (settingsAct->shortcut().isEmpty()) settingsAct->setShortcut(QKeySequence(tr("Ctrl+,")));
  auto* modelsAct = tools->addAction(themeIcon(QStringLiteral("system-software-install")), tr("&Models…"), this,
                                     &MainWindow::openModels);
  modelsAct->setShortcut(QKeySequence(tr("Ctrl+M")));

  auto* help = menuBar()->addMenu(tr("&Help"));
  auto* keysAct = help->addAction(QIcon::fromTheme(QStringLiteral("help-keyboard-shortcuts")),
                                  tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
  keysAct->setShortcuts({QKeySequence(Qt::Key_F1), QKeySequence(tr("Ctrl+/"))});
  help->addAction(tr("Show &log"), this, &MainWindow::showLog);
  help->addAction(tr("&About Glimpse"), this, [this] {
    QMessageBox::about(this, tr("About Glimpse"),
                       tr("<b>Glimpse</b><p>Captions, answers and search for your photos with Salesforce BLIP, "
                          "running on this computer. No server, no account.</p>"));
  });

  m_toolBar = addToolBar(tr("Main"));
  m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
  m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  m_imagesTools = {openAct, nullptr, captionAct, copyAct, askAct};
  m_toolBar->addAction(imagesAct);
  m_toolBar->addAction(libraryAct);
  m_libraryTools = {addFolderAct, nullptr, libraryCaptionAct, writeAct};
  m_commonTools = {modelsAct, settingsAct};
  for (int i = 0; i < 3; ++i) {
    m_separators << new QAction(this);
    m_separators.back()->setSeparator(true);
  }
  connect(m_stack, &QStackedWidget::currentChanged, this, &MainWindow::pageChanged);
  pageChanged();
  m_images->updateButtons();
}

void MainWindow::pageChanged() {
  const bool images = m_stack->currentWidget() == m_images;
  for (const auto& [action, can] : m_imagesOnly) action->setEnabled(images && can);
  if (!m_toolBar) return;
  const QList<QAction*>& page = images ? m_imagesTools : m_libraryTools;
  if (m_toolBar->property("page").toBool() == images && m_toolBar->actions().size() > 2) return;
  m_toolBar->setProperty("page", images);
  // The page's part is rebuilt, not hidden: a hidden action's keys would stop working, and the
  // menus keep them all. The pages themselves (the first two) stay where they are.
  const QList<QAction*> shown = m_toolBar->actions();
  for (qsizetype i = 2; i < shown.size(); ++i) m_toolBar->removeAction(shown[i]);
  m_toolBar->addAction(m_separators[0]);
  for (QAction* a : page) m_toolBar->addAction(a ? a : m_separators[1]);
  m_toolBar->addAction(m_separators[2]);
  for (QAction* a : m_commonTools) m_toolBar->addAction(a);
}

void MainWindow::settingsChanged(const AppSettings& s) {
  m_client->applySettings(s);
  // Unknown names run as fp32 in the worker, so they count as exact here too.
  const bool exact =
      blip::parse_precision(s.precision.toStdString()).value_or(blip::Precision::Float32) == blip::Precision::Float32;
  m_precisionBadge->setText(exact ? QString() : tr("Precision: %1").arg(s.precision));
  m_precisionBadge->setToolTip(SettingsDialog::describePrecision(s.precision, m_client->precisionSupport()));
  m_precisionBadge->setVisible(!exact);
  const QString noModels = tr("No models yet: download or import them in Tools → Models.");
  if (s.noModels())
    statusBar()->showMessage(noModels);
  else if (statusBar()->currentMessage() == noModels)
    statusBar()->clearMessage();
}

void MainWindow::showImages() {
  m_stack->setCurrentWidget(m_images);
  if (m_imagesAction) m_imagesAction->setChecked(true);
}

void MainWindow::showLibrary() {
  m_stack->setCurrentWidget(m_library);
  if (m_libraryAction) m_libraryAction->setChecked(true);
}

int MainWindow::addPaths(const QStringList& paths) {
  const int n = m_images->addPaths(paths);
  if (n > 0) {
    showImages();
    statusBar()->showMessage(tr("Added %n image(s)", nullptr, n), 4000);
  }
  return n;
}

void MainWindow::openImages() {
  const QStringList files = QFileDialog::getOpenFileNames(
      this, tr("Open images"), picturesFolder(), tr("Images (*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif)"));
  addPaths(files);
}

void MainWindow::openFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), picturesFolder());
  if (!dir.isEmpty()) addPaths({dir});
}

void MainWindow::paste() {
  const int before = m_images->model()->rowCount();
  if (addPaths(localFiles(QApplication::clipboard()->mimeData())) > 0) {
    m_images->selectRow(before);
    return;
  }
  const QImage img = QApplication::clipboard()->image();
  if (img.isNull()) {
    statusBar()->showMessage(tr("The clipboard holds no image"), 4000);
    return;
  }
  // Older pastes that are no longer on the list go beyond a limit.
  desktop::prunePastedImages(desktop::kPastedImagesKept - 1, m_images->model()->paths());
  const QString dir = desktop::pastedImagesDir();
  QDir().mkpath(dir);
  const QString path = dir + QStringLiteral("/pasted-%1.png")
                                 .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
  if (!img.save(path)) {
    statusBar()->showMessage(tr("Could not keep the pasted image in %1").arg(dir), 6000);
    return;
  }
  // The pasted image is the one to see now, even when others were already in the list.
  if (addPaths({path}) > 0) m_images->showPath(path);
}

void MainWindow::openSettings() {
  // What this computer runs comes from the worker (known once it has warmed the engine).
  SettingsDialog dialog(m_settings->current(), m_client->precisionSupport(), this);
  connect(m_client, &inference::InferenceClient::precisionSupportChanged, &dialog,
          &SettingsDialog::setPrecisionSupport);
  if (dialog.exec() == QDialog::Accepted) m_settings->apply(dialog.settings());
}

void MainWindow::openModels() {
  auto* dialog = findChild<ModelsDialog*>();
  if (!dialog) {
    dialog = new ModelsDialog(m_settings, this);
    connect(dialog, &QDialog::finished, dialog, &QObject::deleteLater);
  }
  dialog->open();  // not modal for the app's event loop: downloads run while the window works
  dialog->raise();
}

void MainWindow::showShortcuts() {
  auto* dialog = findChild<ShortcutsDialog*>();
  if (!dialog) {
    dialog = new ShortcutsDialog(this);  // read from the actions as they are now
    dialog->setAttribute(Qt::WA_DeleteOnClose);
  }
  dialog->show();  // not modal: the keys can be tried while it is open
  dialog->raise();
  dialog->activateWindow();
}

void MainWindow::showLog() {
  const QString file = applog::path();
  if (!QFileInfo::exists(file)) applog::write(QStringLiteral("info"), tr("Log started"));
  if (!QDesktopServices::openUrl(QUrl::fromLocalFile(file)))
    m_messages->show({QStringLiteral("log"), tr("No program could open the log; it is %1").arg(file), {}, {}, {}});
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  acceptAsCopy(event);
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
  acceptAsCopy(event);
}

void MainWindow::dropEvent(QDropEvent* event) {
  if (acceptAsCopy(event)) addPaths(localFiles(event->mimeData()));
}

void MainWindow::restoreSession(const QString& file) {
  m_sessionFile = file;
  if (!io::pathExists(file)) return;  // the first start
  Session session;
  try {
    session = sessionFromJson(io::readRegularFile(file, qint64{64} << 20));
  } catch (const std::exception& e) {
    // Kept for the person to look at; the next close writes a fresh session.
    const QString aside = file + QStringLiteral(".bad");
    QFile::remove(aside);
    QFile::rename(file, aside);
    qWarning("glimpse: ignoring the session file %s (%s); kept as %s", qUtf8Printable(file), e.what(),
             qUtf8Printable(aside));
    return;
  }
  const QStringList gone = m_images->restore(session);
  // What was read is what the file says, unless photos were dropped.
  if (gone.isEmpty()) m_sessionSave->stop();
  if (!gone.isEmpty()) {
    QStringList names;
    for (const QString& g : gone) names << QFileInfo(g).fileName();
    statusBar()->showMessage(tr("%n photo(s) of the last session are gone: %1", nullptr, static_cast<int>(gone.size()))
                                 .arg(names.join(QStringLiteral(", "))),
                             15000);
  }
}

void MainWindow::saveSession() {
  m_sessionSave->stop();
  if (m_sessionFile.isEmpty()) return;
  try {
    QDir().mkpath(QFileInfo(m_sessionFile).absolutePath());
    io::writeFile(m_sessionFile, sessionToJson(m_images->session()));
    m_sessionSaveFailed = false;
  } catch (const std::exception& e) {
    if (!m_sessionSaveFailed) qWarning("glimpse: cannot save the session: %s", e.what());
    m_sessionSaveFailed = true;
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  saveSession();
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
  QMainWindow::closeEvent(event);
}

}  // namespace glimpse::ui
