#include "librarypage.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDateEdit>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

#include "askresultsbar.h"
#include "desktop.h"
#include "duplicatesdialog.h"
#include "inference/inferenceclient.h"
#include "thumbnaildelegate.h"
#include "translation/language.h"
#include "writecaptionsdialog.h"

#include <algorithm>
#include <cmath>

namespace glimpse::ui {
namespace {

constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kFolderRole = Qt::UserRole + 2;         // tree: the folder an item narrows the grid to
constexpr int kLibraryFolderRole = Qt::UserRole + 3;  // tree: a folder of the library (removable)
constexpr int kDetailsPreviewHeight = 200;            // the selected photo above its details (logical pixels)

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
  m_folders = new QTreeWidget;
  m_folders->setAccessibleName(tr("Library folders"));
  m_folders->setHeaderHidden(true);
  m_folders->setUniformRowHeights(true);
  m_add = new QPushButton(tr("Add folder…"));
  m_remove = new QPushButton(tr("Remove"));
  m_remove->setToolTip(tr("Forget this folder (the photos on disk are not touched)"));
  m_remove->setEnabled(false);
  m_index = new QPushButton(tr("Index"));
  m_index->setToolTip(tr("Find new and changed photos and make them searchable"));
  m_cancel = new QPushButton(tr("Stop"));
  m_cancel->setEnabled(false);
  m_progress = new QProgressBar;
  m_progress->setAccessibleName(tr("Indexing progress"));
  m_progress->setTextVisible(true);
  m_progressText = new QLabel;
  m_progressText->setTextFormat(Qt::PlainText);  // names models, folders and errors
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
  m_captionProgressText->setTextFormat(Qt::PlainText);
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
  // Filters: the folder comes from the tree; dates and the minimum relevance from this row.
  m_fromOn = new QCheckBox(tr("From"));
  m_from = new QDateEdit(QDate::currentDate().addYears(-1));
  m_toOn = new QCheckBox(tr("to"));
  m_to = new QDateEdit(QDate::currentDate());
  for (QDateEdit* d : {m_from, m_to}) {
    d->setCalendarPopup(true);
    d->setDisplayFormat(QLocale().dateFormat(QLocale::ShortFormat));
    d->setEnabled(false);
  }
  m_from->setAccessibleName(tr("Taken on or after"));
  m_to->setAccessibleName(tr("Taken on or before"));
  m_minRelevance = new QSpinBox;
  m_minRelevance->setRange(0, 100);
  m_minRelevance->setSuffix(QStringLiteral("%"));
  m_minRelevance->setSpecialValueText(tr("any"));
  m_minRelevance->setAccessibleName(tr("Minimum relevance"));
  m_minRelevance->setToolTip(tr("Search results less relevant than this are left out"));
  auto* filterRow = new QHBoxLayout;
  filterRow->addWidget(m_fromOn);
  filterRow->addWidget(m_from);
  filterRow->addWidget(m_toOn);
  filterRow->addWidget(m_to);
  filterRow->addSpacing(12);
  filterRow->addWidget(new QLabel(tr("Minimum relevance:")));
  filterRow->addWidget(m_minRelevance);
  filterRow->addStretch();
  m_summary = new QLabel;
  m_summary->setTextFormat(Qt::PlainText);
  m_summary->setAccessibleName(tr("Results summary"));
  m_summary->setWordWrap(true);
  m_resultsModel = new QStandardItemModel(this);
  m_results = new QListView;
  m_results->setModel(m_resultsModel);
  // Fixed cells (name, relevance or date, the answer when the results are asked), so long
  // names never run into the next row.
  auto* cells = new ThumbnailDelegate(QSize(160, 120), 3, m_results);
  m_results->setItemDelegate(cells);
  m_results->setViewMode(QListView::IconMode);
  m_results->setIconSize(QSize(160, 120));
  m_results->setGridSize(cells->gridSize(m_results->font()));
  m_results->setUniformItemSizes(true);
  m_results->setResizeMode(QListView::Adjust);
  m_results->setMovement(QListView::Static);
  m_results->setAccessibleName(tr("Search results"));
  m_results->setContextMenuPolicy(Qt::CustomContextMenu);
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
  cl->addLayout(filterRow);
  cl->addWidget(m_summary);
  m_askBar = new AskResultsBar(client, m_results, m_resultsModel, kPathRole);
  cl->addWidget(m_askBar);
  cl->addWidget(m_results, 1);

