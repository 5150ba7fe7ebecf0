#include "settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include "blip.h"
#include "desktop.h"
#include "messagebar.h"
#include "models/modelstore.h"
#include "translation/language.h"

namespace glimpse::ui {

QString SettingsDialog::summaryText(const QString& summary) {
  // The engine's words (glimpse-cli prints them as they are), in the interface language.
  static const QRegularExpression blip(
      QStringLiteral("^ViT (\\d+)/(\\d+) layers, (\\d+) px; text (\\d+)/(\\d+) layers; (\\d+) MB (\\w+)$"));
  static const QRegularExpression marian(
      QStringLiteral("^Marian (\\d+)/(\\d+)\\+(\\d+) layers, (\\d+) pieces; (\\d+) MB$"));
  if (const auto m = blip.match(summary); m.hasMatch())
    return tr("ViT %1/%2 layers, %3 px; text %4/%5 layers; %6 MB %7")
        .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5), m.captured(6), m.captured(7));
  if (const auto m = marian.match(summary); m.hasMatch())
    return tr("Marian %1/%2+%3 layers, %4 pieces; %5 MB")
        .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5));
  return summary;
}

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
  return {tr("Ready: %1 (%2).").arg(m.heads.join(QStringLiteral(", ")), summaryText(m.summary)), {}, true};
}

QString SettingsDialog::describeTranslation(const QString& folder, const QString& from, const QString& to) {
  const QString chosen = folder.trimmed().isEmpty() ? models::installedTranslationModel(from, to) : folder.trimmed();
  if (chosen.isEmpty())
    return tr("No OPUS-MT model for %1 to %2 is installed: get one in Tools → Models.")
        .arg(translation::languageName(from), translation::languageName(to));
  const models::InstalledModel m = models::describe(chosen);
  if (!m.usable) return tr("Cannot be used: %1").arg(m.problem);
  if (!m.heads.contains(QLatin1String(taskHead(Task::Translate))))
    return tr("This is no translation model: it has %1.").arg(m.heads.join(QStringLiteral(", ")));
  return folder.trimmed().isEmpty() ? tr("Using %1 (%2).").arg(m.name, summaryText(m.summary))
                                    : tr("Ready: %1 (%2).").arg(m.name, summaryText(m.summary));
}

QString SettingsDialog::describePrecision(const QString& precision, const inference::PrecisionSupport& support) {
  const auto mode = blip::parse_precision(precision.toStdString()).value_or(blip::Precision::Float32);
  QString text;
  switch (mode) {
    case blip::Precision::Float32:
      text = tr("Every model computes in 32-bit floats: the same words and scores as the reference implementation.");
      break;
    case blip::Precision::BFloat16:
      text = tr(
          "Products in 16-bit bfloat: captions and search up to 1.5 times as fast. Search embeddings agree with Exact "
          "to a cosine of 0.9999; a caption may take another word at some point and go on differently from there.");
      break;
    case blip::Precision::Int8:
      text =
          tr("Image encoding with 8-bit weights, text in 32-bit: indexing and captions start faster. Search "
             "embeddings agree with Exact to a cosine of 0.999; most captions are the same.");
      break;
  }
  if (mode == blip::Precision::Float32) return text;
  const QString problem = support.problem(QString::fromLatin1(blip::precision_name(mode)));
  if (!support.known)
    text += QLatin1Char(' ') + tr("Whether this computer can run it is still being checked.");
  else if (!problem.isEmpty())
    text += QLatin1Char(' ') + tr("Not available on this computer: %1.").arg(problem);
  return text;
}

void SettingsDialog::setPrecisionSupport(const inference::PrecisionSupport& support) {
  m_support = support;
  auto* items = qobject_cast<QStandardItemModel*>(m_precision->model());
  for (int i = 0; i < m_precision->count(); ++i) {
    const QString problem = support.problem(m_precision->itemData(i).toString());
    // Shown, but not selectable, so people learn why their computer cannot use it.
    if (QStandardItem* item = items ? items->item(i) : nullptr) {
      item->setEnabled(problem.isEmpty());
      item->setToolTip(problem.isEmpty() ? QString() : tr("Not available on this computer: %1.").arg(problem));
    }
  }
  m_precisionNote->setText(describePrecision(m_precision->currentData().toString(), m_support));
}

