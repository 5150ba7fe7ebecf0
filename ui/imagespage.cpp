#include "imagespage.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include "desktop.h"
#include "inference/inferenceclient.h"
#include "library/librarycaptioner.h"
#include "thumbnaildelegate.h"

namespace glimpse::ui {
namespace {

// The first line of why `path` could not be captioned, without the path the worker puts in front
// (the page names the photo already; the log keeps the whole message).
QString reasonFor(const QString& path, const QString& message) {
  const QString line = firstLine(message);
  const QString prefix = path + QStringLiteral(": ");
  return line.startsWith(prefix) ? line.mid(prefix.size()) : line;
}

}  // namespace

ImagesPage::ImagesPage(inference::InferenceClient* client, QWidget* parent) : QWidget(parent), m_client(client) {
  m_model = new ImageListModel(this);
  m_strip = new QListView;
  m_strip->setModel(m_model);
  m_strip->setViewMode(QListView::IconMode);
  // Fixed cells: the picture fitted into 160x120 whatever its shape, the name on one line below.
  auto* cells = new ThumbnailDelegate(QSize(160, 120), 1, m_strip);
  m_strip->setItemDelegate(cells);
  m_strip->setIconSize(QSize(160, 120));
  m_strip->setGridSize(cells->gridSize(m_strip->font()));
  m_strip->setResizeMode(QListView::Adjust);
  m_strip->setMovement(QListView::Static);
  m_strip->setUniformItemSizes(true);
  m_strip->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_strip->setAccessibleName(tr("Images"));
  m_strip->setMinimumWidth(200);
  m_strip->setContextMenuPolicy(Qt::CustomContextMenu);

  m_preview = new PhotoView;
  m_preview->setMessage(tr("Drop photos or folders here,\nor open them with Ctrl+O, or paste an image with Ctrl+V."));
  m_preview->setMinimumSize(320, 240);
  // Fit, 100%, zoom and full screen, below the preview.
  m_zoomLabel = new QLabel;
  m_zoomLabel->setAccessibleName(tr("Zoom"));
  m_zoomLabel->setMinimumWidth(48);
  auto* zoomRow = new QHBoxLayout;
  zoomRow->setContentsMargins(0, 0, 0, 0);
  const auto zoomButton = [&](const char* icon, const QString& tip, auto slot) {
    auto* b = new QToolButton;
    b->setIcon(themeIcon(QString::fromLatin1(icon)));
    b->setToolTip(tip);
    b->setAccessibleName(tip);
    b->setAutoRaise(true);
    connect(b, &QToolButton::clicked, this, slot);
    zoomRow->addWidget(b);
    return b;
  };
  zoomButton("zoom-fit-best", tr("Fit to window (0)"), [this] { m_preview->fitToWindow(); });
  zoomButton("zoom-original", tr("Actual size, 100% (1)"), [this] { m_preview->actualSize(); });
  zoomButton("zoom-out", tr("Zoom out (-, Ctrl+wheel)"), [this] { m_preview->zoomOut(); });
  zoomButton("zoom-in", tr("Zoom in (+, Ctrl+wheel)"), [this] { m_preview->zoomIn(); });
  zoomRow->addWidget(m_zoomLabel);
  zoomRow->addStretch();
  zoomButton("view-fullscreen", tr("Full screen (F11, double click)"), [this] { showFullScreen(); });
  auto* previewPane = new QWidget;
  auto* pl = new QVBoxLayout(previewPane);
  pl->setContentsMargins(0, 0, 0, 0);
  pl->addWidget(m_preview, 1);
  pl->addLayout(zoomRow);
  connect(m_preview, &PhotoView::zoomChanged, this, [this](double zoom, bool fitted) {
    const QString percent = QStringLiteral("%1%").arg(qRound(zoom * 100));
    m_zoomLabel->setText(fitted ? tr("Fit (%1)").arg(percent) : percent);
  });
  connect(m_preview, &PhotoView::fullScreenRequested, this, &ImagesPage::showFullScreen);

  // Caption panel
  m_preset = new QComboBox;
  m_preset->addItems({tr("BLIP (\"a picture of\", beam 3)"), tr("Hugging Face default (greedy)"),
                      tr("More varied (sampling)"), tr("Longer and more detailed")});
  m_preset->setAccessibleName(tr("Caption preset"));
  m_advanced = new QGroupBox(tr("Advanced options"));
  m_advanced->setCheckable(true);
  m_advanced->setChecked(false);
  m_prompt = new QLineEdit;
  m_prompt->setPlaceholderText(tr("optional start of the caption"));
  m_prompt->setAccessibleName(tr("Prompt"));
  m_keepPrompt = new QCheckBox(tr("Keep prompt in caption"));
  m_beams = new QSpinBox;
  m_beams->setRange(1, 10);
  m_minLength = new QSpinBox;
  m_minLength->setRange(0, 200);
  m_maxLength = new QSpinBox;
  m_maxLength->setRange(2, 200);
  m_repetition = new QDoubleSpinBox;
  m_repetition->setRange(1.0, 3.0);
  m_repetition->setSingleStep(0.1);
  m_sample = new QCheckBox(tr("Sample (more varied)"));
  m_topP = new QDoubleSpinBox;
  m_topP->setRange(0.05, 1.0);
  m_topP->setSingleStep(0.05);
  m_temperature = new QDoubleSpinBox;
  m_temperature->setRange(0.1, 3.0);
  m_temperature->setSingleStep(0.1);
  auto* form = new QFormLayout(m_advanced);
  form->addRow(tr("Prompt:"), m_prompt);
  form->addRow(m_keepPrompt);
  form->addRow(tr("Beams:"), m_beams);
  form->addRow(tr("Minimum length:"), m_minLength);
  form->addRow(tr("Maximum length:"), m_maxLength);
  form->addRow(tr("Repetition penalty:"), m_repetition);
  form->addRow(m_sample);
  form->addRow(tr("Top-p:"), m_topP);
  form->addRow(tr("Temperature:"), m_temperature);
  for (QWidget* w :
       {static_cast<QWidget*>(m_beams), static_cast<QWidget*>(m_minLength), static_cast<QWidget*>(m_maxLength),
        static_cast<QWidget*>(m_repetition), static_cast<QWidget*>(m_topP), static_cast<QWidget*>(m_temperature)})
    w->setAccessibleName(form->labelForField(w) ? static_cast<QLabel*>(form->labelForField(w))->text() : QString());

  m_caption = new QPlainTextEdit;
  m_caption->setReadOnly(true);
  m_caption->setPlaceholderText(tr("The caption appears here."));
  m_caption->setAccessibleName(tr("Caption"));
  QFont big = m_caption->font();
  big.setPointSizeF(big.pointSizeF() * 1.25);
  m_caption->setFont(big);
  m_caption->setMaximumHeight(120);
  m_captionPalette = m_caption->palette();
  m_captionState = new QLabel;
  m_captionState->setTextFormat(Qt::PlainText);  // errors name files
  m_captionState->setWordWrap(true);
  m_captionState->setAccessibleName(tr("Caption state"));
  // A caption of an earlier version of the file: made again in one click.
  m_recaptionButton = new QPushButton(QIcon::fromTheme(QStringLiteral("view-refresh")), tr("Caption again"));
  m_recaptionButton->setToolTip(tr("Caption the photo as it is now on disk"));
  m_recaptionButton->setVisible(false);
  m_captionButton = new QPushButton(tr("&Caption"));
  m_captionButton->setToolTip(tr("Caption the selected image (Ctrl+Return)"));
  m_captionAllButton = new QPushButton(tr("Caption &all"));
  m_captionAllButton->setToolTip(tr("Caption every image (Ctrl+Shift+Return)"));
  m_cancelButton = new QPushButton(tr("Cancel"));
  m_cancelButton->setToolTip(tr("Stop captioning (Esc)"));
  m_cancelButton->setEnabled(false);
  m_copyButton = new QPushButton(tr("C&opy"));
  m_copyButton->setToolTip(tr("Copy the caption (Ctrl+Shift+C)"));
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_captionButton);
  buttons->addWidget(m_captionAllButton);
  buttons->addWidget(m_cancelButton);
  buttons->addStretch();
  buttons->addWidget(m_copyButton);