  m_details = new QLabel(tr("Select a result to see its details."));
  m_details->setWordWrap(true);
  m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_details->setAccessibleName(tr("Photo details"));
  m_detailsPreview = new QLabel;
  m_detailsPreview->setTextFormat(Qt::PlainText);  // "Cannot show NAME"
  m_detailsPreview->setAlignment(Qt::AlignCenter);
  m_detailsPreview->setWordWrap(true);
  m_detailsPreview->setMinimumHeight(kDetailsPreviewHeight);
  m_detailsPreview->setAccessibleName(tr("Photo preview"));
  m_detailsPreview->hide();
  m_captionSource = new QLabel;
  m_captionSource->setWordWrap(true);
  m_captionEdit = new QPlainTextEdit;
  m_captionEdit->setAccessibleName(tr("Caption"));
  m_captionEdit->setPlaceholderText(tr("No caption yet. Type one, or use Caption photos."));
  m_captionEdit->setMaximumHeight(90);
  m_captionEdit->setEnabled(false);
  m_captionOriginal = secondaryLabel(tr("English original"));
  m_saveCaption = new QPushButton(tr("Save caption"));
  m_saveCaption->setEnabled(false);
  m_saveCaption->setToolTip(
      tr("Keep this caption in the library (it is found by search and written by Write "
         "captions to files)"));
  m_open = new QPushButton(tr("Open"));
  m_reveal = new QPushButton(tr("Show in folder"));
  m_similar = new QPushButton(tr("More like this"));
  m_captionThis = new QPushButton(themeIcon(QStringLiteral("insert-text")), tr("Caption"));
  m_captionThis->setToolTip(tr("Open this photo on the Images page and caption it"));
  m_askThis = new QPushButton(themeIcon(QStringLiteral("dialog-question")), tr("Ask about this photo"));
  m_askThis->setToolTip(tr("Open this photo on the Images page with its chat"));
  for (auto* b : {m_open, m_reveal, m_similar, m_captionThis, m_askThis}) b->setEnabled(false);
  auto* right = new QWidget;
  auto* rl = new QVBoxLayout(right);
  rl->addWidget(m_detailsPreview);
  rl->addWidget(m_details, 1);
  rl->addWidget(m_captionSource);
  rl->addWidget(m_captionEdit);
  rl->addWidget(m_captionOriginal);
  rl->addWidget(m_saveCaption);
  rl->addWidget(m_captionThis);
  rl->addWidget(m_askThis);
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
  connect(m_query, &QLineEdit::returnPressed, this, [this] { refresh(); });
  connect(m_searchOriginal, &QPushButton::clicked, this, &LibraryPage::searchOriginal);
  connect(m_leastConfident, &QPushButton::clicked, this, &LibraryPage::showLeastConfident);
  connect(m_askBar, &AskResultsBar::status, this, &LibraryPage::status);
  // Clearing the query goes back to browsing.
  connect(m_query, &QLineEdit::textChanged, this, [this](const QString& text) {
    if (text.trimmed().isEmpty() && !m_lastQuery.isEmpty()) browse();
  });
  connect(m_fromOn, &QCheckBox::toggled, this, [this](bool on) {
    m_from->setEnabled(on);
    refresh();
  });
  connect(m_toOn, &QCheckBox::toggled, this, [this](bool on) {
    m_to->setEnabled(on);
    refresh();
  });
  connect(m_from, &QDateEdit::dateChanged, this, [this] { refresh(); });
  connect(m_to, &QDateEdit::dateChanged, this, [this] { refresh(); });
  connect(m_minRelevance, &QSpinBox::valueChanged, this, [this] {
    if (!m_lastQuery.isEmpty()) refresh();
  });
  connect(m_folders, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    m_remove->setEnabled(item && item->data(0, kLibraryFolderRole).toBool());
    refresh();
  });
  connect(m_captionThis, &QPushButton::clicked, this, &LibraryPage::captionSelected);
  connect(m_askThis, &QPushButton::clicked, this, &LibraryPage::askAboutSelected);
  connect(m_results, &QListView::customContextMenuRequested, this, [this](const QPoint& at) {
    const QModelIndex hit = m_results->indexAt(at);
    if (!hit.isValid()) return;
    m_results->setCurrentIndex(hit);
    QMenu menu(this);
    menu.addAction(themeIcon(QStringLiteral("insert-text")), tr("Caption"), this, &LibraryPage::captionSelected);
    menu.addAction(themeIcon(QStringLiteral("dialog-question")), tr("Ask about this photo"), this,
                   &LibraryPage::askAboutSelected);
    menu.addAction(tr("More like this"), this, &LibraryPage::moreLikeThis);
    menu.addSeparator();
    menu.addAction(tr("Open"), this, &LibraryPage::openSelected);
    menu.addAction(themeIcon(QStringLiteral("folder-open")), tr("Show in folder"), this,
                   &LibraryPage::showSelectedInFolder);
    menu.addAction(themeIcon(QStringLiteral("edit-copy")), tr("Copy path"), this,
                   [this] { QApplication::clipboard()->setText(selectedPath()); });
    menu.exec(m_results->viewport()->mapToGlobal(at));
  });
  // Thumbnails are made for the cells in view only (a library has many thousands).
  auto* thumbTimer = m_thumbTimer = new QTimer(this);
  thumbTimer->setSingleShot(true);
  thumbTimer->setInterval(0);
  connect(thumbTimer, &QTimer::timeout, this, &LibraryPage::requestVisibleThumbnails);
  connect(m_results->verticalScrollBar(), &QScrollBar::valueChanged, thumbTimer, qOverload<>(&QTimer::start));
  connect(m_resultsModel, &QStandardItemModel::rowsInserted, thumbTimer, qOverload<>(&QTimer::start));
  m_results->viewport()->installEventFilter(this);
  connect(m_open, &QPushButton::clicked, this, &LibraryPage::openSelected);
  connect(m_reveal, &QPushButton::clicked, this, &LibraryPage::showSelectedInFolder);
  connect(m_similar, &QPushButton::clicked, this, &LibraryPage::moreLikeThis);
  connect(m_results, &QListView::activated, this, &LibraryPage::openSelected);
  connect(m_results->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
    const QString path = selectedPath();
    for (auto* b : {m_open, m_reveal, m_similar, m_captionThis, m_askThis}) b->setEnabled(!path.isEmpty());
    if (!path.isEmpty()) m_detailsId = m_client->photoDetails(path);
  });
  connect(&m_thumbs, &ThumbnailLoader::loaded, this, [this](const QString& path, const QImage& img) {
    for (int r = 0; r < m_resultsModel->rowCount(); ++r) {
      QStandardItem* it = m_resultsModel->item(r);
      if (it->data(kPathRole).toString() == path) it->setData(img, Qt::DecorationRole);
    }
  });

  auto* c = client;
  // Photos moved to the trash (Similar photos) keep no thumbnail in memory.
  connect(c, &inference::InferenceClient::photosTrashed, this,
          [this](quint64, const library::TrashReport& report) { m_thumbs.forget(report.moved); });
  connect(c, &inference::InferenceClient::libraryOpened, this, [this](quint64 id, const inference::LibraryInfo& info) {
    bool indexNow = false;
    if (id != 0 && id == m_folderId) m_folderPending = false;
    if (id != 0 && id == m_openId) {
      m_openId = 0;
      m_libraryError.clear();
      Q_EMIT messageResolved(QStringLiteral("library"));
      indexNow = std::exchange(m_indexWhenOpen, false);
    }
    showLibraryInfo(info);
    if (indexNow) startOrPauseIndexing();                         // with the library's folders known
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
    // The scan is done: the photos it found can be browsed while their vectors are made.
    if (!m_browsedAfterScan) {
      m_browsedAfterScan = true;
      m_client->directoryCounts();
      if (m_lastQuery.isEmpty()) browse();
    }
    m_progress->setRange(0, std::max(p.total, 1));
    m_progress->setValue(p.done);
    QString text = tr("%1 of %2 photos").arg(p.done).arg(p.total);
    if (m_indexState == IndexState::Running)
      text += QStringLiteral(" · ") +
              tr("%1 photos/s · %2 left").arg(QLocale().toString(p.itemsPerSecond, 'f', 1)).arg(eta(p.etaSeconds));
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
        text = s.failed > 0 ? tr("Done: %n photo(s) indexed", nullptr, s.done) + QStringLiteral(", ") +
                                  tr("%n could not be read (marked “Cannot be read” in the grid).", nullptr, s.failed)
               : s.done == 0 ? tr("Up to date: all %1 photos are searchable.").arg(s.last.done)
                             : tr("Done: %n photo(s) indexed.", nullptr, s.done);
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
    m_client->directoryCounts();
    if (m_lastQuery.isEmpty()) browse();  // new photos
  });
  connect(c, &inference::InferenceClient::searchReady, this,
          [this](quint64 id, const QList<library::SearchResult>& results) {
            if (id == m_searchId) setResults(results, true);
          });
  connect(c, &inference::InferenceClient::translated, this, [this](quint64 id, const inference::Translated& t) {
    if (id != m_searchId || t.kind != inference::Translated::Kind::Query) return;
    m_searchedFor->setText(tr("Searched for: %1").arg(t.text));
    m_searchedFor->setToolTip(
        tr("Translated from %1 to English; BLIP reads English only").arg(translation::languageName(t.from)));
    m_translationRow->show();
  });
  connect(c, &inference::InferenceClient::directoryCountsReady, this,
          [this](quint64, const inference::DirectoryCounts& counts) {
            m_directoryCounts = counts;
            rebuildFolderTree();
          });
  connect(c, &inference::InferenceClient::browseReady, this, [this](quint64 id, const inference::BrowseResult& r) {
    if (id != m_searchId) return;
    setResults(r.photos, false);
    const QString where = folderFilter().isEmpty() ? QString() : QFileInfo(folderFilter()).fileName();
    QString text = r.total > r.photos.size()
                       ? tr("The newest %1 of %2 photos; choose a folder or dates to see the others.")
                             .arg(r.photos.size())
                             .arg(r.total)
                       : tr("%n photo(s), newest first", nullptr, r.total);
    if (!where.isEmpty()) text = tr("In %1: %2").arg(where, text);
    m_summary->setText(text);
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
      m_folderPending = false;
      libraryFailed(tr("Cannot change the folders of the library %1").arg(m_libraryPath), message);
      return;
    }
    if (id != m_searchId) return;
    m_resultsModel->clear();
    // Never an empty grid without a word: the reason stays until dismissed; a library that needs
    // indexing for the search model keeps offering it.
    Q_EMIT status(firstLine(message));
    if (m_info.needEmbedding > 0)
      showLibraryInfo(m_info, /*refreshView=*/false);
    else
      Q_EMIT this->message(
          {QStringLiteral("search"), firstLine(message), firstLine(message) != message ? message : QString(), {}, {}});
  });
}

