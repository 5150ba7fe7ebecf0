#include "librarypage.h"

#include "translation/language.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QUrl>
#include <QVBoxLayout>
#include <utility>

#include "askresultsbar.h"
#include "duplicatesdialog.h"
#include "inference/inferenceclient.h"
#include "translation/language.h"
#include "writecaptionsdialog.h"

namespace glimpse::ui {
namespace {

constexpr int kPathRole = Qt::UserRole + 1;

QString eta(double seconds) {
  if (seconds < 0) return QStringLiteral("–");
  const int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? QStringLiteral("%1:%2:%3")
                         .arg(s / 3600)
                         .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                         .arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Whether indexing continues by itself at the next start: only a running index does; a paused one
// comes back paused, showing the counts it was paused at.
void rememberIndexing(bool running, bool paused, const inference::JobProgress& at = {}) {
  QSettings s;
  s.setValue(QStringLiteral("library/indexing"), running);
  s.setValue(QStringLiteral("library/indexPaused"), paused);
  s.setValue(QStringLiteral("library/indexPausedAt"), paused ? QVariantList{at.done, at.total} : QVariantList{});
}

}  // namespace

LibraryPage::LibraryPage(inference::InferenceClient* client, QWidget* parent)
    : QWidget(parent), m_client(client), m_thumbs(QSize(160, 120)) {
  m_folders = new QListWidget;
  m_folders->setAccessibleName(tr("Library folders"));
  m_add = new QPushButton(tr("Add folder…"));
  m_remove = new QPushButton(tr("Remove"));
  m_remove->setToolTip(tr("Forget this folder (the photos on disk are not touched)"));
  m_index = new QPushButton(tr("Index"));
  m_index->setToolTip(tr("Find new and changed photos and make them searchable"));
  m_cancel = new QPushButton(tr("Stop"));
  m_cancel->setEnabled(false);
  m_progress = new QProgressBar;
  m_progress->setAccessibleName(tr("Indexing progress"));
  m_progress->setTextVisible(true);
  m_progressText = new QLabel;
  m_progressText->setWordWrap(true);
  auto* folderButtons = new QHBoxLayout;
  folderButtons->addWidget(m_add);
  folderButtons->addWidget(m_remove);
  auto* indexButtons = new QHBoxLayout;
  indexButtons->addWidget(m_index);
  indexButtons->addWidget(m_cancel);
  m_captionJobButton = new QPushButton(tr("Caption photos"));
  m_captionJobButton->setToolTip(
      tr("Caption every photo of the library that has no caption from Glimpse yet, with the Images page's "
         "caption settings; each caption is kept as it is done"));
  m_captionStop = new QPushButton(tr("Stop"));
  m_captionStop->setEnabled(false);
  m_captionStop->setAccessibleName(tr("Stop captioning"));
  m_captionProgress = new QProgressBar;
  m_captionProgress->setAccessibleName(tr("Captioning progress"));
  m_captionProgress->hide();
  m_captionProgressText = new QLabel;
  m_captionProgressText->setWordWrap(true);
  m_writeFiles = new QPushButton(tr("Write captions to files…"));
  m_writeFiles->setToolTip(
      tr("Review the library's captions, then write them into the photos, XMP sidecars or "
         "text files"));
  m_duplicates = new QPushButton(tr("Similar photos…"));
  m_duplicates->setToolTip(tr("Review groups of near-duplicate photos and move the ones you reject to the trash"));
  auto* captionButtons = new QHBoxLayout;
  captionButtons->addWidget(m_captionJobButton);
  captionButtons->addWidget(m_captionStop);
  auto* left = new QWidget;
  auto* ll = new QVBoxLayout(left);
  ll->addWidget(new QLabel(tr("Folders")));
  ll->addWidget(m_folders, 1);
  ll->addLayout(folderButtons);
  ll->addLayout(indexButtons);
  ll->addWidget(m_progress);
  ll->addWidget(m_progressText);
  ll->addSpacing(8);
  ll->addWidget(new QLabel(tr("Captions")));
  ll->addLayout(captionButtons);
  ll->addWidget(m_captionProgress);
  ll->addWidget(m_captionProgressText);
  ll->addWidget(m_writeFiles);
  ll->addSpacing(8);
  ll->addWidget(m_duplicates);

  m_query = new QLineEdit;
  m_query->setPlaceholderText(tr("Describe the photo you remember, e.g. \"kids on a beach at sunset\""));
  m_query->setClearButtonEnabled(true);
  m_query->setAccessibleName(tr("Search"));
  // Shown when the query was translated to English before searching.
  m_translationRow = new QWidget;
  m_searchedFor = new QLabel;
  m_searchedFor->setTextFormat(Qt::PlainText);
  m_searchedFor->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_searchedFor->setAccessibleName(tr("Translated query"));
  m_searchOriginal = new QPushButton(tr("Search the original instead"));
  m_searchOriginal->setFlat(true);
  m_searchOriginal->setStyleSheet(QStringLiteral("QPushButton { color: palette(link); text-decoration: underline; }"));
  m_searchOriginal->setCursor(Qt::PointingHandCursor);
  m_searchOriginal->setToolTip(tr("Search for the words as you typed them, without translating them to English"));
  auto* tl = new QHBoxLayout(m_translationRow);
  tl->setContentsMargins(0, 0, 0, 0);
  tl->addWidget(m_searchedFor);
  tl->addWidget(m_searchOriginal);
  tl->addStretch(1);
  m_translationRow->hide();
  m_resultsModel = new QStandardItemModel(this);
  m_results = new QListView;
  m_results->setModel(m_resultsModel);
  m_results->setViewMode(QListView::IconMode);
  m_results->setIconSize(QSize(160, 120));
  m_results->setGridSize(QSize(180, 168));
  m_results->setResizeMode(QListView::Adjust);
  m_results->setMovement(QListView::Static);
  m_results->setWordWrap(true);
  m_results->setAccessibleName(tr("Search results"));
  auto* center = new QWidget;
  auto* cl = new QVBoxLayout(center);
  auto* queryRow = new QHBoxLayout;
  queryRow->addWidget(m_query, 1);
  m_leastConfident = new QPushButton(tr("Least confident captions"));
  m_leastConfident->setToolTip(
      tr("Photos whose caption was checked against the photo, the weakest match first, to review them"));
  queryRow->addWidget(m_leastConfident);
  cl->addLayout(queryRow);
  cl->addWidget(m_translationRow);
  m_askBar = new AskResultsBar(client, m_results, m_resultsModel, kPathRole);
  cl->addWidget(m_askBar);
  cl->addWidget(m_results, 1);

  m_details = new QLabel(tr("Select a result to see its details."));
  m_details->setWordWrap(true);
  m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_details->setAccessibleName(tr("Photo details"));
  m_captionSource = new QLabel;
  m_captionSource->setWordWrap(true);
  m_captionEdit = new QPlainTextEdit;
  m_captionEdit->setAccessibleName(tr("Caption"));
  m_captionEdit->setPlaceholderText(tr("No caption yet. Type one, or use Caption photos."));
  m_captionEdit->setMaximumHeight(90);
  m_captionEdit->setEnabled(false);
  m_saveCaption = new QPushButton(tr("Save caption"));
  m_saveCaption->setEnabled(false);
  m_saveCaption->setToolTip(
      tr("Keep this caption in the library (it is found by search and written by Write "
         "captions to files)"));
  m_open = new QPushButton(tr("Open"));
  m_reveal = new QPushButton(tr("Show in folder"));
  m_similar = new QPushButton(tr("More like this"));
  for (auto* b : {m_open, m_reveal, m_similar}) b->setEnabled(false);
  auto* right = new QWidget;
  auto* rl = new QVBoxLayout(right);
  rl->addWidget(m_details, 1);
  rl->addWidget(m_captionSource);
  rl->addWidget(m_captionEdit);
  rl->addWidget(m_saveCaption);
  rl->addWidget(m_open);
  rl->addWidget(m_reveal);
  rl->addWidget(m_similar);

  auto* split = new QSplitter;
  split->addWidget(left);
  split->addWidget(center);
  split->addWidget(right);
  split->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_add, &QPushButton::clicked, this, [this] { addFolder(); });
  connect(m_remove, &QPushButton::clicked, this, &LibraryPage::removeSelectedFolder);
  connect(m_index, &QPushButton::clicked, this, &LibraryPage::startOrPauseIndexing);
  connect(m_cancel, &QPushButton::clicked, this, &LibraryPage::cancelIndexing);
  connect(m_captionJobButton, &QPushButton::clicked, this, &LibraryPage::startOrPauseCaptioning);
  connect(m_captionStop, &QPushButton::clicked, this, &LibraryPage::stopCaptioning);
  connect(m_writeFiles, &QPushButton::clicked, this, &LibraryPage::writeCaptionsToFiles);
  connect(m_duplicates, &QPushButton::clicked, this, &LibraryPage::showSimilarPhotos);
  connect(m_saveCaption, &QPushButton::clicked, this, &LibraryPage::saveCaption);
  connect(m_captionEdit, &QPlainTextEdit::textChanged, this,
          [this] { m_saveCaption->setEnabled(!m_detailsPath.isEmpty()); });
  connect(m_query, &QLineEdit::returnPressed, this, [this] { search(); });
  connect(m_searchOriginal, &QPushButton::clicked, this, &LibraryPage::searchOriginal);
  connect(m_leastConfident, &QPushButton::clicked, this, &LibraryPage::showLeastConfident);
  connect(m_askBar, &AskResultsBar::status, this, &LibraryPage::status);
  connect(m_open, &QPushButton::clicked, this, &LibraryPage::openSelected);
  connect(m_reveal, &QPushButton::clicked, this, &LibraryPage::showSelectedInFolder);
  connect(m_similar, &QPushButton::clicked, this, &LibraryPage::moreLikeThis);
  connect(m_results, &QListView::activated, this, &LibraryPage::openSelected);
  connect(m_results->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
    const QString path = selectedPath();
    for (auto* b : {m_open, m_reveal, m_similar}) b->setEnabled(!path.isEmpty());
    if (!path.isEmpty()) m_detailsId = m_client->photoDetails(path);
  });
  connect(&m_thumbs, &ThumbnailLoader::loaded, this, [this](const QString& path, const QImage& img) {
    for (int r = 0; r < m_resultsModel->rowCount(); ++r) {
      QStandardItem* it = m_resultsModel->item(r);
      if (it->data(kPathRole).toString() == path) it->setIcon(QIcon(QPixmap::fromImage(img)));
    }
  });

