#pragma once
// The images page: a filmstrip of dropped/opened images, a preview, and a side panel with the
// caption (presets, advanced options, copy, caption all, cancel) and a question/answer chat.
#include <QHash>
#include <QPointer>
#include <QWidget>

#include "blip.h"
#include "imagelistmodel.h"
#include "inference/types.h"
#include "messagebar.h"
#include "photoview.h"
#include "session.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTextBrowser;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class ImagesPage : public QWidget {
  Q_OBJECT
 public:
  ImagesPage(inference::InferenceClient* client, QWidget* parent = nullptr);

  int addPaths(const QStringList& paths);
  ImageListModel* model() const { return m_model; }
  QLabel* checkLabel() const { return m_check; }
  QString currentPath() const;
  QLabel* captionStateLabel() const { return m_captionState; }
  // Shown under a caption made for an earlier version of the photo: captions it again.
  QPushButton* recaptionButton() const { return m_recaptionButton; }
  QPlainTextEdit* captionView() const { return m_caption; }
  void selectRow(int row);
  blip::GenerationConfig generationConfig() const;
  QString prompt() const;
  inference::CaptionRequest captionRequest() const;
  // Selects the image with this path (added first when it is not in the list yet); its row or -1.
  int showPath(const QString& path);
  PhotoView* preview() const { return m_preview; }
  QListView* filmstrip() const { return m_strip; }
  QStringList selectedPaths() const;
  // The page as the session file keeps it, and back: restore() adds the images that still exist
  // (with caption, its settings, self-check and chat) and returns the paths that are gone. A
  // question still waiting for its answer is not part of the session yet.
  Session session() const;
  QStringList restore(const Session& session);

 public Q_SLOTS:
  void captionCurrent();
  void captionAll();
  void cancel();
  void copyCaption();
  void askQuestion();
  // The Ask tab, with the cursor in the question field.
  void showAskTab();
  void showCaptionTab();
  // The preview of the selected image, full screen (Esc, F11 or a double click leave it); one at a
  // time. closeFullScreen() leaves it.
  void showFullScreen();
  void closeFullScreen();
  // The filmstrip's context menu actions, on the selected images.
  void removeSelected();
  void copySelectedPaths();
  void showSelectedInFolder();
  // Enables the buttons for what can be done now and emits actionsChanged.
  void updateButtons();

 Q_SIGNALS:
  void status(const QString& message);
  // Something session() returns has changed: images added or removed, a caption done, a chat
  // answer, the selection.
  void sessionChanged();
  // What the caption and ask actions can do now: a photo is selected, there are photos to caption
  // (and no batch runs), a caption is shown to copy.
  void actionsChanged(bool photo, bool photos, bool caption);
  // Something the person should act on or know about (the main window's message bar).
  void message(const glimpse::ui::Message& message);
  // The full-screen preview opened (true) or closed (false): the View menu's check follows it.
  void fullScreenChanged(bool on);

 private:
  void applyPreset(int index);
  void showCurrent();
  void loadPreview(const QString& path);
  void renderChat();
  bool mine(quint64 id) const;
  void endWork();
  void showCaptionOf(int row);
  void restore(int row);  // a caption that ended without a result: the previous one stands

  inference::InferenceClient* m_client;
  ImageListModel* m_model;
  QListView* m_strip;
  PhotoView* m_preview;
  QPointer<PhotoView> m_fullScreen;
  QLabel* m_zoomLabel;
  QTabWidget* m_tabs;
  quint64 m_previewRequest = 0;
  QComboBox* m_preset;
  QGroupBox* m_advanced;
  QLineEdit* m_prompt;
  QCheckBox* m_keepPrompt;
  QCheckBox* m_fixDegenerate;
  QSpinBox* m_beams;
  QSpinBox* m_minLength;
  QSpinBox* m_maxLength;
  QDoubleSpinBox* m_repetition;
  QCheckBox* m_sample;
  QDoubleSpinBox* m_topP;
  QDoubleSpinBox* m_temperature;
  QPlainTextEdit* m_caption;
  QLabel* m_captionState;  // none / captioning / failed with the reason, for the selected photo
  QLabel* m_check;         // the caption's self-check score
  QPushButton* m_recaptionButton;
  QPalette m_captionPalette;  // the caption's own colours (a stale caption is greyed)
  bool m_showing = false;     // showCurrent() runs: it loads the preview itself
  QPushButton* m_captionButton;
  QPushButton* m_captionAllButton;
  QPushButton* m_cancelButton;
  QPushButton* m_copyButton;
  QTextBrowser* m_chat;
  QLineEdit* m_question;
  QPushButton* m_askButton;
  QAction* m_removeAction;  // Delete on the filmstrip, and its context menu
  quint64 m_captionId = 0;  // the single caption running, 0 when none
  QString m_captionPath;
  quint64 m_captionAllJob = 0;  // the batch job running, 0 when none
  int m_captionAllTotal = 0;
  QStringList m_captionAllFailures;  // "name: reason" of the batch running
  quint64 m_askId = 0;
  bool m_asking = false;  // a question waits for its answer
  // The running question's English text and English answer (translated()), and the answer shown.
  QPair<QString, QString> m_askEnglish;
  QString m_askShown;
  QHash<quint64, QString> m_requestParameters;  // caption request or job -> its settings as JSON
  QString m_askPath;
};

}  // namespace glimpse::ui