void LibraryPage::showLibraryInfo(const inference::LibraryInfo& info, bool refreshView) {
  m_info = info;
  if (refreshView) {
    m_libraryFolders = info.folders;
    rebuildFolderTree();
    // The library changed (opened, a folder added or removed): show it as it is now.
    m_client->directoryCounts();
    refresh();
  }
  if (m_indexState == IndexState::Idle) {
    // The library as it is now: indexed (or unreadable, which indexing skips until the file
    // changes) of all its photos, new ones of a folder just added included.
    const int done = std::min(info.searchable + info.failed, info.photos);
    if (info.photos > 0) {
      m_progress->setRange(0, info.photos);
      m_progress->setValue(done);
    } else {
      m_progress->setRange(0, 1);
      m_progress->reset();
    }
    QString text = tr("%1 photos, %2 searchable").arg(info.photos).arg(info.searchable);
    if (!info.searchModel.isEmpty()) text += QStringLiteral(" ") + tr("with %1").arg(info.searchModel);
    if (info.failed > 0) text += QStringLiteral("; ") + tr("%n could not be read", nullptr, info.failed);
    const int notIndexed = info.photos - done - info.needEmbedding;
    if (notIndexed > 0) text += QStringLiteral("; ") + tr("%n not indexed yet", nullptr, notIndexed);
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
  showDetailsPreview(d.path);
  const QSignalBlocker block(m_captionEdit);
  // A caption kept with its translation into the interface language is shown as the Images page
  // showed it: translated, the model's English below. Text typed over it is saved as the user's
  // own caption. A translation into another language (the interface changed since) is not shown.
  const bool translated =
      !d.captionTranslation.isEmpty() && d.captionTranslationLanguage == translation::interfaceLanguage();
  m_captionEdit->setPlainText(translated ? d.captionTranslation : d.caption);
  m_captionEdit->setToolTip(translated ? plainToolTip(tr("English original: %1").arg(d.caption)) : QString());
  m_captionOriginal->setText(translated ? tr("English original: %1").arg(d.caption) : QString());
  m_captionOriginal->setVisible(translated);
  m_captionEdit->setEnabled(true);
  m_saveCaption->setEnabled(false);
}

// The selected photo above its details, decoded off the GUI thread (a later selection wins); a
// file that cannot be decoded says so there instead of leaving the space blank.
void LibraryPage::showDetailsPreview(const QString& path) {
  if (path == m_previewPath) return;
  m_previewPath = path;
  const QSize box(std::max(m_detailsPreview->width(), kDetailsPreviewHeight), kDetailsPreviewHeight);
  auto* watcher = new QFutureWatcher<QImage>(this);
  connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, path] {
    watcher->deleteLater();
    if (path != m_previewPath) return;
    const QImage image = watcher->result();
    if (image.isNull()) {
      m_detailsPreview->setPixmap({});
      m_detailsPreview->setText(tr("Cannot show %1").arg(QFileInfo(path).fileName()));
    } else {
      m_detailsPreview->setPixmap(QPixmap::fromImage(image));
    }
    m_detailsPreview->show();
  });
  watcher->setFuture(QtConcurrent::run(&ThumbnailLoader::load, path, box, ThumbnailLoader::deviceRatio()));
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
  const QString dir =
      folder.isEmpty() ? QFileDialog::getExistingDirectory(this, tr("Add a photo folder"), picturesFolder()) : folder;
  if (dir.isEmpty()) return;
  m_folderId = m_client->addLibraryFolder(QFileInfo(dir).absoluteFilePath());
  m_folderPending = true;
}