  auto* c = client;
  connect(c, &inference::InferenceClient::libraryOpened, this, [this](quint64 id, const inference::LibraryInfo& info) {
    if (id != 0 && id == m_openId) {
      m_openId = 0;
      m_libraryError.clear();
      Q_EMIT messageResolved(QStringLiteral("library"));
      if (std::exchange(m_indexWhenOpen, false)) startOrPauseIndexing();
    }
    showLibraryInfo(info);
    if (m_indexState == IndexState::Paused && m_indexJob == 0) {  // paused in an earlier session
      // The counts it was paused at; the library's own when they say more (the search model is loaded).
      const QVariantList at = QSettings().value(QStringLiteral("library/indexPausedAt")).toList();
      int done = at.size() == 2 ? at[0].toInt() : 0;
      int total = at.size() == 2 ? at[1].toInt() : info.photos;
      if (info.searchable > done) std::tie(done, total) = std::pair{info.searchable, info.photos};
      m_progress->setRange(0, std::max(total, 1));
      m_progress->setValue(std::min(done, total));
      m_progressText->setText(tr("Paused at %1 of %2 photos; everything done is saved.").arg(done).arg(total));
    }
  });
  connect(c, &inference::InferenceClient::jobStateChanged, this, [this](quint64 job, inference::JobState state) {
    if (job != m_indexJob && job != m_captionJob) return;
    IndexState s;
    switch (state) {
      case inference::JobState::Running:
        s = IndexState::Running;
        break;
      case inference::JobState::Pausing:
        s = IndexState::Pausing;
        break;
      case inference::JobState::Paused:
        s = IndexState::Paused;
        break;
      default:
        return;  // the end comes with jobFinished
    }
    if (job == m_indexJob && s == IndexState::Paused &&
        QSettings().value(QStringLiteral("library/indexPaused")).toBool())
      rememberIndexing(false, true, m_indexProgress);  // where it stopped: after the photo in flight
    if (job == m_indexJob)
      setIndexState(s);
    else
      setCaptionState(s);
  });
  connect(c, &inference::InferenceClient::jobProgress, this, [this](quint64 job, const inference::JobProgress& p) {
    if (job == m_captionJob) {
      m_captionProgress->setRange(0, std::max(p.total, 1));
      m_captionProgress->setValue(p.done);
      QString text = tr("%1 of %2 photos captioned").arg(p.done - p.failed).arg(p.total);
      if (p.failed > 0) text += QStringLiteral(" · ") + tr("%n could not be read", nullptr, p.failed);
      if (m_captionState == IndexState::Running && p.done > 0)
        text += QStringLiteral(" · ") + tr("%1 left").arg(eta(p.etaSeconds));
      else if (m_captionState == IndexState::Paused)
        text = tr("Paused at %1 of %2 photos; every caption done is kept.").arg(p.done).arg(p.total);
      m_captionProgressText->setText(text);
      return;
    }
    if (job != m_indexJob) return;
    if (p.total == 0) return;  // still scanning
    m_indexProgress = p;
    m_progress->setRange(0, std::max(p.total, 1));
    m_progress->setValue(p.done);
    QString text = tr("%1 of %2 photos").arg(p.done).arg(p.total);
    if (m_indexState == IndexState::Running)
      text +=
          QStringLiteral(" · ") + tr("%1 photos/s · %2 left").arg(p.itemsPerSecond, 0, 'f', 1).arg(eta(p.etaSeconds));
    else if (m_indexState == IndexState::Paused)
      text = tr("Paused at %1 of %2 photos; everything done is saved.").arg(p.done).arg(p.total);
    m_progressText->setText(text);
  });
  connect(c, &inference::InferenceClient::jobFinished, this, [this](quint64 job, const inference::JobSummary& s) {
    if (job == m_captionJob) {
      m_captionJob = 0;
      setCaptionState(IndexState::Idle);
      const int captioned = s.done;  // the summary counts failures apart
      QString text;
      switch (s.state) {
        case inference::JobState::Failed:
          text = tr("Captioning failed: %1").arg(s.error);
          break;
        case inference::JobState::Cancelled:
          text = tr("Stopped: %n photo(s) captioned; every caption done is kept.", nullptr, captioned);
          break;
        default:
          text = s.done + s.failed == 0 ? tr("Every photo of the library has a caption.")
                 : s.failed > 0         ? tr("Done: %n photo(s) captioned", nullptr, captioned) + QStringLiteral(", ") +
                                      tr("%n could not be read.", nullptr, s.failed)
                                : tr("Done: %n photo(s) captioned.", nullptr, captioned);
      }
      m_captionProgressText->setText(text);
      Q_EMIT status(text);
      if (!m_detailsPath.isEmpty()) m_detailsId = m_client->photoDetails(m_detailsPath);
      return;
    }
    if (job != m_indexJob) return;
    m_indexJob = 0;
    rememberIndexing(false, false);
    setIndexState(IndexState::Idle);
    QString text;
    switch (s.state) {
      case inference::JobState::Failed:
        text = tr("Indexing failed: %1").arg(s.error);
        break;
      case inference::JobState::Cancelled:
        text = tr("Stopped: %1 photos indexed; everything done is saved.").arg(s.done);
        break;
      default:
        text = s.failed > 0  ? tr("Done: %1 photos indexed, %2 could not be read.").arg(s.done).arg(s.failed)
               : s.done == 0 ? tr("Up to date: all %1 photos are searchable.").arg(s.last.done)
                             : tr("Done: %1 photos indexed.").arg(s.done);
    }
    if (!s.warnings.isEmpty()) text += QStringLiteral("\n") + s.warnings.join(QLatin1Char('\n'));
    // The bar shows the library as the job left it: full when finished (also when there was
    // nothing to do), done of total when stopped or failed.
    const bool finished = s.state == inference::JobState::Finished;
    m_progress->setRange(0, std::max(s.last.total, 1));
    m_progress->setValue(finished ? m_progress->maximum() : std::min(s.last.done, s.last.total));
    m_progressText->setText(text);
    if (s.state == inference::JobState::Failed)
      Q_EMIT message({QStringLiteral("index"),
                      tr("Indexing failed: %1").arg(firstLine(s.error)),
                      firstLine(s.error) != s.error ? s.error : QString(),
                      {},
                      {}});
    else if (s.state == inference::JobState::Finished)
      Q_EMIT messageResolved(QStringLiteral("reembed"));
    Q_EMIT status(text.section(QLatin1Char('\n'), 0, 0));
  });
  connect(c, &inference::InferenceClient::searchReady, this,
          [this](quint64 id, const QList<library::SearchResult>& results) {
            if (id == m_searchId) setResults(results);
          });
  connect(c, &inference::InferenceClient::translated, this, [this](quint64 id, const inference::Translated& t) {
    if (id != m_searchId || t.kind != inference::Translated::Kind::Query) return;
    m_searchedFor->setText(tr("Searched for: %1").arg(t.text));
    m_searchedFor->setToolTip(
        tr("Translated from %1 to English; BLIP reads English only").arg(translation::languageName(t.from)));
    m_translationRow->show();
  });
  connect(c, &inference::InferenceClient::photoDetailsReady, this,
          [this](quint64 id, const inference::PhotoDetails& d) {
            if (id == m_detailsId) showDetails(d);
          });
  // A caption made on the Images page for a library photo is kept there: show it.
  connect(c, &inference::InferenceClient::captionReady, this, [this](quint64, const inference::CaptionResult& r) {
    if (r.path == m_detailsPath) m_detailsId = m_client->photoDetails(r.path);
  });
  connect(c, &inference::InferenceClient::failed, this, [this](quint64 id, const QString& message) {
    if (id != 0 && id == m_openId) {
      m_openId = 0;
      m_libraryError = message;
      libraryFailed(tr("Cannot open the library %1").arg(m_libraryPath), message);
      return;
    }
    if (id != 0 && id == m_folderId) {
      libraryFailed(tr("Cannot change the folders of the library %1").arg(m_libraryPath), message);
      return;
    }
    if (id != m_searchId) return;
    m_resultsModel->clear();
    // Never an empty grid without a word: the reason stays until dismissed; a library that needs
    // indexing for the search model keeps offering it.
    Q_EMIT status(firstLine(message));
    if (m_info.needEmbedding > 0)
      showLibraryInfo(m_info);
    else
      Q_EMIT this->message(
          {QStringLiteral("search"), firstLine(message), firstLine(message) != message ? message : QString(), {}, {}});
  });
}

