#include "desktop.h"

#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace glimpse::ui {

QIcon themeIcon(const QString& name) {
  return QIcon::fromTheme(name, QIcon(QStringLiteral(":/icons/%1.svg").arg(name)));
}

bool openWithDesktop(const QString& path, QWidget* parent) {
  if (QDesktopServices::openUrl(QUrl::fromLocalFile(path))) return true;
  auto* box = new QMessageBox(
      QMessageBox::Warning, QCoreApplication::translate("glimpse::ui::Desktop", "Glimpse"),
      QFileInfo(path).isDir()
          ? QCoreApplication::translate("glimpse::ui::Desktop", "No file manager could be opened for this folder.")
          : QCoreApplication::translate("glimpse::ui::Desktop", "No application could be opened to show this file."),
      QMessageBox::Ok, parent);
  box->setObjectName(QStringLiteral("openFailedMessage"));
  box->setInformativeText(
      QCoreApplication::translate(
          "glimpse::ui::Desktop",
          "Install a file manager or an image viewer (one that xdg-open knows), or open it yourself:\n%1")
          .arg(path));
  box->setTextInteractionFlags(Qt::TextSelectableByMouse);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
  return false;
}

void showInFileManager(const QString& path, QWidget* parent) {
  const QString folder = QFileInfo(path).absolutePath();
  const QString dbus = QStandardPaths::findExecutable(QStringLiteral("dbus-send"));
  if (dbus.isEmpty()) {
    openWithDesktop(folder, parent);
    return;
  }
  // File managers that implement org.freedesktop.FileManager1 select the file; when none answers,
  // the folder is opened instead.
  auto* p = new QProcess(parent);
  QPointer<QWidget> owner = parent;
  QObject::connect(p, &QProcess::finished, p, [p, owner, folder](int code, QProcess::ExitStatus status) {
    p->deleteLater();
    if (status != QProcess::NormalExit || code != 0) openWithDesktop(folder, owner);
  });
  QObject::connect(p, &QProcess::errorOccurred, p, [p, owner, folder](QProcess::ProcessError e) {
    if (e != QProcess::FailedToStart) return;
    p->deleteLater();
    openWithDesktop(folder, owner);
  });
  p->start(dbus, {"--session", "--print-reply", "--reply-timeout=3000", "--dest=org.freedesktop.FileManager1",
                  "--type=method_call", "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1.ShowItems",
                  "array:string:" + QUrl::fromLocalFile(path).toString(), "string:"});
}

QLabel* secondaryLabel(const QString& accessibleName) {
  auto* label = new QLabel;
  label->setTextFormat(Qt::PlainText);
  label->setWordWrap(true);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setAccessibleName(accessibleName);
  QPalette dim = label->palette();
  dim.setColor(QPalette::WindowText, dim.color(QPalette::Disabled, QPalette::WindowText));
  label->setPalette(dim);
  label->hide();
  return label;
}

QString plainToolTip(const QString& text) {
  return Qt::mightBeRichText(text) ? Qt::convertFromPlainText(text, Qt::WhiteSpaceNormal) : text;
}

QString picturesFolder() {
  const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
  return !pictures.isEmpty() && QFileInfo(pictures).isDir() ? pictures : QDir::homePath();
}

}  // namespace glimpse::ui