  auto* captionTab = new QWidget;
  auto* cl = new QVBoxLayout(captionTab);
  auto* presetRow = new QHBoxLayout;
  presetRow->addWidget(new QLabel(tr("Style:")));
  presetRow->addWidget(m_preset, 1);
  cl->addLayout(presetRow);
  cl->addWidget(m_caption);
  m_check = new QLabel;
  m_check->setAccessibleName(tr("Caption check"));
  m_check->setVisible(false);
  cl->addWidget(m_check);
  auto* stateRow = new QHBoxLayout;
  stateRow->addWidget(m_captionState, 1);
  stateRow->addWidget(m_recaptionButton, 0, Qt::AlignTop);
  cl->addLayout(stateRow);
  m_fixDegenerate = new QCheckBox(tr("Check captions and make degenerate ones again"));
  m_fixDegenerate->setChecked(false);  // off: a caption is what the same settings give in the CLI
  m_fixDegenerate->setToolTip(
      tr("With a search model set: a caption that repeats itself, is empty or does not match the photo is made "
         "again with other settings, and the best match is kept"));
  cl->addWidget(m_fixDegenerate);
  cl->addLayout(buttons);
  cl->addWidget(m_advanced);
  cl->addStretch();

  // Ask panel
  m_chat = new QTextBrowser;
  m_chat->setAccessibleName(tr("Questions and answers"));
  m_chat->setPlaceholderText(tr("Ask anything about the selected photo: \"how many people are there?\""));
  m_question = new QLineEdit;
  m_question->setAccessibleName(tr("Question"));
  m_askButton = new QPushButton(tr("As&k"));
  m_askButton->setToolTip(tr("Ask about the selected photo (Return)"));
  auto* askRow = new QHBoxLayout;
  askRow->addWidget(m_question, 1);
  askRow->addWidget(m_askButton);
  auto* askTab = new QWidget;
  auto* al = new QVBoxLayout(askTab);
  al->addWidget(m_chat, 1);
  al->addLayout(askRow);

