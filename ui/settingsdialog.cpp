#include "settingsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>

#include "blip.h"
#include "messagebar.h"
#include "models/modelstore.h"

namespace glimpse::ui {

QString SettingsDialog::describe(const QString& folder, const char* wantedHead) {
  return verify(folder, wantedHead).text;
}

SettingsDialog::Check SettingsDialog::verify(const QString& folder, const char* wantedHead) {
  if (folder.trimmed().isEmpty()) return {tr("Not set."), {}, true};
  // The model manager's verify: config, tokenizer, weights' header against the file and the
  // config's shapes; nothing is loaded.
  const auto m = models::describe(folder.trimmed());
  if (!m.usable) return {tr("Cannot be used: %1").arg(firstLine(m.problem, 160)), m.problem, false};
  if (!m.heads.contains(QString::fromLatin1(wantedHead)))
    return {tr("This checkpoint does not do this task: it has %1, this task needs %2.")
                .arg(m.heads.join(QStringLiteral(", ")), QString::fromLatin1(wantedHead)),
            {},
            false};
  return {tr("Ready: %1 (%2).").arg(m.heads.join(QStringLiteral(", ")), m.summary), {}, true};
}

QString SettingsDialog::describePrecision(const QString& precision) {
  const auto mode = blip::parse_precision(precision.toStdString()).value_or(blip::Precision::Float32);
  QString text;
  switch (mode) {
    case blip::Precision::Float32:
      text = tr("Every model computes in 32-bit floats: the same words and scores as the reference implementation.");
      break;
    case blip::Precision::BFloat16:
      text = tr(
          "Products in 16-bit bfloat: captions and search about 1.5 times as fast. Search embeddings agree with Exact "
          "to a cosine of 0.9999; a caption may take another word at some point and go on differently from there.");
      break;
    case blip::Precision::Int8:
      text =
          tr("Image encoding with 8-bit weights, text in 32-bit: indexing and captions start faster. Search "
             "embeddings agree with Exact to a cosine of 0.999; most captions are the same.");
      break;
  }
  const std::string problem = blip::precision_problem(mode);
  if (!problem.empty())
    text += QLatin1Char(' ') + tr("Not available on this computer: %1.").arg(QString::fromStdString(problem));
  return text;
}

SettingsDialog::SettingsDialog(const AppSettings& s, QWidget* parent) : QDialog(parent), m_initial(s) {
  setWindowTitle(tr("Settings"));
  auto* models = new QGroupBox(tr("Models"));
  auto* form = new QFormLayout(models);
  const QString hints[kTaskCount] = {tr("e.g. Salesforce/blip-image-captioning-base"),
                                     tr("e.g. Salesforce/blip-vqa-base"), tr("e.g. Salesforce/blip-itm-base-coco")};
  QString labels[kTaskCount];
  for (Task t : kTasks) {
    const int i = static_cast<int>(t);
    labels[i] = taskLabel(t) + QLatin1Char(':');
    m_paths[i] = new QLineEdit(s.model(t));
    m_paths[i]->setPlaceholderText(hints[i]);
    m_paths[i]->setAccessibleName(labels[i]);
    auto* browse = new QPushButton(tr("Browse…"));
    m_checks[i] = new QLabel;
    m_checks[i]->setWordWrap(true);
    m_checks[i]->setAccessibleName(tr("%1 check").arg(taskLabel(t)));
    // A long report (every tensor a loader would refuse) is one line here, the rest on demand.
    connect(m_checks[i], &QLabel::linkActivated, this, [this, i] {
      QMessageBox box(QMessageBox::Warning, tr("Model folder"), m_checks[i]->toolTip(), QMessageBox::Close, this);
      box.setDetailedText(m_details[i]);
      box.exec();
    });
    auto* row = new QHBoxLayout;
    row->addWidget(m_paths[i], 1);
    row->addWidget(browse);
    form->addRow(labels[i], row);
    form->addRow(QString(), m_checks[i]);
    const char* head = taskHead(t);
    auto update = [this, i, head] {
      const Check c = verify(m_paths[i]->text(), head);
      m_details[i] = c.details;
      m_checks[i]->setToolTip(c.text);
      m_checks[i]->setText(c.details.isEmpty()
                               ? c.text.toHtmlEscaped()
                               : c.text.toHtmlEscaped() +
                                     QStringLiteral(" <a href=\"details\">%1</a>").arg(tr("Details…").toHtmlEscaped()));
      m_checks[i]->setStyleSheet(c.ok ? QString() : QStringLiteral("QLabel { color: #b00020; }"));
    };
    connect(m_paths[i], &QLineEdit::editingFinished, this, update);
    connect(browse, &QPushButton::clicked, this, [this, i, update] {
      const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a BLIP model folder"), m_paths[i]->text());
      if (!dir.isEmpty()) {
        m_paths[i]->setText(dir);
        update();
      }
    });
    update();
  }
  auto* download = new QPushButton(tr("Download or import models…"));
  connect(download, &QPushButton::clicked, this, [this] {
    // Tools → Models, opened from here; this dialog closes so the new choice shows next time.
    reject();
    if (auto* w = parentWidget()) QMetaObject::invokeMethod(w, "openModels", Qt::QueuedConnection);
  });
  form->addRow(QString(), download);

  auto* perf = new QGroupBox(tr("Performance"));
  auto* pf = new QFormLayout(perf);
  m_threads = new QSpinBox;
  m_threads->setRange(0, std::max(1, QThread::idealThreadCount()));
  m_threads->setSpecialValueText(tr("All cores"));
  m_threads->setValue(s.threads);
  m_threads->setAccessibleName(tr("Threads"));
  m_idle = new QSpinBox;
  m_idle->setRange(0, 240);
  m_idle->setSuffix(tr(" min"));
  m_idle->setSpecialValueText(tr("Never"));
  m_idle->setValue(s.idleUnloadMinutes);
  m_idle->setAccessibleName(tr("Unload models after"));
  m_precision = new QComboBox;
  m_precision->setAccessibleName(tr("Precision"));
  const std::pair<QString, QString> modes[] = {{QStringLiteral("fp32"), tr("Exact (float32)")},
                                               {QStringLiteral("bf16"), tr("Fast (bfloat16)")},
                                               {QStringLiteral("int8"), tr("Fast image encoding (int8)")}};
  for (const auto& [key, label] : modes) {
    m_precision->addItem(label, key);
    const auto mode = blip::parse_precision(key.toStdString());
    if (mode && !blip::precision_problem(*mode).empty()) {
      // Shown, but not selectable, so people learn why their computer cannot use it.
      if (auto* item = qobject_cast<QStandardItemModel*>(m_precision->model())->item(m_precision->count() - 1))
        item->setEnabled(false);
    }
  }
  m_precision->setCurrentIndex(std::max(0, m_precision->findData(s.precision)));
  m_precisionNote = new QLabel;
  m_precisionNote->setWordWrap(true);
  auto showNote = [this] { m_precisionNote->setText(describePrecision(m_precision->currentData().toString())); };
  connect(m_precision, &QComboBox::currentIndexChanged, this, showNote);
  showNote();
  pf->addRow(tr("Threads:"), m_threads);
  pf->addRow(tr("Precision:"), m_precision);
  pf->addRow(QString(), m_precisionNote);
  pf->addRow(tr("Unload models after idle:"), m_idle);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(models);
  layout->addWidget(perf);
  layout->addWidget(buttons);
  resize(640, sizeHint().height());
}

AppSettings SettingsDialog::settings() const {
  AppSettings a;
  for (Task t : kTasks) {
    // A folder the person did not change comes back exactly as given (a command-line folder
    // with a trailing space stays that folder, not an edit to save).
    const QString text = m_paths[static_cast<int>(t)]->text().trimmed();
    a.model(t) = text == m_initial.model(t).trimmed() ? m_initial.model(t) : text;
  }
  a.threads = m_threads->value();
  a.precision = m_precision->currentData().toString();
  a.idleUnloadMinutes = m_idle->value();
  return a;
}

}  // namespace glimpse::ui
