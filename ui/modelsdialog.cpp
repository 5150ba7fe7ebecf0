#include "modelsdialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "models/hubdownloader.h"
#include "models/modelimporter.h"
#include "models/modelstore.h"

namespace glimpse::ui {
namespace {

enum Column { kName, kTask, kSize, kStatus };
constexpr int kFolderRole = Qt::UserRole + 1;
constexpr int kTaskRole = Qt::UserRole + 2;
constexpr int kRepoRole = Qt::UserRole + 3;

// The task a checkpoint is for: its most specific head (retrieval and VQA checkpoints also hold
// parts a caption head could use).
std::optional<Task> taskOfHeads(const QStringList& heads) {
  const QList<Task> tasks = tasksOfHeads(heads);
  for (Task t : {Task::Search, Task::Ask, Task::Caption})
    if (tasks.contains(t)) return t;
  return std::nullopt;
}

}  // namespace

ModelsDialog::ModelsDialog(SettingsStore* store, QWidget* parent) : QDialog(parent), m_store(store) {
  setWindowTitle(tr("Models"));
  auto* intro = new QLabel(tr("Glimpse needs a BLIP model for each task. Download one (it stays on this computer), or "
                              "import a folder you already have. Models are kept in %1.")
                               .arg(models::modelsDir()));
  intro->setWordWrap(true);
  m_table = new QTableWidget(0, 4);
  m_table->setHorizontalHeaderLabels({tr("Model"), tr("Task"), tr("Size"), tr("Status")});
  m_table->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
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
  m_status->setWordWrap(true);
  auto* buttons = new QHBoxLayout;
  for (auto* b : {m_download, m_cancel, m_use, m_remove}) buttons->addWidget(b);
  buttons->addStretch();
  buttons->addWidget(m_import);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
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
  connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
    const int row = selectedRow();
    const bool installed =
        row >= 0 && !rowFolder(row).isEmpty() && QFileInfo::exists(rowFolder(row) + QStringLiteral("/config.json"));
    m_download->setEnabled(row >= 0 && !installed && !m_downloader &&
                           !m_table->item(row, kName)->data(kRepoRole).toString().isEmpty());
    m_use->setEnabled(installed);
    m_remove->setEnabled(installed && rowFolder(row).startsWith(models::modelsDir()));
  });
  refresh();
}

ModelsDialog::~ModelsDialog() {
  if (m_downloader) m_downloader->cancel();
}

void ModelsDialog::refresh() {
  const QString keep = selectedRow() >= 0 ? m_table->item(selectedRow(), kName)->text() : QString();
  m_table->setRowCount(0);
  const QLocale loc;
  auto addRow = [&](const QString& name, const QString& repo, std::optional<Task> task, const QString& size,
                    const QString& about, const QString& folder) {
    const int r = m_table->rowCount();
    m_table->insertRow(r);
    auto* n = new QTableWidgetItem(name);
    n->setToolTip(about);
    n->setData(kFolderRole, folder);
    n->setData(kTaskRole, task ? static_cast<int>(*task) : -1);
    n->setData(kRepoRole, repo);
    m_table->setItem(r, kName, n);
    m_table->setItem(r, kTask, new QTableWidgetItem(task ? taskLabel(*task) : QString()));
    m_table->setItem(r, kSize, new QTableWidgetItem(size));
    QString status;
    if (QFileInfo::exists(folder + QStringLiteral("/config.json"))) {
      status = tr("Installed");
      const QString inUse = task ? m_store->current().model(*task) : QString();
      if (!inUse.isEmpty() && QFileInfo(inUse).canonicalFilePath() == QFileInfo(folder).canonicalFilePath())
        status = tr("In use");
    } else if (QFileInfo::exists(folder + QStringLiteral(".download"))) {
      status = tr("Partly downloaded");
    }
    m_table->setItem(r, kStatus, new QTableWidgetItem(status));
    if (name == keep) m_table->selectRow(r);
  };
  QStringList listed;
  for (const auto& e : models::catalogue()) {
    addRow(e.repo, e.repo, e.task, tr("~%1").arg(loc.formattedDataSize(qint64(e.sizeMb) * 1000 * 1000)), e.about,
           models::folderFor(e.repo));
    listed << QDir::cleanPath(models::folderFor(e.repo));
  }
  for (const auto& m : models::installedModels()) {
    if (listed.contains(QDir::cleanPath(m.folder))) continue;
    addRow(m.name, QString(), taskOfHeads(m.heads), QString(), m.usable ? m.summary : m.problem, m.folder);
  }
}

int ModelsDialog::selectedRow() const {
  const auto rows = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
  return rows.isEmpty() ? -1 : rows.front().row();
}

QString ModelsDialog::rowFolder(int row) const {
  return m_table->item(row, kName)->data(kFolderRole).toString();
}
std::optional<Task> ModelsDialog::rowTask(int row) const {
  const int t = m_table->item(row, kName)->data(kTaskRole).toInt();
  if (t < 0 || t >= kTaskCount) return std::nullopt;
  return static_cast<Task>(t);
}

void ModelsDialog::assign(std::optional<Task> task, const QString& folder, bool onlyIfEmpty) {
  if (!task || (onlyIfEmpty && !m_store->current().model(*task).isEmpty())) return;
  m_store->setModel(*task, folder);  // that task only: the other settings stay as they are
}

void ModelsDialog::downloadSelected() {
  const int row = selectedRow();
  if (row < 0 || m_downloader) return;
  const QString repo = m_table->item(row, kName)->data(kRepoRole).toString();
  if (repo.isEmpty()) return;
  m_downloadTask = rowTask(row);
  m_downloader = new models::HubDownloader(repo, {}, this);
  m_download->setEnabled(false);
  m_cancel->setEnabled(true);
  m_progress->setVisible(true);
  m_progress->setRange(0, 0);
  m_status->setText(tr("Connecting to %1…").arg(models::HubDownloader::defaultEndpoint()));
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
      assign(m_downloadTask, folder, /*onlyIfEmpty=*/true);  // usable at once
    } else {
      m_status->setText(tr("Download stopped: %1").arg(error));
    }
    refresh();
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
  if (QMessageBox::question(this, tr("Remove model"), tr("Delete %1 from this computer?").arg(folder)) !=
      QMessageBox::Yes)
    return;
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
              assign(taskOfHeads(m.heads), result, /*onlyIfEmpty=*/true);
              m_status->setText(tr("Imported %1: %2").arg(m.name, m.summary));
            } else if (cancelled) {
              m_status->setText(tr("Import of %1 stopped; nothing of it was kept.").arg(dir));
            } else {
              m_status->setText(tr("Cannot import: %1").arg(result));
            }
            refresh();
          });
  m_importer->start();
}

void ModelsDialog::useSelected() {
  const int row = selectedRow();
  if (row < 0) return;
  assign(rowTask(row), rowFolder(row), /*onlyIfEmpty=*/false);
  refresh();
}

}  // namespace glimpse::ui
