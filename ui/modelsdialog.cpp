#include "modelsdialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "desktop.h"
#include "messagebar.h"
#include "models/hubdownloader.h"
#include "models/modelimporter.h"
#include "models/modelstore.h"
#include "settingsdialog.h"
#include "translation/language.h"

namespace glimpse::ui {
namespace {

// Translation models are offered where the interface is not English: those between its language
// and English, and opus-mt-mul-en for queries in other languages.
bool offered(const models::CatalogueEntry& e) {
  if (e.task != Task::Translate) return true;
  const QString ui = translation::interfaceLanguage();
  if (ui == QLatin1String("en")) return false;
  const QString name = e.repo.section(QLatin1Char('/'), 1);
  return name == QStringLiteral("opus-mt-%1-en").arg(ui) || name == QStringLiteral("opus-mt-en-%1").arg(ui) ||
         name == QLatin1String("opus-mt-mul-en");
}

enum Column { kName, kTask, kSize, kStatus };
constexpr int kFolderRole = Qt::UserRole + 1;
constexpr int kTaskRole = Qt::UserRole + 2;
constexpr int kRepoRole = Qt::UserRole + 3;
constexpr int kUsableRole = Qt::UserRole + 4;

QString taskLabels(const QList<Task>& tasks) {
  QStringList labels;
  for (Task t : tasks) labels << taskLabel(t);
  return labels.join(QStringLiteral(", "));
}

bool sameFolder(const QString& a, const QString& b) {
  return !a.isEmpty() && !b.isEmpty() && QFileInfo(a).canonicalFilePath() == QFileInfo(b).canonicalFilePath();
}

QString sizeOf(qint64 mb) {
  return QLocale().formattedDataSize(mb * 1000 * 1000, 1, QLocale::DataSizeSIFormat);
}

}  // namespace

ModelsDialog::ModelsDialog(SettingsStore* store, QWidget* parent) : QDialog(parent), m_store(store) {
  setWindowTitle(tr("Models"));
  // Said once: what the first-run panel below says is not said here again.
  auto* intro = new QLabel(tr("Download models from the list or import a folder you already have. They stay on this "
                              "computer, in %1.")
                               .arg(models::modelsDir()));
  intro->setTextFormat(Qt::PlainText);  // a folder name is no markup
  intro->setWordWrap(true);
  m_firstRun = new QGroupBox(tr("Get started"));
  m_firstRunText = new QLabel;
  m_firstRunText->setWordWrap(true);
  m_firstRunText->setTextFormat(Qt::RichText);  // the list of models; its entries are escaped
  m_recommended = new QPushButton;
  m_recommended->setAccessibleName(tr("Download the recommended models"));
  auto* firstRunLayout = new QVBoxLayout(m_firstRun);
  firstRunLayout->addWidget(m_firstRunText);
  auto* firstRunButtons = new QHBoxLayout;
  firstRunButtons->addWidget(m_recommended);
  firstRunButtons->addStretch();
  firstRunLayout->addLayout(firstRunButtons);
  m_table = new QTableWidget(0, 4);
  m_table->setHorizontalHeaderLabels({tr("Model"), tr("Task"), tr("Size"), tr("Status")});
  m_table->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
  // The task and size columns fit their words in every language ("Bibliothekssuche"); the name takes the rest.
  m_table->horizontalHeader()->setSectionResizeMode(kTask, QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(kSize, QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setSectionResizeMode(kStatus, QHeaderView::ResizeToContents);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->verticalHeader()->hide();
  m_table->setAccessibleName(tr("Models"));
  m_download = new QPushButton(tr("&Download"));
  m_cancel = new QPushButton(tr("&Stop download"));
  m_cancel->setEnabled(false);
  m_use = new QPushButton(tr("&Use for its task"));
  m_remove = new QPushButton(tr("&Remove"));
  m_import = new QPushButton(tr("&Import folder…"));
  m_progress = new QProgressBar;
  m_progress->setVisible(false);
  m_progress->setAccessibleName(tr("Download progress"));
  m_status = new QLabel;
  m_status->setTextFormat(Qt::PlainText);  // names models, folders and errors
  m_status->setWordWrap(true);
  auto* buttons = new QHBoxLayout;
  for (auto* b : {m_download, m_cancel, m_use, m_remove}) buttons->addWidget(b);
  buttons->addStretch();
  buttons->addWidget(m_import);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_firstRun);
  layout->addWidget(intro);  // just above the list it speaks of
  layout->addWidget(m_table, 1);
  layout->addLayout(buttons);
  layout->addWidget(m_progress);
  layout->addWidget(m_status);
  layout->addWidget(close);
  resize(820, 480);

  connect(m_download, &QPushButton::clicked, this, &ModelsDialog::downloadSelected);
  connect(m_cancel, &QPushButton::clicked, this, &ModelsDialog::cancelDownload);
  connect(m_remove, &QPushButton::clicked, this, &ModelsDialog::removeSelected);
  connect(m_use, &QPushButton::clicked, this, &ModelsDialog::useSelected);
  connect(m_import, &QPushButton::clicked, this, [this] { importFolder(); });
  connect(m_recommended, &QPushButton::clicked, this, &ModelsDialog::downloadRecommended);
  connect(m_table, &QTableWidget::itemSelectionChanged, this, &ModelsDialog::updateButtons);
  refresh();
}

ModelsDialog::~ModelsDialog() {
  if (m_downloader) m_downloader->cancel();
}

void ModelsDialog::refresh() {
  const QString keep = selectedRow() >= 0 ? m_table->item(selectedRow(), kName)->text() : QString();
  m_table->setRowCount(0);
  const QLocale loc;
  auto addRow = [&](const QString& name, const QString& repo, const QList<Task>& tasks, const QString& size,
                    const QString& about, const QString& folder, bool usable) {
    const int r = m_table->rowCount();
    m_table->insertRow(r);
    auto* n = new QTableWidgetItem(name);
    n->setToolTip(plainToolTip(about));  // a loader's report names folders and files
    n->setData(kFolderRole, folder);
    QVariantList taskValues;
    for (Task t : tasks) taskValues << static_cast<int>(t);
    n->setData(kTaskRole, taskValues);
    n->setData(kRepoRole, repo);
    n->setData(kUsableRole, usable);
    m_table->setItem(r, kName, n);
    m_table->setItem(r, kTask, new QTableWidgetItem(taskLabels(tasks)));
    m_table->setItem(r, kSize, new QTableWidgetItem(size));
    QString status;
    if (QFileInfo::exists(folder + QStringLiteral("/config.json"))) {
      QList<Task> inUse;
      for (Task t : tasks)
        if (sameFolder(m_store->current().model(t), folder)) inUse << t;
      if (!usable)
        status = tr("Cannot be used: %1").arg(firstLine(about, 80));
      else if (inUse.isEmpty())
        status = tr("Installed");
      else if (inUse.size() == 1 && tasks.size() == 1)
        status = tr("In use");
      else
        status = tr("In use for %1").arg(taskLabels(inUse));
    } else if (const qint64 partial = models::partialDownloadBytes(folder); partial > 0) {
      // A download that fetched nothing is no part of a model: it is not listed as one.
      status = tr("Partly downloaded (%1)").arg(loc.formattedDataSize(partial));
    }
    m_table->setItem(r, kStatus, new QTableWidgetItem(status));
    if (name == keep) m_table->selectRow(r);
  };
  QStringList listed;
  for (const auto& e : models::catalogue()) {
    const QString folder = models::folderFor(e.repo);
    const bool installed = QFileInfo::exists(folder + QStringLiteral("/config.json"));
    if (!installed && !offered(e)) continue;
    const auto m = installed ? models::describe(folder) : models::InstalledModel{};
    addRow(e.repo, e.repo, {e.task}, tr("~%1").arg(sizeOf(e.sizeMb)), installed && !m.usable ? m.problem : e.about,
           folder, !installed || m.usable);
    listed << QDir::cleanPath(folder);
  }
  for (const auto& m : models::installedModels()) {
    if (listed.contains(QDir::cleanPath(m.folder))) continue;
    // One folder may serve several tasks (a checkpoint with several heads).
    addRow(m.name, QString(), tasksOfHeads(m.heads), QString(),
           m.usable ? SettingsDialog::summaryText(m.summary) : m.problem, m.folder, m.usable);
  }
  updateButtons();
  updateFirstRun();
}

void ModelsDialog::updateButtons() {
  const int row = selectedRow();
  const QString folder = row >= 0 ? rowFolder(row) : QString();
  const bool installed = row >= 0 && QFileInfo::exists(folder + QStringLiteral("/config.json"));
  const bool downloadable = row >= 0 && !installed && !m_table->item(row, kName)->data(kRepoRole).toString().isEmpty();
  bool usedEverywhere = true;
  for (Task t : row >= 0 ? rowTasks(row) : QList<Task>())
    if (!sameFolder(m_store->current().model(t), folder)) usedEverywhere = false;
  // Enabled only when a click does something; the tooltip says why not.
  m_download->setEnabled(downloadable && !m_downloader);
  m_download->setToolTip(row < 0         ? tr("Select a model first")
                         : installed     ? tr("This model is installed")
                         : m_downloader  ? tr("A download is running")
                         : !downloadable ? tr("This model is not in the catalogue")
                                         : tr("Download this model"));
  m_use->setEnabled(installed && rowUsable(row) && !usedEverywhere);
  m_use->setToolTip(row < 0           ? tr("Select a model first")
                    : !installed      ? tr("Download or import it first")
                    : !rowUsable(row) ? tr("This folder cannot be used")
                    : usedEverywhere  ? tr("Already in use")
                                      : tr("Use this model for %1").arg(taskLabels(rowTasks(row))));
  const bool removable = installed && QDir::cleanPath(folder).startsWith(models::modelsDir() + QLatin1Char('/'));
  m_remove->setEnabled(removable);
  m_remove->setToolTip(row < 0      ? tr("Select a model first")
                       : !installed ? tr("Not installed")
                       : !removable
                           ? plainToolTip(tr("Glimpse removes only the models it keeps in %1").arg(models::modelsDir()))
                           : tr("Delete this model from this computer"));
}

QList<models::CatalogueEntry> ModelsDialog::recommendedToDownload() const {
  QList<models::CatalogueEntry> out;
  for (const auto& e : models::recommendedSet())
    if (m_store->current().model(e.task).isEmpty() &&
        !QFileInfo::exists(models::folderFor(e.repo) + QStringLiteral("/config.json")))
      out << e;
  return out;
}

void ModelsDialog::updateFirstRun() {
  bool missing = false;
  for (Task t : kTasks) missing = missing || m_store->current().model(t).isEmpty();
  m_firstRun->setVisible(missing || !m_queue.isEmpty());
  QStringList lines;
  int totalMb = 0;
  const auto toFetch = recommendedToDownload();
  for (const auto& e : models::recommendedSet()) {
    const bool fetch = std::any_of(toFetch.begin(), toFetch.end(), [&](const auto& x) { return x.repo == e.repo; });
    if (fetch) totalMb += e.sizeMb;
    lines
        << tr("%1: %2 (%3)").arg(taskLabel(e.task), e.repo, fetch ? sizeOf(e.sizeMb) : tr("installed")).toHtmlEscaped();
  }
  m_firstRunText->setText(
      QStringLiteral("<p>") +
      tr("Glimpse needs one model per task. The recommended set works well on everyday photos:").toHtmlEscaped() +
      QStringLiteral("</p><ul><li>") + lines.join(QStringLiteral("</li><li>")) + QStringLiteral("</li></ul><p>") +
      tr("Each model is used as soon as it is ready.").toHtmlEscaped() + QStringLiteral("</p>"));
  m_recommended->setText(toFetch.isEmpty() ? tr("Use the recommended models")
                                           : tr("Download the recommended models (%1)").arg(sizeOf(totalMb)));
  m_recommended->setEnabled(!m_downloader && missing);
}

int ModelsDialog::selectedRow() const {
  const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
  return rows.isEmpty() ? -1 : rows.front().row();
}

QString ModelsDialog::rowFolder(int row) const {
  return m_table->item(row, kName)->data(kFolderRole).toString();
}
QList<Task> ModelsDialog::rowTasks(int row) const {
  QList<Task> out;
  for (const QVariant& v : m_table->item(row, kName)->data(kTaskRole).toList())
    if (v.toInt() >= 0 && v.toInt() < kTaskCount) out << static_cast<Task>(v.toInt());
  return out;
}

bool ModelsDialog::rowUsable(int row) const {
  return m_table->item(row, kName)->data(kUsableRole).toBool();
}

void ModelsDialog::assign(const QList<Task>& tasks, const QString& folder, bool onlyIfEmpty) {
  for (Task t : tasks)
    if (!onlyIfEmpty || m_store->current().model(t).isEmpty())
      m_store->setModel(t, folder);  // that task only: the other settings stay as they are
}

void ModelsDialog::downloadSelected() {
  const int row = selectedRow();
  if (row < 0 || m_downloader) return;
  const QString repo = m_table->item(row, kName)->data(kRepoRole).toString();
  const auto all = models::catalogue();
  if (const auto* e = models::findInCatalogue(all, repo)) startDownload(*e);
}

void ModelsDialog::downloadRecommended() {
  if (m_downloader) return;
  // Installed ones are used at once; the others are fetched one after the other.
  for (const auto& e : models::recommendedSet()) {
    const QString folder = models::folderFor(e.repo);
    if (QFileInfo::exists(folder + QStringLiteral("/config.json")) && models::describe(folder).usable)
      assign({e.task}, folder, /*onlyIfEmpty=*/true);
  }
  m_queue = recommendedToDownload();
  refresh();
  if (!m_queue.isEmpty()) startDownload(m_queue.takeFirst());
}

void ModelsDialog::startDownload(const models::CatalogueEntry& entry) {
  const QString repo = entry.repo;
  m_downloadTasks = {entry.task};
  m_downloader = new models::HubDownloader(repo, {}, this);
  m_download->setEnabled(false);
  m_recommended->setEnabled(false);
  connect(m_downloader, &models::HubDownloader::planned, this, [this, repo](qint64 total, const QStringList& files) {
    m_status->setText(
        tr("Downloading %1: %2 files, %3").arg(repo).arg(files.size()).arg(QLocale().formattedDataSize(total)));
  });
  connect(m_downloader, &models::HubDownloader::progress, this,
          [this](qint64 done, qint64 total, double rate, double eta) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
            m_progress->setFormat(tr("%1 of %2 · %3/s · %4 s left")
                                      .arg(QLocale().formattedDataSize(done), QLocale().formattedDataSize(total),
                                           QLocale().formattedDataSize(static_cast<qint64>(rate)))
                                      .arg(eta < 0 ? 0 : static_cast<int>(eta)));
          });
  connect(m_downloader, &models::HubDownloader::finished, this, [this, repo](bool ok, const QString& error) {
    const QString folder = m_downloader ? m_downloader->targetFolder() : QString();
    m_downloader->deleteLater();
    m_downloader = nullptr;
    m_cancel->setEnabled(false);
    m_progress->setVisible(false);
    if (ok) {
      m_status->setText(tr("%1 is ready.").arg(repo));
      assign(m_downloadTasks, folder, /*onlyIfEmpty=*/true);  // usable at once
    } else {
      m_queue.clear();  // the rest of a recommended set waits for another click
      m_status->setText(tr("Download of %1 stopped: %2").arg(repo, firstLine(error)));
      m_status->setToolTip(plainToolTip(error));
    }
    refresh();
    if (ok && !m_queue.isEmpty()) startDownload(m_queue.takeFirst());
  });
  m_downloader->start();
}

void ModelsDialog::cancelDownload() {
  if (m_downloader) m_downloader->cancel();
  if (m_importer) m_importer->cancel();
}

void ModelsDialog::removeSelected() {
  const int row = selectedRow();
  if (row < 0) return;
  const QString folder = rowFolder(row);
  QMessageBox ask(QMessageBox::Question, tr("Remove model"), tr("Delete %1 from this computer?").arg(folder),
                  QMessageBox::Yes | QMessageBox::No, this);
  ask.setTextFormat(Qt::PlainText);  // a folder name is no markup
  if (ask.exec() != QMessageBox::Yes) return;
  try {
    models::removeModel(folder);
    m_store->forgetModel(folder);  // a command-line folder ends for this session; nothing else is saved
    m_status->setText(tr("Removed %1.").arg(folder));
  } catch (const std::exception& e) {
    m_status->setText(QString::fromUtf8(e.what()));
  }
  refresh();
}

void ModelsDialog::importFolder(const QString& folder) {
  if (m_importer) return;  // one at a time
  const QString dir =
      folder.isEmpty() ? QFileDialog::getExistingDirectory(this, tr("Import a BLIP model folder")) : folder;
  if (dir.isEmpty()) return;
  m_importer = new models::ModelImporter(dir, {}, this);
  m_import->setEnabled(false);
  m_cancel->setEnabled(true);
  m_cancel->setText(tr("&Stop import"));
  m_progress->setVisible(true);
  m_progress->setRange(0, 0);
  m_status->setText(tr("Importing %1…").arg(dir));
  connect(m_importer, &models::ModelImporter::progress, this, [this](qint64 done, qint64 total) {
    m_progress->setRange(0, 1000);
    m_progress->setValue(total > 0 ? static_cast<int>(1000 * done / total) : 0);
    m_progress->setFormat(tr("%1 of %2").arg(QLocale().formattedDataSize(done), QLocale().formattedDataSize(total)));
  });
  connect(m_importer, &models::ModelImporter::finished, this,
          [this, dir](bool ok, const QString& result, bool cancelled) {
            m_importer->deleteLater();
            m_importer = nullptr;
            m_import->setEnabled(true);
            m_cancel->setEnabled(false);
            m_cancel->setText(tr("&Stop download"));
            m_progress->setVisible(false);
            if (ok) {
              const auto m = models::describe(result);
              // Every task its heads serve (one folder may hold all three), where none is set yet.
              const QList<Task> tasks = tasksOfHeads(m.heads);
              assign(tasks, result, /*onlyIfEmpty=*/true);
              m_status->setText(
                  tr("Imported %1 for %2: %3").arg(m.name, taskLabels(tasks), SettingsDialog::summaryText(m.summary)));
              m_status->setToolTip(QString());
            } else if (cancelled) {
              m_status->setText(tr("Import of %1 stopped; nothing of it was kept.").arg(dir));
            } else {
              // One line; the whole report (a loader can name every tensor) on hover and in the log.
              m_status->setText(tr("Cannot import: %1").arg(firstLine(result)));
              m_status->setToolTip(plainToolTip(result));
              applog::write(QStringLiteral("error"), tr("Cannot import: %1").arg(result));
            }
            refresh();
          });
  m_importer->start();
}

void ModelsDialog::useSelected() {
  const int row = selectedRow();
  if (row < 0) return;
  assign(rowTasks(row), rowFolder(row), /*onlyIfEmpty=*/false);
  refresh();
}

}  // namespace glimpse::ui
