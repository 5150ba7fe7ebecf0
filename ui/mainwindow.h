#pragma once
// Glimpse's main window: the Images page (captions and questions) and the Library page, a
// toolbar and menus with shortcuts for every main action, drag and drop, paste, and a status bar
// showing what the inference worker is doing.
#include <QMainWindow>

#include "settingsdialog.h"

class QAction;
class QLabel;
class QStackedWidget;
class QTimer;
class QToolBar;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class ImagesPage;
class LibraryPage;
class MessageBar;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  ImagesPage* imagesPage() const { return m_images; }
  LibraryPage* libraryPage() const { return m_library; }
  MessageBar* messageBar() const { return m_messages; }
  inference::InferenceClient* client() const { return m_client; }
  // The one owner of the settings; dialogs and the command line go through it.
  SettingsStore* settingsStore() const { return m_settings; }
  void showImages();
  void showLibrary();
  int addPaths(const QStringList& paths);
  // The remembered session (session.h): restores the Images page from `file` and from then on
  // saves it there kSessionSaveDelayMs after a change (one write for the changes meanwhile, so a
  // crash loses at most that long) and when the window closes. A file that cannot be read as a
  // session is set aside as FILE.bad with a log line; photos that are gone are dropped with a
  // note in the status bar.
  void restoreSession(const QString& file);
  void saveSession();

 public Q_SLOTS:
  void openImages();
  void openFolder();
  void paste();
  void openSettings();
  void openModels();
  // Help → Show log: the application log in the desktop's text viewer.
  void showLog();
  // Help → Keyboard shortcuts: every action's keys, read from the actions themselves.
  void showShortcuts();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  // The toolbar holds the actions of the page shown; actions on the other page's photos are
  // disabled in the menus (and their keys with them).
  void pageChanged();
  void settingsChanged(const AppSettings& settings);
  inference::InferenceClient* m_client;
  QStackedWidget* m_stack;
  ImagesPage* m_images;
  LibraryPage* m_library;
  MessageBar* m_messages;
  QLabel* m_workerState;
  QLabel* m_precisionBadge;
  QAction* m_imagesAction = nullptr;
  QAction* m_libraryAction = nullptr;
  QToolBar* m_toolBar = nullptr;
  QList<QAction*> m_imagesTools;   // the toolbar on the Images page (nullptr: a separator)
  QList<QAction*> m_libraryTools;  // on the Library page
  QList<QAction*> m_commonTools;   // on both, after the page's own
  QList<QAction*> m_separators;    // the toolbar's, made once
  // Actions on the Images page's photos and whether that page has something for each to act on
  // (ImagesPage::actionsChanged): enabled only while that page is shown.
  QList<QPair<QAction*, bool>> m_imagesOnly;
  SettingsStore* m_settings;
  QString m_sessionFile;             // empty: this window keeps no session (tests, --screenshot)
  QTimer* m_sessionSave;             // single shot: the session changed and is not written yet
  bool m_sessionSaveFailed = false;  // said once in the log until a write succeeds again
};

}  // namespace glimpse::ui