void LibraryPage::removeSelectedFolder() {
  // Only a folder of the library itself is forgotten, and only that one (not a subfolder of it,
  // and never the whole library).
  auto* item = m_folders->currentItem();
  if (!item || !item->data(0, kLibraryFolderRole).toBool() || !libraryUsable()) return;
  m_folderId = m_client->removeLibraryFolder(item->data(0, kFolderRole).toString());
  m_folderPending = true;
}

bool LibraryPage::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_results->viewport() && event->type() == QEvent::Resize) m_thumbTimer->start();
  return QWidget::eventFilter(watched, event);
}

QString LibraryPage::folderFilter() const {
  const QTreeWidgetItem* item = m_folders->currentItem();
  return item ? item->data(0, kFolderRole).toString() : QString();
}

void LibraryPage::setFolderFilter(const QString& folder) {
  QTreeWidgetItemIterator it(m_folders);
  for (; *it; ++it)
    if ((*it)->data(0, kFolderRole).toString() == folder) {
      m_folders->setCurrentItem(*it);
      return;
    }
}

void LibraryPage::setDateFilter(const QDate& from, const QDate& to) {
  const QSignalBlocker b1(m_fromOn), b2(m_toOn), b3(m_from), b4(m_to);
  m_fromOn->setChecked(from.isValid());
  m_from->setEnabled(from.isValid());
  if (from.isValid()) m_from->setDate(from);
  m_toOn->setChecked(to.isValid());
  m_to->setEnabled(to.isValid());
  if (to.isValid()) m_to->setDate(to);
  refresh();
}

