#include "settings.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include "desktop/paths.h"

namespace glimpse {
namespace {

QString modelKey(Task t) {
  return QStringLiteral("models/") + taskKey(t);
}

}  // namespace

bool AppSettings::noModels() const {
  for (const QString& m : models)
    if (!m.isEmpty()) return false;
  return true;
}

namespace {

AppSettings loadFrom(QSettings& s) {
  AppSettings a;
  for (Task t : kTasks) a.model(t) = s.value(modelKey(t)).toString();
  a.threads = s.value(QStringLiteral("inference/threads"), 0).toInt();
  a.precision = s.value(QStringLiteral("inference/precision"), QStringLiteral("fp32")).toString();
  a.idleUnloadMinutes = s.value(QStringLiteral("inference/idleUnloadMinutes"), 5).toInt();
  return a;
}

}  // namespace

AppSettings AppSettings::loadSaved() {
  QSettings s;
  return loadFrom(s);
}

AppSettings AppSettings::loadSavedOfApp() {
  QSettings s(QString::fromLatin1(kAppOrganization), QString::fromLatin1(kAppName));
  return loadFrom(s);
}

QString defaultLibraryFile() {
  return desktop::dataDir() + QStringLiteral("/library.glimpse");
}

SettingsStore::SettingsStore(QObject* parent) : QObject(parent), m_saved(AppSettings::loadSaved()) {
  recompute();
}

void SettingsStore::recompute() {
  AppSettings next = m_saved;
  for (Task t : kTasks)
    if (isOverridden(t)) next.model(t) = m_overrides[static_cast<size_t>(t)];
  const bool differs = !(next == m_current);
  m_current = next;
  if (differs) Q_EMIT changed(m_current);
}

void SettingsStore::overrideModel(Task t, const QString& folder) {
  m_overrides[static_cast<size_t>(t)] = folder;
  recompute();
}

void SettingsStore::setModel(Task t, const QString& folder) {
  QSettings().setValue(modelKey(t), folder);
  m_saved.model(t) = folder;
  m_overrides[static_cast<size_t>(t)].clear();
  recompute();
}

void SettingsStore::apply(const AppSettings& edited) {
  QSettings s;
  for (Task t : kTasks) {
    if (edited.model(t) == m_current.model(t)) continue;
    if (isOverridden(t) && edited.model(t) == m_overrides[static_cast<size_t>(t)]) continue;
    s.setValue(modelKey(t), edited.model(t));
    m_saved.model(t) = edited.model(t);
    m_overrides[static_cast<size_t>(t)].clear();
  }
  if (edited.threads != m_current.threads)
    s.setValue(QStringLiteral("inference/threads"), m_saved.threads = edited.threads);
  if (edited.precision != m_current.precision)
    s.setValue(QStringLiteral("inference/precision"), m_saved.precision = edited.precision);
  if (edited.idleUnloadMinutes != m_current.idleUnloadMinutes)
    s.setValue(QStringLiteral("inference/idleUnloadMinutes"), m_saved.idleUnloadMinutes = edited.idleUnloadMinutes);
  recompute();
}

void SettingsStore::forgetModel(const QString& folder) {
  const auto same = [&folder](const QString& f) {
    return !f.isEmpty() && QFileInfo(f).absoluteFilePath() == QFileInfo(folder).absoluteFilePath();
  };
  for (Task t : kTasks) {
    QString& override = m_overrides[static_cast<size_t>(t)];
    if (same(override)) override.clear();
    if (same(m_saved.model(t))) {
      QSettings().setValue(modelKey(t), QString());
      m_saved.model(t).clear();
    }
  }
  recompute();
}

}  // namespace glimpse
