#include "duplicatesdialog.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFrame>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "desktop.h"
#include "inference/inferenceclient.h"
#include "thumbnailloader.h"

namespace glimpse::ui {
namespace {

struct Look {
  QImage thumbnail;
  double sharpness = -1;  // < 0: the file could not be read
};

// Off the GUI thread: the photo scaled to fit 512 x 512 (every copy measured at one size), its
// sharpness, and a thumbnail.
Look lookAt(const QString& path) {
  Look look;
  const QImage image = ThumbnailLoader::load(path, QSize(512, 512));
  if (image.isNull()) return look;
  look.sharpness = library::sharpness(image);
  look.thumbnail = image.scaled(QSize(160, 120), Qt::KeepAspectRatio, Qt::SmoothTransformation);
  return look;
}

}  // namespace

DuplicatesDialog::DuplicatesDialog(inference::InferenceClient* client, QWidget* parent)
    : QDialog(parent), m_client(client) {
  setWindowTitle(tr("Similar photos"));
  resize(960, 640);
  m_threshold = new QDoubleSpinBox;
  m_threshold->setRange(0.5, 1.0);
  m_threshold->setDecimals(3);
  m_threshold->setSingleStep(0.005);
  m_threshold->setValue(library::kDuplicateThreshold);
  m_threshold->setAccessibleName(tr("Similarity threshold"));
  m_threshold->setToolTip(
      tr("Photos whose search vectors have at least this cosine are grouped. Lower it to find photos that are "
         "merely alike (a burst of shots); copies with the same content are always grouped."));
  m_search = new QPushButton(tr("Search again"));
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Similarity at least")));
  top->addWidget(m_threshold);
  top->addWidget(m_search);
  top->addStretch(1);

  m_scroll = new QScrollArea;
  m_scroll->setWidgetResizable(true);
  m_status = new QLabel;
  m_status->setTextFormat(Qt::PlainText);  // errors name files
  m_status->setWordWrap(true);
  m_trash = new QPushButton(tr("Move rejects to Trash"));
  m_trash->setToolTip(tr("Moves the photos marked Reject to the system trash, where they can be restored"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  buttons->addButton(m_trash, QDialogButtonBox::ActionRole);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(m_scroll, 1);
  layout->addWidget(m_status);
  layout->addWidget(buttons);

  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_search, &QPushButton::clicked, this, &DuplicatesDialog::refresh);
  connect(m_trash, &QPushButton::clicked, this, &DuplicatesDialog::moveRejectsToTrash);
  connect(m_client, &inference::InferenceClient::duplicatesReady, this,
          [this](quint64 id, const QList<library::DuplicateGroup>& groups) {
            if (id != m_pending) return;
            m_pending = 0;
            showGroups(groups);
            Q_EMIT updated();
          });
  connect(m_client, &inference::InferenceClient::photosTrashed, this,
          [this](quint64 id, const library::TrashReport& report) {
            if (id != m_pending) return;
            m_pending = 0;
            QString text = tr("Moved %n photo(s) to the trash.", nullptr, static_cast<int>(report.moved.size()));
            if (!report.errors.isEmpty()) text += QLatin1Char('\n') + report.errors.join(QLatin1Char('\n'));
            m_note = text;
            refresh();
          });
  connect(m_client, &inference::InferenceClient::failed, this, [this](quint64 id, const QString& message) {
    if (id != m_pending) return;
    m_pending = 0;
    m_status->setText(message);
    updateButtons();
    Q_EMIT updated();
  });
  refresh();
}

DuplicatesDialog::~DuplicatesDialog() {
  if (m_pending && m_searching) m_client->cancel(inference::Channel::Library);
}

void DuplicatesDialog::refresh() {
  m_pending = m_client->findDuplicates(m_threshold->value());
  m_searching = true;
  m_status->setText(tr("Looking for similar photos…"));
  updateButtons();
}

void DuplicatesDialog::showGroups(const QList<library::DuplicateGroup>& groups) {
  m_groups = groups;
  m_cards.clear();
  auto* content = new QWidget;
  auto* column = new QVBoxLayout(content);
  for (const library::DuplicateGroup& g : groups) {
    const QString similarity = QLocale().toString(g.similarity, 'f', 4);
    auto* box = new QGroupBox(
        g.exact ? tr("%n photo(s) with the same content", nullptr, static_cast<int>(g.photos.size()))
                : tr("%n photo(s), similarity %1", nullptr, static_cast<int>(g.photos.size())).arg(similarity));
    auto* row = new QHBoxLayout(box);
    for (const library::DuplicatePhoto& p : g.photos) row->addWidget(makeCard(p));
    row->addStretch(1);
    column->addWidget(box);
  }
  if (groups.isEmpty()) column->addWidget(new QLabel(tr("No similar photos at this threshold.")));
  column->addStretch(1);
  m_scroll->setWidget(content);  // deletes the previous groups
  // Nothing to mark: say how to find more instead of asking to mark rejects (and only the note,
  // such as "no library is open", when there is one).
  QString text = groups.isEmpty()
                     ? tr("No photos are this similar (%1 or more): lower the threshold and search again to find more.")
                           .arg(QLocale().toString(m_threshold->value(), 'f', 3))
                     : tr("%n group(s) of similar photos. Mark the ones you do not want as Reject.", nullptr,
                          static_cast<int>(groups.size()));
  if (!m_note.isEmpty()) text = groups.isEmpty() ? m_note : m_note + QLatin1Char('\n') + text;
  m_note.clear();
  m_status->setText(text);
  updateButtons();
}

QWidget* DuplicatesDialog::makeCard(const library::DuplicatePhoto& photo) {
  auto* card = new QFrame;
  card->setFrameShape(QFrame::StyledPanel);
  auto* v = new QVBoxLayout(card);
  Card c;
  c.thumbnail = new QLabel;
  c.thumbnail->setFixedSize(160, 120);
  c.thumbnail->setAlignment(Qt::AlignCenter);
  v->addWidget(c.thumbnail);
  const QFileInfo info(photo.path);
  auto* name = new QLabel(info.fileName());
  name->setTextFormat(Qt::PlainText);  // a file name is no markup
  name->setToolTip(plainToolTip(photo.path));
  name->setMaximumWidth(180);
  v->addWidget(name);
  const QLocale locale;
  QStringList facts;
  facts << tr("%1 × %2 px").arg(photo.width).arg(photo.height) << locale.formattedDataSize(photo.size)
        << locale.toString(QDateTime::fromMSecsSinceEpoch(photo.dateMs, Qt::UTC), QLocale::ShortFormat);
  if (photo.offline) facts << tr("offline");
  auto* details = new QLabel(facts.join(QLatin1Char('\n')));
  v->addWidget(details);
  c.sharpness = new QLabel(tr("Sharpness: …"));
  c.sharpness->setToolTip(tr("Variance of the Laplacian, with every copy scaled to one size: higher is sharper"));
  v->addWidget(c.sharpness);
  c.keep = new QRadioButton(tr("Keep"));
  c.reject = new QRadioButton(tr("Reject"));
  c.keep->setChecked(true);
  c.reject->setEnabled(!photo.offline);
  auto* marks = new QButtonGroup(card);
  marks->addButton(c.keep);
  marks->addButton(c.reject);
  auto* h = new QHBoxLayout;
  h->addWidget(c.keep);
  h->addWidget(c.reject);
  v->addLayout(h);
  connect(c.reject, &QRadioButton::toggled, this, &DuplicatesDialog::updateButtons);
  m_cards.insert(photo.path, c);

  auto* watcher = new QFutureWatcher<Look>(card);
  connect(watcher, &QFutureWatcher<Look>::finished, card, [this, watcher, path = photo.path] {
    const auto it = m_cards.constFind(path);
    if (it == m_cards.constEnd()) return;
    const Look look = watcher->result();
    if (look.sharpness < 0) {
      it->sharpness->setText(tr("Sharpness: cannot be read"));
      return;
    }
    it->thumbnail->setPixmap(QPixmap::fromImage(look.thumbnail));
    it->sharpness->setText(tr("Sharpness: %1").arg(QLocale().toString(look.sharpness, 'f', 0)));
  });
  watcher->setFuture(QtConcurrent::run(&lookAt, photo.path));
  return card;
}

bool DuplicatesDialog::setRejected(const QString& path, bool rejected) {
  const auto it = m_cards.constFind(path);
  if (it == m_cards.constEnd() || !it->reject->isEnabled()) return false;
  (rejected ? it->reject : it->keep)->setChecked(true);
  return true;
}

QStringList DuplicatesDialog::rejected() const {
  QStringList out;
  for (auto it = m_cards.constBegin(); it != m_cards.constEnd(); ++it)
    if (it->reject->isChecked()) out << it.key();
  out.sort();
  return out;
}

void DuplicatesDialog::updateButtons() {
  m_trash->setEnabled(m_pending == 0 && !rejected().isEmpty());
  m_search->setEnabled(m_pending == 0);
}

void DuplicatesDialog::moveRejectsToTrash() {
  const QStringList paths = rejected();
  if (paths.isEmpty() || m_pending) return;
  m_pending = m_client->trashPhotos(paths);
  m_searching = false;
  m_status->setText(tr("Moving %n photo(s) to the trash…", nullptr, static_cast<int>(paths.size())));
  updateButtons();
}

}  // namespace glimpse::ui