  auto* tabs = new QTabWidget;
  m_tabs = tabs;
  tabs->addTab(captionTab, tr("Caption"));
  tabs->addTab(askTab, tr("Ask"));
  tabs->setMinimumWidth(430);

  auto* split = new QSplitter;
  split->addWidget(m_strip);
  split->addWidget(previewPane);
  split->addWidget(tabs);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  split->setStretchFactor(2, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_preset, &QComboBox::currentIndexChanged, this, &ImagesPage::applyPreset);
  applyPreset(0);
  connect(m_captionButton, &QPushButton::clicked, this, &ImagesPage::captionCurrent);
  connect(m_recaptionButton, &QPushButton::clicked, this, &ImagesPage::captionCurrent);
  connect(m_captionAllButton, &QPushButton::clicked, this, &ImagesPage::captionAll);
  connect(m_cancelButton, &QPushButton::clicked, this, &ImagesPage::cancel);
  connect(m_copyButton, &QPushButton::clicked, this, &ImagesPage::copyCaption);
  connect(m_askButton, &QPushButton::clicked, this, &ImagesPage::askQuestion);
  connect(m_question, &QLineEdit::returnPressed, this, &ImagesPage::askQuestion);
  connect(m_strip->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
    showCurrent();
    Q_EMIT sessionChanged();
  });
  connect(m_model, &QAbstractItemModel::rowsInserted, this, &ImagesPage::sessionChanged);
  connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ImagesPage::sessionChanged);
  connect(m_model, &QAbstractItemModel::rowsInserted, this, &ImagesPage::updateButtons);
  connect(m_model, &QAbstractItemModel::rowsRemoved, this, &ImagesPage::updateButtons);
  connect(m_model, &QAbstractItemModel::modelReset, this, &ImagesPage::updateButtons);
  connect(m_caption, &QPlainTextEdit::textChanged, this, &ImagesPage::updateButtons);
  updateButtons();
  // A photo changed on disk, deleted or put back: its thumbnail is made again (the list does
  // that), the preview too, and its caption is marked as made for an earlier version.
  connect(m_model, &ImageListModel::filesChanged, this, [this](const QStringList& paths) {
    const QString current = currentPath();
    if (!m_showing && paths.contains(current)) {
      loadPreview(current);
      showCaptionOf(m_model->indexOf(current));
    }
    updateButtons();
    QStringList changed, gone;
    for (const QString& path : paths) {
      const int row = m_model->indexOf(path);
      if (row >= 0) (m_model->item(row).missing ? gone : changed) << QFileInfo(path).fileName();
    }
    QStringList text;
    if (!changed.isEmpty())
      text << tr("%n photo(s) changed on disk: %1", nullptr, static_cast<int>(changed.size()))
                  .arg(QLocale().createSeparatedList(changed));
    if (!gone.isEmpty())
      text << tr("%n photo(s) no longer on disk: %1", nullptr, static_cast<int>(gone.size()))
                  .arg(QLocale().createSeparatedList(gone));
    Q_EMIT status(text.join(QStringLiteral("; ")));
  });
  // Back in the window after working elsewhere (an editor may have changed the photos): look.
  connect(qApp, &QGuiApplication::applicationStateChanged, this, [this](Qt::ApplicationState state) {
    if (state == Qt::ApplicationActive) m_model->checkFiles();
  });
  // Delete removes the selected photos from the list (never from the disk), as in digiKam's and
  // Lightroom's grids; the context menu shows the key.
  m_removeAction = new QAction(themeIcon(QStringLiteral("list-remove")), tr("&Remove from list"), m_strip);
  m_removeAction->setShortcut(QKeySequence::Delete);
  m_removeAction->setShortcutContext(Qt::WidgetShortcut);
  connect(m_removeAction, &QAction::triggered, this, &ImagesPage::removeSelected);
  m_strip->addAction(m_removeAction);
  connect(m_strip, &QListView::customContextMenuRequested, this, [this](const QPoint& at) {
    const QModelIndex hit = m_strip->indexAt(at);
    if (!hit.isValid()) return;
    if (!m_strip->selectionModel()->isSelected(hit)) m_strip->setCurrentIndex(hit);
    const int n = static_cast<int>(selectedPaths().size());
    QMenu menu(this);
    menu.addAction(m_removeAction);
    menu.addAction(themeIcon(QStringLiteral("edit-copy")), n > 1 ? tr("&Copy paths") : tr("&Copy path"), this,
                   &ImagesPage::copySelectedPaths);
    menu.addAction(themeIcon(QStringLiteral("folder-open")), tr("Show in &folder"), this,
                   &ImagesPage::showSelectedInFolder);
    menu.exec(m_strip->viewport()->mapToGlobal(at));
  });

  auto* c = client;
  // Photos moved to the trash (Similar photos) keep no thumbnail in memory.
  connect(c, &inference::InferenceClient::photosTrashed, this,
          [this](quint64, const library::TrashReport& report) { m_model->forgetThumbnails(report.moved); });
  connect(c, &inference::InferenceClient::captionProgress, this,
          [this](quint64 id, const QString& path, const QString& text) {
            const int row = m_model->indexOf(path);
            if (row < 0 || !mine(id)) return;
            m_model->item(row).partial = text;
            if (path == currentPath()) m_caption->setPlainText(text + QStringLiteral(" …"));
          });
  connect(c, &inference::InferenceClient::captionReady, this, [this](quint64 id, const inference::CaptionResult& r) {
    const int row = m_model->indexOf(r.path);
    if (row < 0 || !mine(id)) return;
    auto& it = m_model->item(row);
    it.caption = r.translation.isEmpty() ? r.text : r.translation;
    it.captionEnglish = r.translation.isEmpty() ? QString() : r.text;
    it.captionParameters = m_requestParameters.value(id);
    it.itm = r.checked ? r.itm : -1.0;
    it.itc = r.itc;
    it.regenerated = r.regenerated;
    // Made of the file as it was when the caption was asked for.
    it.captionFile = it.requested.known() ? it.requested : FileStamp::of(r.path);
    it.requested = {};
    it.partial.clear();
    it.error.clear();
    it.working = false;
    m_model->touch(row);
    if (r.path == currentPath()) showCaptionOf(row);
    Q_EMIT sessionChanged();
    if (id == m_captionId) {
      m_captionId = 0;
      updateButtons();
      Q_EMIT status(
          tr("Captioned %1 in %2 s").arg(QFileInfo(r.path).fileName()).arg(QLocale().toString(r.seconds, 'f', 1)));
    }
  });
  connect(c, &inference::InferenceClient::captionFailed, this,
          [this](quint64 id, const QString& path, const QString& message) {
            const int row = m_model->indexOf(path);
            if (row < 0 || !mine(id)) return;
            // The photo keeps its previous caption and shows why this one failed; others are untouched.
            applog::write(QStringLiteral("error"), QStringLiteral("%1: %2").arg(path, message));
            auto& it = m_model->item(row);
            it.partial.clear();
            it.error = message;
            it.working = false;
            m_model->touch(row);
            if (path == currentPath()) showCaptionOf(row);
            if (id == m_captionAllJob)
              m_captionAllFailures << QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(),
                                                                   reasonFor(path, message));
            if (id == m_captionId) {
              m_captionId = 0;
              updateButtons();
              Q_EMIT status(tr("Could not caption %1: %2").arg(QFileInfo(path).fileName(), reasonFor(path, message)));
            }
          });
  connect(c, &inference::InferenceClient::cancelled, this, [this](quint64 id) {
    if (id != m_captionId) return;
    m_captionId = 0;
    restore(m_model->indexOf(m_captionPath));
    endWork();
    Q_EMIT status(tr("Captioning stopped"));
  });
  connect(c, &inference::InferenceClient::jobProgress, this, [this](quint64 job, const inference::JobProgress& p) {
    if (job == m_captionAllJob) Q_EMIT status(tr("Captioned %1 of %2").arg(p.done).arg(p.total));
  });
  connect(c, &inference::InferenceClient::jobFinished, this, [this](quint64 job, const inference::JobSummary& s) {
    if (job != m_captionAllJob) return;
    m_captionAllJob = 0;
    endWork();
    // Counts that add up: captioned + failed (+ not started when stopped) = the photos asked for;
    // the summary counts failures apart from the photos done.
    const int captioned = s.done;
    QString text = s.state == inference::JobState::Cancelled ? tr("Stopped: %n image(s) captioned", nullptr, captioned)
                                                             : tr("Captioned %n image(s)", nullptr, captioned);
    if (s.failed > 0) text += QStringLiteral("; ") + tr("%n could not be captioned", nullptr, s.failed);
    const int notStarted = m_captionAllTotal - s.done - s.failed;
    if (s.state == inference::JobState::Cancelled && notStarted > 0)
      text += QStringLiteral("; ") + tr("%n not started", nullptr, notStarted);
    Q_EMIT status(text);
    if (!m_captionAllFailures.isEmpty()) {
      QStringList names;
      for (const QString& f : m_captionAllFailures) names << f.section(QStringLiteral(": "), 0, 0);
      Q_EMIT message({QStringLiteral("caption-failures"),
                      tr("%n photo(s) could not be captioned: %1", nullptr, static_cast<int>(names.size()))
                          .arg(QLocale().createSeparatedList(names)),
                      m_captionAllFailures.join(QLatin1Char('\n')),
                      {},
                      {}});
    }
  });
  // A translated question or answer arrives before the answer: kept until it comes.
  connect(c, &inference::InferenceClient::translated, this, [this](quint64 id, const inference::Translated& t) {
    if (id != m_askId) return;
    if (t.kind == inference::Translated::Kind::Query) {
      m_askEnglish.first = t.text;
    } else {
      m_askEnglish.second = t.source;
      m_askShown = t.text;
    }
  });
  connect(c, &inference::InferenceClient::answerReady, this,
          [this](quint64 id, const QString& path, const QString& q, const QString& a) {
            if (id != m_askId) return;
            const int row = m_model->indexOf(path);
            if (row < 0) return;
            auto& item = m_model->item(row);
            const QString shown = m_askShown.isEmpty() ? a : m_askShown;
            const QPair<QString, QString> english{m_askEnglish.first, m_askShown.isEmpty() ? QString() : a};
            if (!item.chat.isEmpty() && item.chat.back().first == q && item.chat.back().second.isEmpty()) {
              item.chat.back().second = shown;
              item.chatEnglish.back() = english;
            } else {
              item.chat.push_back({q, shown});
              item.chatEnglish.push_back(english);
            }
            m_asking = false;
            updateButtons();
            if (path == currentPath()) renderChat();
            Q_EMIT sessionChanged();
          });
  connect(c, &inference::InferenceClient::failed, this, [this](quint64 id, const QString& message) {
    if (id != m_askId) return;
    m_asking = false;
    updateButtons();
    const int row = m_model->indexOf(m_askPath);
    // One line in the chat (a model that cannot load may list every tensor); the rest on demand.
    if (row >= 0 && !m_model->item(row).chat.isEmpty() && m_model->item(row).chat.back().second.isEmpty())
      m_model->item(row).chat.back().second = tr("(no answer: %1)").arg(firstLine(message));
    renderChat();
    Q_EMIT sessionChanged();
    Q_EMIT status(tr("Could not answer: %1").arg(firstLine(message)));
    if (firstLine(message) != message.trimmed())
      Q_EMIT this->message(
          {QStringLiteral("ask"), tr("Could not answer: %1").arg(firstLine(message)), message, {}, {}});
  });
}

