#include "askresultsbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <algorithm>
#include <utility>

#include "desktop.h"
#include "inference/inferenceclient.h"
#include "library/resultasker.h"

namespace glimpse::ui {
namespace {

constexpr int kAnswerRole = Qt::UserRole + 20;       // the answer of the last question ("" while pending)
constexpr int kBaseTextRole = Qt::UserRole + 21;     // the item's text before answers were added
constexpr int kShownRole = Qt::UserRole + 22;        // the answer as shown (translated, or the English)
constexpr int kBaseToolTipRole = Qt::UserRole + 23;  // the item's tooltip before answers were added
constexpr int kAll = -1;

}  // namespace

AskResultsBar::AskResultsBar(inference::InferenceClient* client, QListView* view, QStandardItemModel* model,
                             int pathRole, QWidget* parent)
    : QWidget(parent), m_client(client), m_view(view), m_model(model), m_pathRole(pathRole) {
  m_question = new QLineEdit;
  m_question->setPlaceholderText(tr("Ask the results, e.g. \"is there a red car?\""));
  m_question->setClearButtonEnabled(true);
  m_question->setAccessibleName(tr("Question for the results"));
  m_top = new QSpinBox;
  m_top->setRange(1, 60);
  m_top->setValue(20);
  m_top->setPrefix(tr("top "));
  m_top->setToolTip(tr("How many of the first results to ask"));
  m_ask = new QPushButton(tr("Ask"));
  m_stop = new QPushButton(tr("Stop"));
  m_stop->setEnabled(false);
  m_filter = new QComboBox;
  m_filter->setAccessibleName(tr("Filter by answer"));
  m_filter->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_filter->setMinimumContentsLength(14);
  m_progress = new QLabel;
  m_progress->setTextFormat(Qt::PlainText);  // an error may name a photo
  m_english = secondaryLabel(tr("Translated question"));
  m_english->setToolTip(tr("BLIP reads English only: the question was translated first"));
  auto* l = new QHBoxLayout;
  l->setContentsMargins(0, 0, 0, 0);
  l->addWidget(m_question, 1);
  l->addWidget(m_top);
  l->addWidget(m_ask);
  l->addWidget(m_stop);
  l->addWidget(m_filter);
  // The question keeps room for its words in a narrow window: the progress goes on the line below,
  // with what BLIP was asked (as "Searched for" under the query).
  m_question->setMinimumWidth(m_question->fontMetrics().averageCharWidth() * 24);
  auto* below = new QHBoxLayout;
  below->setContentsMargins(0, 0, 0, 0);
  below->addWidget(m_english, 1);
  below->addWidget(m_progress);
  auto* column = new QVBoxLayout(this);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(2);
  column->addLayout(l);
  column->addLayout(below);
  reset();

  connect(m_question, &QLineEdit::returnPressed, this, &AskResultsBar::ask);
  connect(m_ask, &QPushButton::clicked, this, &AskResultsBar::ask);
  connect(m_stop, &QPushButton::clicked, this, &AskResultsBar::stop);
  connect(m_filter, &QComboBox::currentIndexChanged, this, &AskResultsBar::applyFilter);
  // New results: the answers were about other photos.
  connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
    stop();
    reset();
  });
  // The question's English arrives before the first answer; an answer's translation just before it.
  connect(m_client, &inference::InferenceClient::translated, this, [this](quint64 job, const inference::Translated& t) {
    if (job != m_job) return;
    if (t.kind == inference::Translated::Kind::Query) {
      m_english->setText(tr("Asked in English: %1").arg(t.text));
      m_english->show();
    } else {
      m_nextTranslation = {t.source, t.text};
    }
  });
  connect(m_client, &inference::InferenceClient::resultAnswered, this,
          [this](quint64 job, int index, const QString& path, const QString& answer, const QString& error) {
            if (job != m_job) return;
            const auto translation = std::exchange(m_nextTranslation, {});
            if (index >= m_model->rowCount()) return;
            QStandardItem* item = m_model->item(index);
            if (!item || item->data(m_pathRole).toString() != path) return;
            const bool translated = error.isEmpty() && !translation.second.isEmpty() && translation.first == answer;
            const QString shown =
                !error.isEmpty() ? tr("(could not be read)") : (translated ? translation.second : answer);
            item->setData(error.isEmpty() ? answer : QString(), kAnswerRole);
            item->setData(error.isEmpty() ? shown : QString(), kShownRole);
            item->setText(item->data(kBaseTextRole).toString() + QStringLiteral("\n→ ") + shown);
            if (!error.isEmpty()) item->setToolTip(item->toolTip() + QStringLiteral("\n") + error);
            if (translated)
              item->setToolTip(item->toolTip() + QStringLiteral("\n") + tr("English original: %1").arg(answer));
            rebuildFilter();
          });
  connect(m_client, &inference::InferenceClient::jobProgress, this,
          [this](quint64 job, const inference::JobProgress& p) {
            if (job == m_job) showProgress(tr("%1 of %2 answered").arg(p.done).arg(p.total));
          });
  connect(m_client, &inference::InferenceClient::jobFinished, this,
          [this](quint64 job, const inference::JobSummary& s) {
            if (job != m_job) return;
            m_job = 0;
            setRunning(false);
            QString text;
            switch (s.state) {
              case inference::JobState::Failed:
                text = tr("Asking failed: %1").arg(s.error);
                break;
              case inference::JobState::Cancelled:
                text = tr("Stopped after %1 of %2 photos.").arg(s.done).arg(m_asked);
                break;
              default:
                text = tr("%n photo(s) answered.", nullptr, s.done);
            }
            showProgress(text);
            Q_EMIT status(text);
          });
}