void LibraryPage::showLibraryInfo(const inference::LibraryInfo& info) {
  m_info = info;
  m_folders->clear();
  m_folders->addItems(info.folders);
  if (m_indexState == IndexState::Idle) {
    QString text = tr("%1 photos, %2 searchable").arg(info.photos).arg(info.searchable);
    if (!info.searchModel.isEmpty()) text += QStringLiteral(" ") + tr("with %1").arg(info.searchModel);
    if (info.needEmbedding > 0)
      text += QStringLiteral("; ") + tr("%n need indexing again for it", nullptr, info.needEmbedding);
    m_progressText->setText(text);
  }
  if (info.needEmbedding > 0) {
    Q_EMIT message({QStringLiteral("reembed"),
                    tr("The search model changed to %1: %n photo(s) need indexing again before search finds them "
                       "(their old vectors are kept until then).",
                       nullptr, info.needEmbedding)
                        .arg(info.searchModel),
                    {},
                    tr("Index now"),
                    [this] {
                      if (m_indexState == IndexState::Idle) startOrPauseIndexing();
                    }});
  } else {
    Q_EMIT messageResolved(QStringLiteral("reembed"));
  }
}

void LibraryPage::libraryFailed(const QString& what, const QString& why) {
  // Say what and where, offer another place; nothing is left looking busy.
  m_indexWhenOpen = false;
  QSettings().setValue(QStringLiteral("library/indexing"), false);
  if (m_indexState == IndexState::Idle) {
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
  }
  m_progressText->setText(what + QStringLiteral(": ") + firstLine(why));
  Q_EMIT status(what);
  Q_EMIT message({QStringLiteral("library"), what + QStringLiteral(": ") + firstLine(why),
                  firstLine(why) != why ? why : QString(), tr("Choose another location…"),
                  [this] { chooseLibraryLocation(); }});
}