bool ImagesPage::mine(quint64 id) const {
  return id != 0 &&
         (id == m_captionId || id == m_captionAllJob || m_client->isCurrent(inference::Channel::Caption, id));
}

// What can be done now: nothing needs a photo that is not there, and no button does nothing.
void ImagesPage::updateButtons() {
  const int row = m_model->indexOf(currentPath());
  const bool gone = row >= 0 && m_model->item(row).missing;  // nothing to caption or ask about
  const bool photo = row >= 0 && !gone;
  bool photos = false;  // on disk, to caption
  for (int r = 0; r < m_model->rowCount() && !photos; ++r) photos = !m_model->item(r).missing;
  const bool caption = !m_caption->toPlainText().trimmed().isEmpty();
  m_cancelButton->setEnabled(m_captionId != 0 || m_captionAllJob != 0);
  m_captionButton->setEnabled(photo);
  m_captionAllButton->setEnabled(photos && m_captionAllJob == 0);
  m_copyButton->setEnabled(caption);
  m_question->setEnabled(photo);
  m_question->setPlaceholderText(photo ? tr("Ask a question about this photo…")
                                 : gone
                                     ? tr("This file is no longer on disk.")
                                     : tr("Add a photo first: drop it on the window or open it with %1")
                                           .arg(QKeySequence(QKeySequence::Open).toString(QKeySequence::NativeText)));
  m_askButton->setEnabled(photo && !m_asking);
  Q_EMIT actionsChanged(photo, photos && m_captionAllJob == 0, caption);
}