SettingsDialog::SettingsDialog(const AppSettings& s, const inference::PrecisionSupport& support, QWidget* parent)
    : QDialog(parent), m_initial(s) {
  setWindowTitle(tr("Settings"));
  // Three pages, as desktop apps group their settings: the dialog fits a small laptop screen in
  // every language.
  auto* models = new QWidget;
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
      m_checks[i]->setToolTip(plainToolTip(c.text));
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

  auto* perf = new QWidget;
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
  for (const auto& [key, label] : modes) m_precision->addItem(label, key);
  m_precision->setCurrentIndex(std::max(0, m_precision->findData(s.precision)));
  m_precisionNote = new QLabel;
  m_precisionNote->setWordWrap(true);
  connect(m_precision, &QComboBox::currentIndexChanged, this,
          [this] { m_precisionNote->setText(describePrecision(m_precision->currentData().toString(), m_support)); });
  setPrecisionSupport(support);
  pf->addRow(tr("Threads:"), m_threads);
  pf->addRow(tr("Precision:"), m_precision);
  pf->addRow(QString(), m_precisionNote);
  pf->addRow(tr("Unload models after idle:"), m_idle);

  // Translation with OPUS-MT: BLIP reads and writes English only.
  const QString ui = translation::interfaceLanguage();
  auto* language = new QWidget;
  auto* lf = new QFormLayout(language);
  m_queryLanguage = new QComboBox;
  m_queryLanguage->setAccessibleName(tr("My queries and questions are in"));
  m_queryLanguage->addItem(tr("Detect for each query"), QStringLiteral("auto"));
  for (const QString& code : translation::queryLanguages())
    m_queryLanguage->addItem(translation::languageName(code), code);
  m_queryLanguage->setCurrentIndex(std::max(0, m_queryLanguage->findData(s.queryLanguage)));
  m_queryModel = new QLineEdit(s.queryTranslationModel);
  m_queryModel->setAccessibleName(tr("Translate queries with"));
  m_queryModel->setPlaceholderText(tr("The installed OPUS-MT model for the language, e.g. Helsinki-NLP/opus-mt-de-en"));
  auto* queryCheck = new QLabel;
  queryCheck->setTextFormat(Qt::PlainText);  // names the model folder
  queryCheck->setWordWrap(true);
  auto updateQuery = [this, queryCheck, ui] {
    QString from = m_queryLanguage->currentData().toString();
    if (from == QLatin1String("auto")) from = ui == QLatin1String("en") ? QStringLiteral("de") : ui;
    queryCheck->setText(from == QLatin1String("en")
                            ? tr("Queries are never translated.")
                            : describeTranslation(m_queryModel->text(), from, QStringLiteral("en")));
  };
  connect(m_queryLanguage, &QComboBox::currentIndexChanged, this, updateQuery);
  connect(m_queryModel, &QLineEdit::editingFinished, this, updateQuery);
  updateQuery();
  m_translateOutput = new QCheckBox(tr("Show captions and answers in %1").arg(translation::languageName(ui)));
  m_translateOutput->setChecked(s.translateOutput && ui != QLatin1String("en"));
  m_translateOutput->setEnabled(ui != QLatin1String("en"));
  m_translateOutput->setToolTip(tr("BLIP writes English; the English original stays a hover away"));
  m_outputModel = new QLineEdit(s.outputTranslationModel);
  m_outputModel->setAccessibleName(tr("Translate captions and answers with"));
  m_outputModel->setPlaceholderText(tr("The installed OPUS-MT model, e.g. Helsinki-NLP/opus-mt-en-de"));
  m_outputModel->setEnabled(ui != QLatin1String("en"));
  auto* outputCheck = new QLabel;
  outputCheck->setTextFormat(Qt::PlainText);
  outputCheck->setWordWrap(true);
  auto updateOutput = [this, outputCheck, ui] {
    outputCheck->setText(ui == QLatin1String("en")
                             ? tr("The interface is in English: captions and answers need no translation.")
                             : describeTranslation(m_outputModel->text(), QStringLiteral("en"), ui));
  };
  connect(m_outputModel, &QLineEdit::editingFinished, this, updateOutput);
  updateOutput();
  lf->addRow(tr("My queries and questions are in:"), m_queryLanguage);
  lf->addRow(tr("Translate queries with:"), m_queryModel);
  lf->addRow(QString(), queryCheck);
  lf->addRow(QString(), m_translateOutput);
  lf->addRow(tr("Translate captions and answers with:"), m_outputModel);
  lf->addRow(QString(), outputCheck);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  m_tabs = new QTabWidget;
  m_tabs->addTab(models, tr("Models"));
  m_tabs->addTab(perf, tr("Performance"));
  m_tabs->addTab(language, tr("Language"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_tabs);
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
  a.queryLanguage = m_queryLanguage->currentData().toString();
  a.queryTranslationModel = m_queryModel->text().trimmed();
  a.outputTranslationModel = m_outputModel->text().trimmed();
  a.translateOutput = m_translateOutput->isChecked();
  return a;
}

}  // namespace glimpse::ui
