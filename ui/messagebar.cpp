#include "messagebar.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QStyle>

#include "desktop.h"

namespace glimpse::ui {

QString firstLine(const QString& message, int max) {
  QString line = message.trimmed().section(QLatin1Char('\n'), 0, 0).trimmed();
  if (line.endsWith(QLatin1Char(':'))) line.chop(1);
  if (line.size() > max) line = line.left(max - 1) + QStringLiteral("…");
  return line;
}

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("messageBar"));
  setAccessibleName(tr("Message"));
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  QPalette p = palette();
  p.setColor(QPalette::Window, QColor(255, 236, 200));
  p.setColor(QPalette::WindowText, QColor(60, 40, 0));
  setPalette(p);
  auto* icon = new QLabel;
  icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(20, 20));
  m_text = new QLabel;
  m_text->setTextFormat(Qt::PlainText);  // messages name files, models and captions: never markup
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_details = new QPushButton(tr("Details…"));
  m_action = new QPushButton;
  m_close = new QPushButton(tr("Dismiss"));
  m_close->setToolTip(tr("Hide this message (it stays in Help → Show log)"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 8, 4);
  layout->addWidget(icon);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_details);
  layout->addWidget(m_action);
  layout->addWidget(m_close);
  connect(m_close, &QPushButton::clicked, this, [this] {
    m_message = {};
    hide();
  });
  connect(m_details, &QPushButton::clicked, this, [this] {
    QMessageBox box(QMessageBox::Warning, tr("Details"), m_message.text, QMessageBox::Close, this);
    box.setTextFormat(Qt::PlainText);
    box.setDetailedText(m_message.details);
    box.exec();
  });
  connect(m_action, &QPushButton::clicked, this, [this] {
    const auto action = m_message.action;
    m_message = {};
    hide();
    if (action) action();
  });
  hide();
}

void MessageBar::show(const Message& message) {
  m_message = message;
  m_text->setText(message.text);
  m_text->setToolTip(plainToolTip(message.details));
  m_details->setVisible(!message.details.isEmpty());
  m_action->setText(message.actionText);
  m_action->setVisible(message.action && !message.actionText.isEmpty());
  applog::write(QStringLiteral("message"),
                message.details.isEmpty() ? message.text : message.text + QLatin1Char('\n') + message.details);
  QFrame::show();
}

void MessageBar::clear(const QString& key) {
  if (isHidden() || m_message.key != key) return;
  m_message = {};
  hide();
}

QString MessageBar::text() const {
  return isHidden() ? QString() : m_text->text();
}

namespace applog {

QString path() {
  QString base = QString::fromLocal8Bit(qgetenv("XDG_STATE_HOME"));
  if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.local/state");
  return base + QStringLiteral("/Glimpse/glimpse.log");
}

void write(const QString& level, const QString& message) {
  static QMutex mutex;
  const QMutexLocker lock(&mutex);
  const QString file = path();
  QDir().mkpath(QFileInfo(file).absolutePath());
  QFile f(file);
  // Kept small: a log past 4 MB starts again (the previous one is kept as glimpse.log.old).
  if (f.size() > 4 * 1024 * 1024) {
    QFile::remove(file + QStringLiteral(".old"));
    QFile::rename(file, file + QStringLiteral(".old"));
  }
  if (!f.open(QIODevice::Append | QIODevice::Text)) return;
  QString text = message.trimmed();
  text.replace(QLatin1Char('\n'), QStringLiteral("\n    "));
  f.write(QStringLiteral("%1 %2: %3\n").arg(QDateTime::currentDateTime().toString(Qt::ISODate), level, text).toUtf8());
}

}  // namespace applog

}  // namespace glimpse::ui