// Photos still marked as being captioned by a request that ended stop showing it.
void ImagesPage::endWork() {
  for (int r = 0; r < m_model->rowCount(); ++r) {
    auto& it = m_model->item(r);
    if (!it.working) continue;
    it.working = false;
    it.partial.clear();
    m_model->touch(r);
  }
  const int row = m_model->indexOf(currentPath());
  if (row >= 0) showCaptionOf(row);
  updateButtons();
}

void ImagesPage::showCaptionOf(int row) {
  const auto& it = m_model->item(row);
  QString state;
  switch (it.state()) {
    case CaptionState::Running:
      m_caption->setPlainText(it.partial.isEmpty() ? it.caption : it.partial + QStringLiteral(" …"));
      state = tr("Captioning…");
      break;
    case CaptionState::Failed:
      m_caption->setPlainText(it.caption);  // the previous caption, if there was one
      state = tr("Could not caption this photo: %1").arg(reasonFor(it.path, it.error));
      break;
    case CaptionState::Done:
      m_caption->setPlainText(it.caption);
      break;
    case CaptionState::None:
      m_caption->clear();
      state = tr("Not captioned yet.");
      break;
  }
  // A caption of a file that changed or went away since stays readable, greyed and said so; never
  // shown as if it described the photo as it is now.
  const bool stale = !it.working && (it.captionStale() || (it.missing && !it.caption.isEmpty()));
  QPalette palette = m_captionPalette;
  if (stale) palette.setColor(QPalette::Text, palette.color(QPalette::Disabled, QPalette::Text));
  m_caption->setPalette(palette);
  QString note;
  if (it.missing)
    note = it.caption.isEmpty() ? tr("This file is no longer on disk.")
                                : tr("This file is no longer on disk; the caption is of the photo as it was.");
  else if (stale)
    note = tr("The photo changed since this caption was made.");
  if (!note.isEmpty())
    state = state.isEmpty() || it.state() == CaptionState::None ? note : state + QLatin1Char('\n') + note;
  m_captionState->setText(state);
  m_captionState->setToolTip(it.state() == CaptionState::Failed ? plainToolTip(it.error) : QString());
  m_captionState->setStyleSheet(it.state() == CaptionState::Failed || it.missing
                                    ? QStringLiteral("QLabel { color: #b00020; }")
                                : stale ? QStringLiteral("QLabel { color: #a15c00; }")
                                        : QString());
  m_recaptionButton->setVisible(stale && !it.missing);
  // A translated caption: the English original is a hover away.
  m_caption->setToolTip(it.captionEnglish.isEmpty() || it.working
                            ? QString()
                            : plainToolTip(tr("English original: %1").arg(it.captionEnglish)));
  // The self-check beside the caption: how well the search model thinks it describes the photo
  // (not said of a caption made for an earlier version of the file).
  const bool checked = !it.working && it.itm >= 0.0 && !stale;
  m_check->setVisible(checked);
  if (checked) {
    QString text = tr("Match %1% · similarity %2").arg(qRound(it.itm * 100)).arg(QLocale().toString(it.itc, 'f', 2));
    if (it.regenerated) text += QStringLiteral(" · ") + tr("the first caption was degenerate and was made again");
    m_check->setText(text);
    m_check->setToolTip(
        tr("How well the search model thinks this caption describes the photo (image-text matching "
           "probability and contrastive similarity)"));
  }
}