void LibraryPage::chooseLibraryLocation(const QString& file) {
  const QString path =
      !file.isEmpty()
          ? file
          : QFileDialog::getSaveFileName(this, tr("Where to keep the photo library"),
                                         QDir::homePath() + QStringLiteral("/photos.glimpse"),
                                         tr("Glimpse library (*.glimpse)"), nullptr, QFileDialog::DontConfirmOverwrite);
  if (path.isEmpty()) return;
  QSettings().setValue(QStringLiteral("library/file"), path);
  openLibrary(path);
}

void LibraryPage::showDetails(const inference::PhotoDetails& d) {
  const QLocale loc;
  m_details->setText(QStringLiteral("<b>%1</b><br>%2<br>%3<br>%4")
                         .arg(QFileInfo(d.path).fileName().toHtmlEscaped(),
                              QFileInfo(d.path).absolutePath().toHtmlEscaped(), loc.formattedDataSize(d.size),
                              loc.toString(QDateTime::fromMSecsSinceEpoch(d.dateMs, Qt::UTC), QLocale::ShortFormat)));
  QString source;
  if (d.captionSource == QLatin1String("edited")) {
    source = tr("Caption (edited by you)");
  } else if (d.captionSource == QLatin1String("generated")) {
    for (const auto& c : d.captions)
      if (c.source == QLatin1String("generated") && c.text == d.caption) source = tr("Caption (by %1)").arg(c.model);
    if (source.isEmpty()) source = tr("Caption (generated)");
  } else if (d.captionSource == QLatin1String("metadata")) {
    source = tr("Caption (from the photo's description)");
  } else {
    source = tr("Caption");
  }
  m_captionSource->setText(QStringLiteral("<b>%1</b>").arg(source.toHtmlEscaped()));
  m_detailsPath = d.path;
  const QSignalBlocker block(m_captionEdit);
  m_captionEdit->setPlainText(d.caption);
  m_captionEdit->setEnabled(true);
  m_saveCaption->setEnabled(false);
}