void LibraryPage::setMinimumRelevance(int percent) {
  m_minRelevance->setValue(percent);
}

QString LibraryPage::resultsSummary() const {
  return m_summary->text();
}

double LibraryPage::scoreOfRelevance(int percent) {
  return percent / 50.0 - 1.0;
}

library::SearchOptions LibraryPage::filters() const {
  library::SearchOptions o;
  o.folder = folderFilter();
  // Dates are the photos' local dates, as the date fields show them (taken-at is stored as the
  // camera's local time read as UTC, so the bounds are UTC midnights too).
  if (m_fromOn->isChecked()) o.afterMs = QDateTime(m_from->date(), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
  if (m_toOn->isChecked()) o.beforeMs = QDateTime(m_to->date().addDays(1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
  if (m_minRelevance->value() > 0) o.minScore = scoreOfRelevance(m_minRelevance->value());
  return o;
}

void LibraryPage::refresh() {
  if (m_query->text().trimmed().isEmpty())
    browse();
  else
    search();
}

void LibraryPage::browse() {
  m_lastQuery.clear();
  m_translationRow->hide();
  library::SearchOptions o = filters();
  o.limit = kBrowseLimit;
  m_probabilities = false;
  m_searchId = m_client->browse(o);
}

void LibraryPage::captionSelected() {
  const QString path = selectedPath();
  if (!path.isEmpty()) Q_EMIT openInImages(path, false);
}

void LibraryPage::askAboutSelected() {
  const QString path = selectedPath();
  if (!path.isEmpty()) Q_EMIT openInImages(path, true);
}

void LibraryPage::rebuildFolderTree() {
  const QString current = folderFilter();
  const bool hadCurrent = m_folders->currentItem() != nullptr;
  QSet<QString> expanded;
  for (QTreeWidgetItemIterator it(m_folders); *it; ++it)
    if ((*it)->isExpanded()) expanded.insert((*it)->data(0, kFolderRole).toString());
  const QSignalBlocker block(m_folders);
  m_folders->clear();
  int all = 0;
  for (const auto& [dir, n] : m_directoryCounts) all += n;
  auto* everything = new QTreeWidgetItem(m_folders, {tr("All photos (%1)").arg(all)});
  everything->setData(0, kFolderRole, QString());
  everything->setIcon(0, themeIcon(QStringLiteral("folder-pictures")));
  QHash<QString, QTreeWidgetItem*> items;
  QHash<QString, int> totals;  // photos below each directory, subfolders included
  for (const QString& root : m_libraryFolders) {
    auto* item = new QTreeWidgetItem(m_folders);
    item->setData(0, kFolderRole, root);
    item->setData(0, kLibraryFolderRole, true);
    item->setToolTip(0, plainToolTip(root));
    item->setIcon(0, themeIcon(QStringLiteral("folder-open")));
    items.insert(root, item);
  }
  // Directories below a library folder, each under its parent (intermediate ones without photos
  // of their own too).
  for (const auto& [dir, n] : m_directoryCounts) {
    QString root;
    for (const QString& r : m_libraryFolders)
      if ((dir == r || dir.startsWith(r + QLatin1Char('/'))) && r.size() > root.size()) root = r;
    if (root.isEmpty()) continue;
    for (QString d = dir;; d = QFileInfo(d).path()) {
      totals[d] += n;
      if (!items.contains(d)) {
        auto* item = new QTreeWidgetItem;
        item->setData(0, kFolderRole, d);
        item->setToolTip(0, plainToolTip(d));
        items.insert(d, item);
      }
      if (d == root) break;
    }
  }
  for (auto it = items.constBegin(); it != items.constEnd(); ++it) {
    QTreeWidgetItem* item = it.value();
    const QString& dir = it.key();
    const bool isRoot = item->data(0, kLibraryFolderRole).toBool();
    const QString name = QFileInfo(dir).fileName().isEmpty() ? dir : QFileInfo(dir).fileName();
    item->setText(0, tr("%1 (%2)").arg(name).arg(totals.value(dir)));
    if (!isRoot) items.value(QFileInfo(dir).path())->addChild(item);
  }
  // "All photos" first, the library's folders in their order, subfolders by name.
  for (const QString& root : m_libraryFolders) items.value(root)->sortChildren(0, Qt::AscendingOrder);
  for (QTreeWidgetItemIterator it(m_folders); *it; ++it) {
    const QString folder = (*it)->data(0, kFolderRole).toString();
    (*it)->setExpanded(expanded.contains(folder) || (*it)->data(0, kLibraryFolderRole).toBool());
    if (hadCurrent && folder == current) m_folders->setCurrentItem(*it);
  }
  if (!m_folders->currentItem()) m_folders->setCurrentItem(everything);
  m_remove->setEnabled(m_folders->currentItem()->data(0, kLibraryFolderRole).toBool());
}

void LibraryPage::requestVisibleThumbnails() {
  const QRect view = m_results->viewport()->rect();
  for (int r = 0; r < m_resultsModel->rowCount(); ++r) {
    const QModelIndex i = m_resultsModel->index(r, 0);
    if (!m_results->visualRect(i).intersects(view)) continue;
    QStandardItem* item = m_resultsModel->item(r);
    if (item->data(Qt::DecorationRole).isNull()) m_thumbs.request(item->data(kPathRole).toString());
  }
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
  if (m_libraryFolders.isEmpty() && !m_folderPending) {
    // Nothing to index: say what to do rather than report an empty library "up to date". (A folder
    // being added is: the worker adds it before it scans.)
    const QString text = tr("Add a folder first: Add folder… chooses where your photos are.");
    m_progressText->setText(text);
    Q_EMIT status(text);
    return;
  }
  m_progress->setRange(0, 0);
  m_progressText->setText(tr("Looking for new and changed photos…"));
  rememberIndexing(true, false);
  m_browsedAfterScan = false;
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
  m_lastQuery = q;
  m_resultsModel->clear();
  library::SearchOptions o = filters();
  o.limit = 60;
  o.rerank = 0;  // interactive: ITC ranking; ITM re-ranking costs a vision pass per result
  m_typedQuery = q;
  m_translationRow->hide();
  m_probabilities = false;
  m_searchId = m_client->search(q, o);
  Q_EMIT status(tr("Searching for \"%1\"…").arg(q));
}

void LibraryPage::searchOriginal() {
  if (m_typedQuery.isEmpty()) return;
  library::SearchOptions o = filters();
  o.limit = 60;
  o.rerank = 0;
  m_probabilities = false;
  m_lastQuery = m_typedQuery;
  m_translationRow->hide();
  m_resultsModel->clear();
  m_searchId = m_client->search(m_typedQuery, o, /*translate=*/false);
  Q_EMIT status(tr("Searching for \"%1\" as typed…").arg(m_typedQuery));
}

void LibraryPage::showLeastConfident() {
  {
    const QSignalBlocker block(m_query);  // not back to browsing
    m_query->clear();
  }
  m_lastQuery = tr("least confident captions");
  m_resultsModel->clear();
  m_searchId = m_client->leastConfidentCaptions(60);
  m_translationRow->hide();
  m_probabilities = true;
  Q_EMIT status(tr("Captions that match their photo least, weakest first (score: match probability)"));
}

void LibraryPage::moreLikeThis() {
  const QString path = selectedPath();
  if (path.isEmpty()) return;
  library::SearchOptions o = filters();
  o.limit = 60;
  {
    const QSignalBlocker block(m_query);  // not back to browsing
    m_query->clear();
  }
  m_lastQuery = QFileInfo(path).fileName();
  m_resultsModel->clear();
  m_probabilities = false;
  m_searchId = m_client->similar(path, o);
  m_translationRow->hide();
  Q_EMIT status(tr("Photos like %1…").arg(QFileInfo(path).fileName()));
}

QString LibraryPage::selectedPath() const {
  const QModelIndex i = m_results->currentIndex();
  return i.isValid() ? i.data(kPathRole).toString() : QString();
}

QList<int> LibraryPage::relevances(const QList<library::SearchResult>& results) {
  QList<int> out;
  int previous = 100;
  for (const auto& r : results) {
    const int percent = std::clamp(static_cast<int>(std::lround((r.score + 1.0) * 50.0)), 0, 100);
    previous = std::min(previous, percent);
    out << previous;
  }
  return out;
}

QStringList LibraryPage::displayNames(const QStringList& paths) {
  QHash<QString, QStringList> byName;
  for (const QString& p : paths) byName[QFileInfo(p).fileName()] << p;
  QStringList out;
  for (const QString& p : paths) {
    const QString name = QFileInfo(p).fileName();
    const QStringList& same = byName[name];
    if (same.size() < 2 || std::all_of(same.begin(), same.end(), [&](const QString& o) { return o == p; })) {
      out << name;
      continue;
    }
    // The shortest tail of the folder that no other path of this name ends with.
    const QStringList parts = QFileInfo(p).path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString tail;
    for (int n = 1; n <= parts.size(); ++n) {
      tail = QStringList(parts.mid(parts.size() - n)).join(QLatin1Char('/'));
      const bool unique = std::none_of(same.begin(), same.end(), [&](const QString& o) {
        return o != p && (QFileInfo(o).path() == tail || QFileInfo(o).path().endsWith(QLatin1Char('/') + tail));
      });
      if (unique) break;
    }
    out << QStringLiteral("%1 (%2)").arg(name, tail);
  }
  return out;
}

void LibraryPage::setResults(const QList<library::SearchResult>& results, bool scored) {
  m_resultsModel->clear();
  QStringList paths;
  for (const auto& r : results) paths << r.path;
  const QStringList names = displayNames(paths);
  const QList<int> percent = relevances(results);
  const QLocale loc;
  QList<QStandardItem*> items;
  for (int i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const QString date = loc.toString(QDateTime::fromMSecsSinceEpoch(r.dateMs, Qt::UTC), QLocale::ShortFormat);
    // Least confident captions carry a match probability, in their own (rising) order.
    const QString relevance =
        m_probabilities ? tr("%1% match").arg(qRound(r.score * 100)) : tr("%1% relevant").arg(percent[i]);
    // A photo indexing could not read says so in its cell, and why in its tooltip.
    const QString second = !r.error.isEmpty() ? tr("Cannot be read") : scored ? relevance : date;
    auto* item = new QStandardItem(names[i] + QLatin1Char('\n') + second);
    item->setData(r.path, kPathRole);
    QString tip = r.path + QLatin1Char('\n') + date;
    if (!r.error.isEmpty()) tip += QLatin1Char('\n') + tr("Cannot be read: %1").arg(r.error);
    if (scored) tip += QLatin1Char('\n') + relevance;
    if (r.textMatch) tip += QLatin1Char('\n') + tr("The file name or caption holds the words searched for");
    if (r.offline) tip += QLatin1Char('\n') + tr("offline (folder not available)");
    item->setToolTip(tip);
    item->setEditable(false);
    const QImage thumb = m_thumbs.cached(r.path);
    if (!thumb.isNull()) item->setData(thumb, Qt::DecorationRole);
    items << item;
  }
  // One insertion for all rows (a browse brings thousands).
  if (!items.isEmpty()) {
    m_resultsModel->insertRows(0, static_cast<int>(items.size()));
    for (int i = 0; i < items.size(); ++i) m_resultsModel->setItem(i, items[i]);
  }
  m_thumbTimer->start();
  if (scored) {
    const int n = static_cast<int>(results.size());
    m_summary->setText(m_probabilities ? tr("%n caption(s) that match their photo least, weakest first", nullptr, n)
                                       : tr("%n result(s) for “%1”, most relevant first", nullptr, n).arg(m_lastQuery));
    Q_EMIT status(tr("%n result(s)", nullptr, static_cast<int>(results.size())));
  }
}

void LibraryPage::openSelected() {
  const QString path = selectedPath();
  if (!path.isEmpty()) openWithDesktop(path, this);
}

void LibraryPage::showSelectedInFolder() {
  const QString path = selectedPath();
  if (!path.isEmpty()) showInFileManager(path, this);
}

}  // namespace glimpse::ui