void ImagesPage::restore(int row) {
  if (row < 0) return;
  auto& it = m_model->item(row);
  it.working = false;
  it.partial.clear();
  m_model->touch(row);
}

void ImagesPage::applyPreset(int index) {
  const auto set = [&](const QString& prompt, int beams, int minLen, int maxLen, double rep, bool sample, double topP,
                       double temp) {
    m_prompt->setText(prompt);
    m_beams->setValue(beams);
    m_minLength->setValue(minLen);
    m_maxLength->setValue(maxLen);
    m_repetition->setValue(rep);
    m_sample->setChecked(sample);
    m_topP->setValue(topP);
    m_temperature->setValue(temp);
  };
  switch (index) {
    case 0:
      set(QStringLiteral("a picture of"), 3, 5, 20, 1.0, false, 0.9, 1.0);
      break;  // BLIP's COCO evaluation
    case 1:
      set(QString(), 1, 0, 20, 1.0, false, 1.0, 1.0);
      break;  // generate() defaults
    case 2:
      set(QString(), 1, 5, 30, 1.0, true, 0.9, 1.0);
      break;  // nucleus sampling
    default:
      set(QString(), 3, 15, 40, 1.3, false, 0.9, 1.0);
      break;  // longer
  }
}

blip::GenerationConfig ImagesPage::generationConfig() const {
  // Hugging Face's semantics, as the CLI takes them: lengths count the whole sequence (the
  // prompt too), so the BLIP style is exactly `--beams 3 --min-length 5 --prompt "a picture of"`.
  blip::GenerationConfig c;
  c.num_beams = m_sample->isChecked() ? 1 : m_beams->value();
  c.min_length = m_minLength->value();
  c.max_length = std::max(m_maxLength->value(), m_minLength->value() + 1);
  c.repetition_penalty = m_repetition->value();
  c.do_sample = m_sample->isChecked();
  c.top_p = m_topP->value();
  c.temperature = m_temperature->value();
  return c;
}

QString ImagesPage::prompt() const {
  return m_prompt->text().trimmed();
}

inference::CaptionRequest ImagesPage::captionRequest() const {
  inference::CaptionRequest r;
  r.prompt = prompt();
  r.keepPrompt = m_keepPrompt->isChecked();
  r.config = generationConfig();
  r.fixDegenerate = m_fixDegenerate->isChecked();
  return r;
}

int ImagesPage::addPaths(const QStringList& paths) {
  const int before = m_model->rowCount();
  const int added = m_model->addPaths(paths);
  if (added > 0 && m_strip->currentIndex().row() < 0) selectRow(before);
  return added;
}

int ImagesPage::showPath(const QString& path) {
  int row = m_model->indexOf(path);
  if (row < 0) {
    m_model->addPaths({path});
    row = m_model->indexOf(path);
  }
  if (row >= 0) {
    m_strip->setCurrentIndex(m_model->index(row));
    m_strip->scrollTo(m_model->index(row));
  }
  return row;
}

QStringList ImagesPage::selectedPaths() const {
  QList<int> rows;
  for (const QModelIndex& i : m_strip->selectionModel()->selectedIndexes()) rows << i.row();
  if (rows.isEmpty() && m_strip->currentIndex().isValid()) rows << m_strip->currentIndex().row();
  std::sort(rows.begin(), rows.end());
  QStringList out;
  for (int r : rows) out << m_model->item(r).path;
  return out;
}

void ImagesPage::removeSelected() {
  const QStringList paths = selectedPaths();
  if (paths.isEmpty()) return;
  if (paths.contains(m_captionPath) && m_captionId != 0) m_client->cancel(inference::Channel::Caption);
  int next = -1;
  for (const QString& p : paths) {
    const int row = m_model->indexOf(p);
    next = row;
    m_model->removeRow(row);
  }
  // The image after the last one removed is selected (else the one before it).
  next = std::min(next, m_model->rowCount() - 1);
  m_strip->clearSelection();
  if (next >= 0)
    selectRow(next);
  else
    showCurrent();
  Q_EMIT status(
      tr("Removed %n image(s) from the list (the files are not touched)", nullptr, static_cast<int>(paths.size())));
}