void LibraryPage::saveCaption() {
  if (m_detailsPath.isEmpty()) return;
  m_detailsId = m_client->saveCaption(m_detailsPath, m_captionEdit->toPlainText());
  m_saveCaption->setEnabled(false);
  Q_EMIT status(tr("Caption of %1 saved.").arg(QFileInfo(m_detailsPath).fileName()));
}

void LibraryPage::startOrPauseCaptioning() {
  switch (m_captionState) {
    case IndexState::Running:
      m_client->pauseJob(m_captionJob);
      return;
    case IndexState::Paused:
      m_client->resumeJob(m_captionJob);
      return;
    case IndexState::Pausing:
      return;
    case IndexState::Idle:
      break;
  }
  const inference::CaptionRequest request = m_captionRequest ? m_captionRequest() : inference::CaptionRequest{};
  m_captionProgress->setRange(0, 0);
  m_captionProgress->show();
  m_captionProgressText->setText(tr("Finding photos without a caption…"));
  m_captionJob = m_client->captionLibrary(request, false);
  setCaptionState(IndexState::Running);
}

void LibraryPage::stopCaptioning() {
  if (m_captionJob != 0) m_client->cancelJob(m_captionJob);
}

void LibraryPage::setCaptionState(IndexState state) {
  m_captionState = state;
  switch (state) {
    case IndexState::Idle:
      m_captionJobButton->setText(tr("Caption photos"));
      m_captionProgress->hide();
      break;
    case IndexState::Running:
      m_captionJobButton->setText(tr("Pause"));
      break;
    case IndexState::Pausing:
      m_captionJobButton->setText(tr("Pausing…"));
      break;
    case IndexState::Paused:
      m_captionJobButton->setText(tr("Resume"));
      break;
  }
  m_captionJobButton->setEnabled(state != IndexState::Pausing);
  m_captionStop->setEnabled(state != IndexState::Idle);
}