void AskResultsBar::reset() {
  m_filter->blockSignals(true);
  m_filter->clear();
  m_filter->addItem(tr("All answers"), kAll);
  m_filter->setEnabled(false);
  m_filter->blockSignals(false);
  m_progress->clear();
  m_progress->hide();
  m_english->clear();
  m_english->hide();
  m_nextTranslation = {};
  for (int r = 0; r < m_model->rowCount(); ++r) m_view->setRowHidden(r, false);
}

void AskResultsBar::showProgress(const QString& text) {
  m_progress->setText(text);
  m_progress->show();
}

void AskResultsBar::setRunning(bool running) {
  m_ask->setEnabled(!running);
  m_stop->setEnabled(running);
}

void AskResultsBar::ask() {
  const QString question = m_question->text().trimmed();
  if (question.isEmpty() || m_model->rowCount() == 0) {
    Q_EMIT status(m_model->rowCount() == 0 ? tr("Search first, then ask the results.") : tr("Type a question."));
    return;
  }
  stop();
  reset();
  QStringList paths;
  const int n = std::min(m_top->value(), m_model->rowCount());
  for (int r = 0; r < m_model->rowCount(); ++r) {
    QStandardItem* item = m_model->item(r);
    if (!item->data(kBaseTextRole).isValid()) {
      item->setData(item->text(), kBaseTextRole);
      item->setData(item->toolTip(), kBaseToolTipRole);
    }
    item->setText(item->data(kBaseTextRole).toString() + (r < n ? QStringLiteral("\n…") : QString()));
    item->setToolTip(item->data(kBaseToolTipRole).toString());
    item->setData(QVariant(), kAnswerRole);
    if (r < n) paths << item->data(m_pathRole).toString();
  }
  m_asked = static_cast<int>(paths.size());
  m_job = m_client->askResults(question, paths);
  setRunning(true);
  showProgress(tr("%1 of %2 answered").arg(0).arg(m_asked));
  Q_EMIT status(tr("Asking \"%1\" of %n photo(s)…", nullptr, m_asked).arg(question));
}

void AskResultsBar::stop() {
  if (m_job != 0) m_client->cancelJob(m_job);
}

// The filter: every answer given so far with its count; yes and no first.
void AskResultsBar::rebuildFilter() {
  QStringList answers, shown;
  for (int r = 0; r < m_model->rowCount(); ++r) {
    const QVariant a = m_model->item(r)->data(kAnswerRole);
    if (!a.isValid() || a.toString().isEmpty()) continue;
    answers << a.toString();
    shown << m_model->item(r)->data(kShownRole).toString();
  }
  auto groups = library::groupAnswers(answers);
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    auto rank = [](const QString& s) { return static_cast<int>(library::answerKind(s)); };
    return rank(a.first) < rank(b.first);
  });
  const QString current = m_filter->currentIndex() > 0 ? m_filter->currentData().toString() : QString();
  m_filter->blockSignals(true);
  m_filter->clear();
  m_filter->addItem(tr("All answers"), kAll);
  for (const auto& g : groups) {
    const QString key = g.first.toLower();
    QString label;
    switch (library::answerKind(g.first)) {
      case library::AnswerKind::Yes:
        label = tr("Only yes (%1)").arg(g.second.size());
        break;
      case library::AnswerKind::No:
        label = tr("Only no (%1)").arg(g.second.size());
        break;
      case library::AnswerKind::Other:
        // Grouped by the English answer, named as the grid shows it.
        label = tr("\"%1\" (%2)").arg(shown.value(g.second.value(0), g.first)).arg(g.second.size());
    }
    m_filter->addItem(label, key);
    if (key == current) m_filter->setCurrentIndex(m_filter->count() - 1);
  }
  m_filter->setEnabled(!groups.isEmpty());
  m_filter->blockSignals(false);
  applyFilter();
}

void AskResultsBar::applyFilter() {
  const bool all = m_filter->currentIndex() <= 0;
  const QString key = all ? QString() : m_filter->currentData().toString();
  for (int r = 0; r < m_model->rowCount(); ++r) {
    const QString a = m_model->item(r)->data(kAnswerRole).toString().trimmed().toLower();
    m_view->setRowHidden(r, !all && a != key);
  }
}

}  // namespace glimpse::ui
