#include "writecaptionsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "desktop.h"
#include "imaging/captionwriter.h"
#include "inference/inferenceclient.h"

namespace glimpse::ui {
namespace {

constexpr int kRowRole = Qt::UserRole + 1;  // index into m_rows, on the photo column

QString sourceText(const QString& source) {
  if (source == QLatin1String("edited")) return WriteCaptionsDialog::tr("edited");
  if (source == QLatin1String("metadata")) return WriteCaptionsDialog::tr("from the photo");
  return WriteCaptionsDialog::tr("generated");
}

}  // namespace

WriteCaptionsDialog::WriteCaptionsDialog(inference::InferenceClient* client, QWidget* parent)
    : QDialog(parent), m_client(client) {
  setWindowTitle(tr("Write captions to files"));
  setAccessibleName(windowTitle());
  auto* intro =
      new QLabel(tr("Review the captions before they are written. Nothing changes on disk until you press Write. Other "
                    "metadata (camera data, GPS, keywords, colour profile) and the pictures stay as they are."));
  intro->setWordWrap(true);

  m_embedded = new QCheckBox(tr("In the photo (XMP, EXIF and IPTC description)"));
  m_embedded->setChecked(true);
  m_sidecar = new QCheckBox(tr("XMP sidecar file"));
  m_sidecarName = new QComboBox;
  m_sidecarName->addItem(tr("photo.jpg.xmp (digiKam, darktable)"),
                         imaging::captionTargetKey(imaging::CaptionTarget::XmpSidecar));
  m_sidecarName->addItem(tr("photo.xmp (Lightroom)"),
                         imaging::captionTargetKey(imaging::CaptionTarget::XmpSidecarShort));
  m_sidecarName->setEnabled(false);
  m_txt = new QCheckBox(tr("Text file next to the photo (photo.txt, for training sets)"));
  m_overwrite = new QCheckBox(tr("Replace descriptions the files already have"));
  m_overwrite->setToolTip(tr("Off: a file that already holds a description keeps it and is listed as kept."));
  auto* sidecarRow = new QHBoxLayout;
  sidecarRow->addWidget(m_sidecar);
  sidecarRow->addWidget(m_sidecarName);
  sidecarRow->addStretch(1);

  m_table = new QTableWidget(0, ColumnCount);
  m_table->setHorizontalHeaderLabels(
      {tr("Photo"), tr("Description now"), tr("Caption to write"), tr("Will write"), tr("Result")});
  m_table->setAccessibleName(tr("Captions to write"));
  m_table->verticalHeader()->hide();
  m_table->setWordWrap(true);
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setColumnWidth(PhotoColumn, 180);
  m_table->setColumnWidth(CurrentColumn, 200);
  m_table->setColumnWidth(CaptionColumn, 280);
  m_table->setColumnWidth(PlanColumn, 220);
  m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                           QAbstractItemView::AnyKeyPressed);

  m_summary = new QLabel(tr("Reading the library…"));
  m_summary->setTextFormat(Qt::PlainText);  // errors name files
  m_summary->setWordWrap(true);
  m_progress = new QProgressBar;
  m_progress->hide();
  auto* buttons = new QDialogButtonBox;
  m_write = buttons->addButton(tr("Write"), QDialogButtonBox::AcceptRole);
  m_write->setEnabled(false);
  m_close = buttons->addButton(QDialogButtonBox::Close);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(m_embedded);
  layout->addLayout(sidecarRow);
  layout->addWidget(m_txt);
  layout->addWidget(m_overwrite);
  layout->addWidget(m_table, 1);
  layout->addWidget(m_summary);
  layout->addWidget(m_progress);
  layout->addWidget(buttons);
  resize(1100, 620);