void LibraryPage::writeCaptionsToFiles() {
  auto* dialog = new WriteCaptionsDialog(m_client, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->open();
}

void LibraryPage::showSimilarPhotos() {
  auto* dialog = new DuplicatesDialog(m_client, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->open();
}

void LibraryPage::setIndexState(IndexState state) {
  m_indexState = state;
  switch (state) {
    case IndexState::Idle:
      m_index->setText(tr("Index"));
      break;
    case IndexState::Running:
      m_index->setText(tr("Pause"));
      break;
    case IndexState::Pausing:
      m_index->setText(tr("Pausing…"));
      break;
    case IndexState::Paused:
      m_index->setText(tr("Resume"));
      break;
  }
  m_index->setEnabled(state != IndexState::Pausing);
  m_cancel->setEnabled(state != IndexState::Idle);
  if (state == IndexState::Running && m_progress->maximum() <= 1)
    m_progress->setRange(0, 0);  // busy until the first count
}

void LibraryPage::openLibrary(const QString& dbPath) {
  m_libraryPath = dbPath;
  m_libraryError.clear();
  QDir().mkpath(QFileInfo(dbPath).absolutePath());  // a read-only place fails below, in words
  m_openId = m_client->openLibrary(dbPath);
}

bool LibraryPage::libraryUsable() {
  if (m_libraryError.isEmpty()) return true;
  libraryFailed(tr("Cannot open the library %1").arg(m_libraryPath), m_libraryError);
  return false;
}

void LibraryPage::addFolder(const QString& folder) {
  if (!libraryUsable()) return;
  const QString dir = folder.isEmpty() ? QFileDialog::getExistingDirectory(this, tr("Add a photo folder")) : folder;
  if (dir.isEmpty()) return;
  m_folderId = m_client->addLibraryFolder(QFileInfo(dir).absoluteFilePath());
}

void LibraryPage::removeSelectedFolder() {
  auto* item = m_folders->currentItem();
  if (!item || !libraryUsable()) return;
  m_folderId = m_client->removeLibraryFolder(item->text());
}

void LibraryPage::startOrPauseIndexing() {
  switch (m_indexState) {
    case IndexState::Running:
      // Pause: the photo in flight finishes; everything indexed so far stays. A paused index stays
      // paused across a restart: only a running one continues by itself.
      m_client->pauseJob(m_indexJob);
      rememberIndexing(false, true, m_indexProgress);
      return;
    case IndexState::Paused:
      if (m_indexJob == 0) break;  // paused in an earlier session: a new job continues it
      m_client->resumeJob(m_indexJob);
      rememberIndexing(true, false);
      return;
    case IndexState::Pausing:
      return;
    case IndexState::Idle:
      break;
  }
  if (!libraryUsable()) return;
  if (m_openId != 0) {
    // The library is still opening (at start): index once it is open, not at all if it fails.
    m_indexWhenOpen = true;
    return;
  }
  m_progress->setRange(0, 0);
  m_progressText->setText(tr("Looking for new and changed photos…"));
  rememberIndexing(true, false);
  m_indexJob = m_client->startIndexing();
  setIndexState(IndexState::Running);
}

void LibraryPage::cancelIndexing() {
  rememberIndexing(false, false);
  if (m_indexJob != 0) {
    m_client->cancelJob(m_indexJob);
  } else if (m_indexState == IndexState::Paused) {  // paused in an earlier session: nothing runs
    setIndexState(IndexState::Idle);
    m_progressText->clear();
  }
}

void LibraryPage::restoreIndexing(bool canIndex) {
  const QSettings s;
  if (s.value(QStringLiteral("library/indexing")).toBool() && canIndex)
    startOrPauseIndexing();
  else if (s.value(QStringLiteral("library/indexPaused")).toBool() && m_indexState == IndexState::Idle)
    setIndexState(IndexState::Paused);  // Resume continues it; the counts come with the library
}

void LibraryPage::search(const QString& query) {
  const QString q = query.isEmpty() ? m_query->text().trimmed() : query;
  if (!query.isEmpty()) m_query->setText(query);
  if (q.isEmpty()) return;
  library::SearchOptions o;
  o.limit = 60;
  o.rerank = 0;  // interactive: ITC ranking; ITM re-ranking costs a vision pass per result
  m_lastQuery = q;
  m_translationRow->hide();
  m_searchId = m_client->search(q, o);
  Q_EMIT status(tr("Searching for \"%1\"…").arg(q));
}

void LibraryPage::searchOriginal() {
  if (m_lastQuery.isEmpty()) return;
  library::SearchOptions o;
  o.limit = 60;
  o.rerank = 0;
  m_translationRow->hide();
  m_searchId = m_client->search(m_lastQuery, o, /*translate=*/false);
  Q_EMIT status(tr("Searching for \"%1\" as typed…").arg(m_lastQuery));
}

void LibraryPage::showLeastConfident() {
  m_searchId = m_client->leastConfidentCaptions(60);
  m_query->clear();
  m_translationRow->hide();
  Q_EMIT status(tr("Captions that match their photo least, weakest first (score: match probability)"));
}

void LibraryPage::moreLikeThis() {
  const QString path = selectedPath();
  if (path.isEmpty()) return;
  library::SearchOptions o;
  o.limit = 60;
  m_searchId = m_client->similar(path, o);
  m_query->clear();
  m_translationRow->hide();
  Q_EMIT status(tr("Photos like %1…").arg(QFileInfo(path).fileName()));
}

QString LibraryPage::selectedPath() const {
  const QModelIndex i = m_results->currentIndex();
  return i.isValid() ? i.data(kPathRole).toString() : QString();
}

void LibraryPage::setResults(const QList<library::SearchResult>& results) {
  m_resultsModel->clear();
  for (const auto& r : results) {
    auto* item = new QStandardItem(QStringLiteral("%1\n%2").arg(QFileInfo(r.path).fileName()).arg(r.score, 0, 'f', 3));
    item->setData(r.path, kPathRole);
    item->setToolTip(QStringLiteral("%1\n%2 %3").arg(r.path, tr("score")).arg(r.score, 0, 'f', 4) +
                     (r.offline ? QStringLiteral("\n") + tr("offline (folder not available)") : QString()));
    item->setEditable(false);
    const QImage thumb = m_thumbs.cached(r.path);
    if (!thumb.isNull())
      item->setIcon(QIcon(QPixmap::fromImage(thumb)));
    else
      m_thumbs.request(r.path);
    m_resultsModel->appendRow(item);
  }
  Q_EMIT status(tr("%n result(s)", nullptr, static_cast<int>(results.size())));
}

void LibraryPage::openSelected() {
  const QString path = selectedPath();
  if (!path.isEmpty()) QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

void LibraryPage::showSelectedInFolder() {
  const QString path = selectedPath();
  if (path.isEmpty()) return;
  // File managers that implement org.freedesktop.FileManager1 select the file; others open the folder.
  if (!QProcess::startDetached(QStringLiteral("dbus-send"),
                               {"--session", "--dest=org.freedesktop.FileManager1", "--type=method_call",
                                "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1.ShowItems",
                                "array:string:" + QUrl::fromLocalFile(path).toString(), "string:"}))
    QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
}

}  // namespace glimpse::ui