void ImagesPage::copySelectedPaths() {
  const QStringList paths = selectedPaths();
  if (paths.isEmpty()) return;
  QApplication::clipboard()->setText(paths.join(QLatin1Char('\n')));
  Q_EMIT status(tr("Copied %n path(s)", nullptr, static_cast<int>(paths.size())));
}

void ImagesPage::showSelectedInFolder() {
  const QString path = currentPath();
  if (!path.isEmpty()) showInFileManager(path, this);
}

void ImagesPage::showAskTab() {
  m_tabs->setCurrentIndex(1);
  m_question->setFocus(Qt::ShortcutFocusReason);
}

void ImagesPage::showCaptionTab() {
  m_tabs->setCurrentIndex(0);
}

void ImagesPage::showFullScreen() {
  if (m_fullScreen) {
    m_fullScreen->activateWindow();
    return;
  }
  m_fullScreen = m_preview->showFullScreenCopy();
  m_fullScreen->setWindowTitle(QFileInfo(currentPath()).fileName());
  connect(m_fullScreen, &QObject::destroyed, this, [this] { Q_EMIT fullScreenChanged(false); });
  Q_EMIT fullScreenChanged(true);
}

void ImagesPage::closeFullScreen() {
  if (m_fullScreen) m_fullScreen->close();
}

Session ImagesPage::session() const {
  Session s;
  for (int r = 0; r < m_model->rowCount(); ++r) {
    const ImageItem& it = m_model->item(r);
    SessionImage im{it.path, it.caption,     it.captionParameters, {}, it.itm,
                    it.itc,  it.regenerated, it.captionEnglish,    {}};
    if (!it.caption.isEmpty() && it.captionFile.known()) {
      im.captionSize = it.captionFile.size;
      im.captionMtimeMs = it.captionFile.mtimeMs;
    }
    for (qsizetype i = 0; i < it.chat.size(); ++i) {
      if (it.chat[i].second.isEmpty()) continue;  // still waiting for its answer
      im.chat.push_back(it.chat[i]);
      im.chatEnglish.push_back(it.chatEnglish.value(i));
    }
    s.images.push_back(im);
  }
  s.current = m_strip->currentIndex().isValid() ? m_strip->currentIndex().row() : -1;
  return s;
}

QStringList ImagesPage::restore(const Session& session) {
  QStringList gone;
  int current = -1;
  for (qsizetype i = 0; i < session.images.size(); ++i) {
    const SessionImage& im = session.images[i];
    if (!QFileInfo(im.path).isFile()) {
      gone << im.path;
      continue;
    }
    if (m_model->addPaths({im.path}) == 0) continue;  // listed twice, or no photo
    const int row = m_model->rowCount() - 1;
    ImageItem& it = m_model->item(row);
    it.caption = im.caption;
    it.captionParameters = im.captionParameters;
    it.itm = im.itm;
    it.itc = im.itc;
    it.regenerated = im.regenerated;
    it.captionEnglish = im.captionEnglish;
    it.chat = im.chat;
    it.chatEnglish = im.chatEnglish;
    it.chatEnglish.resize(it.chat.size());  // one per turn: later answers land on their own
    // What the caption was made of; a session that does not say (older) takes the file as it is.
    if (!it.caption.isEmpty())
      it.captionFile = im.captionSize >= 0 ? FileStamp{im.captionSize, im.captionMtimeMs} : it.file;
    m_model->touch(row);
    if (i == session.current) current = row;
  }
  if (current < 0 && m_model->rowCount() > 0) current = 0;
  if (current >= 0) selectRow(current);
  return gone;
}

QString ImagesPage::currentPath() const {
  const QModelIndex i = m_strip->currentIndex();
  return i.isValid() ? m_model->item(i.row()).path : QString();
}

void ImagesPage::selectRow(int row) {
  m_strip->setCurrentIndex(m_model->index(row));
}

void ImagesPage::showCurrent() {
  const QString path = currentPath();
  if (!path.isEmpty()) {
    // The file as it is now: a change not heard of yet (or while watching was not possible) shows.
    m_showing = true;
    m_model->checkFiles({path});
    m_showing = false;
  }
  if (path.isEmpty()) {
    ++m_previewRequest;
    m_preview->setMessage(tr("Drop photos or folders here,\nor open them with Ctrl+O, or paste an image with Ctrl+V."));
    m_zoomLabel->clear();  // no photo, no zoom
    m_caption->clear();
    m_chat->clear();
    updateButtons();
    return;
  }
  const int row = m_model->indexOf(path);
  loadPreview(path);
  const auto& it = m_model->item(row);
  showCaptionOf(row);
  renderChat();
  updateButtons();
  // A new image without a caption yet: caption it right away.
  if (it.caption.isEmpty() && it.error.isEmpty() && !it.working && !it.missing) captionCurrent();
}