  for (QCheckBox* b : {m_embedded, m_sidecar, m_txt, m_overwrite})
    connect(b, &QCheckBox::toggled, this, [this] { updatePlan(); });
  connect(m_sidecar, &QCheckBox::toggled, m_sidecarName, &QWidget::setEnabled);
  connect(m_sidecarName, &QComboBox::currentIndexChanged, this, [this] { updatePlan(); });
  connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() == PhotoColumn || item->column() == CaptionColumn) updatePlan();
  });
  // The button box's own accept would close the dialog: Write runs the job and stays.
  disconnect(buttons, &QDialogButtonBox::accepted, nullptr, nullptr);
  connect(m_write, &QPushButton::clicked, this, &WriteCaptionsDialog::write);
  connect(m_close, &QPushButton::clicked, this, &QDialog::reject);

  connect(client, &inference::InferenceClient::captionRowsReady, this,
          [this](quint64 id, const QList<inference::CaptionFileRow>& rows) {
            if (id == m_rowsRequest) setRows(rows);
          });
  connect(client, &inference::InferenceClient::failed, this, [this](quint64 id, const QString& message) {
    if (id != m_rowsRequest) return;
    m_summary->setText(tr("The library could not be read: %1").arg(message));
  });
  connect(client, &inference::InferenceClient::captionWritten, this,
          [this](quint64 job, const inference::CaptionWriteReport& r) {
            if (job == m_job) showReport(r);
          });
  connect(client, &inference::InferenceClient::jobProgress, this, [this](quint64 job, const inference::JobProgress& p) {
    if (job != m_job) return;
    m_progress->setRange(0, std::max(p.total, 1));
    m_progress->setValue(p.done);
  });
  connect(client, &inference::InferenceClient::jobFinished, this, [this](quint64 job, const inference::JobSummary& s) {
    if (job != m_job) return;
    m_job = 0;
    m_progress->hide();
    m_close->setEnabled(true);
    updatePlan();
    QString text;
    if (s.state == inference::JobState::Failed)
      text = tr("Writing failed: %1").arg(s.error);
    else if (s.state == inference::JobState::Cancelled)
      text = tr("Stopped after %1 photos.").arg(s.done);
    else
      text = m_failed > 0 ? tr("Done: %1 photos, %2 with errors (see Result).").arg(s.done).arg(m_failed)
                          : tr("Done: %1 photos.").arg(s.done);
    m_summary->setText(text);
  });
  m_rowsRequest = client->captionRows();
}

WriteCaptionsDialog::~WriteCaptionsDialog() {
  // Closing the dialog while it writes stops after the photo in flight; what is written stays.
  if (m_job != 0) m_client->cancelJob(m_job);
}

void WriteCaptionsDialog::setRows(const QList<inference::CaptionFileRow>& rows) {
  m_rows = rows;
  const QSignalBlocker block(m_table);
  m_table->setRowCount(static_cast<int>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    const inference::CaptionFileRow& r = rows[i];
    auto* photo = new QTableWidgetItem(QFileInfo(r.path).fileName());
    photo->setToolTip(plainToolTip(r.path));
    photo->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    photo->setCheckState(Qt::Checked);
    photo->setData(kRowRole, i);
    auto* current = new QTableWidgetItem(r.current.isEmpty() ? tr("(none)") : r.current);
    current->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    current->setToolTip(plainToolTip(r.current));  // what the file holds: outside text
    auto* caption = new QTableWidgetItem(r.caption);
    caption->setToolTip(tr("Caption (%1); double-click to edit before writing").arg(sourceText(r.source)));
    auto* plan = new QTableWidgetItem;
    plan->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    auto* result = new QTableWidgetItem;
    result->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    m_table->setItem(i, PhotoColumn, photo);
    m_table->setItem(i, CurrentColumn, current);
    m_table->setItem(i, CaptionColumn, caption);
    m_table->setItem(i, PlanColumn, plan);
    m_table->setItem(i, ResultColumn, result);
  }
  m_loaded = true;
  updatePlan();
}

QStringList WriteCaptionsDialog::targets() const {
  QStringList t;
  if (m_embedded->isChecked()) t << imaging::captionTargetKey(imaging::CaptionTarget::Embedded);
  if (m_sidecar->isChecked()) t << m_sidecarName->currentData().toString();
  if (m_txt->isChecked()) t << imaging::captionTargetKey(imaging::CaptionTarget::Txt);
  return t;
}

void WriteCaptionsDialog::updatePlan() {
  if (!m_loaded) return;
  const QSignalBlocker block(m_table);
  const QStringList keys = targets();
  int count = 0;
  for (int i = 0; i < m_table->rowCount(); ++i) {
    const bool on = m_table->item(i, PhotoColumn)->checkState() == Qt::Checked;
    const QString caption = m_table->item(i, CaptionColumn)->text().trimmed();
    const inference::CaptionFileRow& r = m_rows[m_table->item(i, PhotoColumn)->data(kRowRole).toInt()];
    QStringList lines;
    if (on && !caption.isEmpty()) {
      for (const QString& key : keys) {
        const auto target = imaging::captionTargetFromKey(key);
        if (!target) continue;
        const QString file = QFileInfo(imaging::plannedFile(r.path, *target)).fileName();
        // Only the photo's own description is known here; sidecars and text files say at write time.
        if (*target != imaging::CaptionTarget::Embedded)
          lines << file;
        else if (!r.current.isEmpty() && r.current != caption && !m_overwrite->isChecked())
          lines << tr("%1: keeps its own description").arg(file);
        else
          lines << tr("%1 (description)").arg(file);
      }
      if (!lines.isEmpty()) ++count;
    } else {
      lines << (on ? tr("nothing: empty caption") : tr("skipped"));
    }
    m_table->item(i, PlanColumn)->setText(lines.join(QLatin1Char('\n')));
  }
  m_table->resizeRowsToContents();
  m_write->setText(count == 1 ? tr("Write 1 caption") : tr("Write %1 captions").arg(count));
  m_write->setEnabled(count > 0 && m_job == 0);
  if (m_job == 0 && m_rows.isEmpty())
    m_summary->setText(
        tr("No photo in the library has a caption yet. Caption photos first (Library → Caption photos)."));
  else if (m_job == 0 && keys.isEmpty())
    m_summary->setText(tr("Choose where to write the captions."));
  else if (m_job == 0)
    m_summary->setText(count == 1 ? tr("1 photo will be written.") : tr("%1 photos will be written.").arg(count));
}

void WriteCaptionsDialog::write() {
  if (!isReady()) return;
  QList<inference::CaptionFileRow> rows;
  for (int i = 0; i < m_table->rowCount(); ++i) {
    if (m_table->item(i, PhotoColumn)->checkState() != Qt::Checked) continue;
    inference::CaptionFileRow r = m_rows[m_table->item(i, PhotoColumn)->data(kRowRole).toInt()];
    r.caption = m_table->item(i, CaptionColumn)->text().trimmed();
    if (r.caption.isEmpty()) continue;
    rows << r;
    m_table->item(i, ResultColumn)->setText(tr("waiting…"));
  }
  const QStringList keys = targets();
  if (rows.isEmpty() || keys.isEmpty()) return;
  m_failed = 0;
  m_job = m_client->writeCaptions(rows, keys, m_overwrite->isChecked());
  m_write->setEnabled(false);
  m_close->setEnabled(false);
  m_progress->setRange(0, static_cast<int>(rows.size()));
  m_progress->setValue(0);
  m_progress->show();
  m_summary->setText(tr("Writing %n caption(s)…", nullptr, static_cast<int>(rows.size())));
}

void WriteCaptionsDialog::showReport(const inference::CaptionWriteReport& r) {
  if (!r.errors.isEmpty()) ++m_failed;
  for (int i = 0; i < m_table->rowCount(); ++i) {
    const inference::CaptionFileRow& row = m_rows[m_table->item(i, PhotoColumn)->data(kRowRole).toInt()];
    if (row.path != r.path) continue;
    QStringList lines;
    for (const QString& f : r.written) lines << tr("written: %1").arg(QFileInfo(f).fileName());
    for (const QString& f : r.kept) lines << tr("kept its own: %1").arg(QFileInfo(f).fileName());
    for (const QString& e : r.errors) lines << tr("failed: %1").arg(e);
    QTableWidgetItem* item = m_table->item(i, ResultColumn);
    item->setText(lines.join(QLatin1Char('\n')));
    item->setForeground(r.errors.isEmpty() ? palette().text() : QBrush(QColor(0xb0, 0x20, 0x20)));
    m_table->resizeRowToContents(i);
    break;
  }
}

}  // namespace glimpse::ui