void ImagesPage::loadPreview(const QString& path) {
  const int row = m_model->indexOf(path);
  if (row >= 0 && m_model->item(row).missing) {
    ++m_previewRequest;
    m_preview->setMessage(tr("%1 is no longer on disk").arg(QFileInfo(path).fileName()));
    m_zoomLabel->clear();
    return;
  }
  // The preview is decoded off the GUI thread, at the photo's own pixels (up to 8192 on a side,
  // for 100% and zoom); the view fits it to its size. A later selection wins.
  const quint64 request = ++m_previewRequest;
  auto* watcher = new QFutureWatcher<QImage>(this);
  connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, path, request] {
    watcher->deleteLater();
    if (request != m_previewRequest) return;
    const QImage img = watcher->result();
    if (img.isNull()) {
      m_preview->setMessage(tr("Cannot show %1").arg(QFileInfo(path).fileName()));
      m_zoomLabel->clear();
    } else {
      m_preview->setImage(img);
    }
  });
  watcher->setFuture(QtConcurrent::run(&ThumbnailLoader::load, path, QSize(8192, 8192), 1.0));
}

void ImagesPage::captionCurrent() {
  const QString path = currentPath();
  if (path.isEmpty()) return;
  const int row = m_model->indexOf(path);
  if (m_model->item(row).missing) return;  // nothing on disk to caption
  // A newer single caption replaces the one running (a batch goes on beside it).
  if (m_captionId != 0) {
    const int before = m_model->indexOf(m_captionPath);
    if (before >= 0 && before != row) {
      m_model->item(before).working = false;
      m_model->item(before).partial.clear();
      m_model->touch(before);
    }
  }
  auto& it = m_model->item(row);
  it.working = true;
  it.error.clear();
  it.requested = FileStamp::of(path);
  m_model->touch(row);
  showCaptionOf(row);  // the previous caption stays visible until the new one streams in
  m_captionPath = path;
  const inference::CaptionRequest request = captionRequest();
  m_captionId = m_client->caption(path, request);
  m_requestParameters.insert(m_captionId, library::generationParameters(request.config, request.prompt));
  updateButtons();
}

void ImagesPage::captionAll() {
  QStringList paths;  // the photos still on disk
  for (int r = 0; r < m_model->rowCount(); ++r)
    if (!m_model->item(r).missing) paths << m_model->item(r).path;
  if (paths.isEmpty() || m_captionAllJob != 0) return;
  for (int r = 0; r < m_model->rowCount(); ++r) {
    if (m_model->item(r).missing) continue;
    m_model->item(r).working = true;
    m_model->item(r).error.clear();
    m_model->item(r).requested = FileStamp::of(m_model->item(r).path);
    m_model->touch(r);
  }
  m_captionAllTotal = static_cast<int>(paths.size());
  m_captionAllFailures.clear();
  if (const int row = m_model->indexOf(currentPath()); row >= 0) showCaptionOf(row);
  const inference::CaptionRequest request = captionRequest();
  m_captionAllJob = m_client->captionAll(paths, request);
  m_requestParameters.insert(m_captionAllJob, library::generationParameters(request.config, request.prompt));
  updateButtons();
  Q_EMIT status(tr("Captioning %n image(s)…", nullptr, static_cast<int>(paths.size())));
}

void ImagesPage::cancel() {
  if (m_captionId != 0) m_client->cancel(inference::Channel::Caption);
  if (m_captionAllJob != 0) m_client->cancelJob(m_captionAllJob);
}

void ImagesPage::copyCaption() {
  const QString text = m_caption->toPlainText().trimmed();
  if (text.isEmpty()) return;
  QApplication::clipboard()->setText(text);
  Q_EMIT status(tr("Caption copied"));
}

void ImagesPage::askQuestion() {
  const QString q = m_question->text().trimmed();
  const QString path = currentPath();
  if (q.isEmpty() || path.isEmpty()) return;
  const int row = m_model->indexOf(path);
  m_model->item(row).chat.push_back({q, QString()});
  m_model->item(row).chatEnglish.push_back({});
  m_askEnglish = {};
  m_askShown.clear();
  m_question->clear();
  renderChat();
  m_asking = true;
  updateButtons();
  m_askPath = path;
  m_askId = m_client->ask(path, q);
}

void ImagesPage::renderChat() {
  const int row = m_model->indexOf(currentPath());
  if (row < 0) return;
  QString html;
  const auto& item = m_model->item(row);
  // What the model read and said in English, in small grey under a translated question or answer.
  const auto english = [](const QString& label, const QString& text) {
    return QStringLiteral("<br><small style='color:gray;'>%1</small>").arg(label.arg(text).toHtmlEscaped());
  };
  for (qsizetype i = 0; i < item.chat.size(); ++i) {
    const auto& [q, a] = item.chat[i];
    const auto en = item.chatEnglish.value(i);
    html += QStringLiteral("<p style='margin:6px 0 2px 40px; text-align:right;'><b>%1</b>%2</p>")
                .arg(q.toHtmlEscaped(), en.first.isEmpty() ? QString() : english(tr("Asked in English: %1"), en.first));
    html += QStringLiteral("<p style='margin:2px 40px 10px 0;'>%1%2</p>")
                .arg(a.isEmpty() ? QStringLiteral("<i>%1</i>").arg(tr("thinking…")) : a.toHtmlEscaped(),
                     en.second.isEmpty() ? QString() : english(tr("English original: %1"), en.second));
  }
  m_chat->setHtml(html);
}

}  // namespace glimpse::ui
