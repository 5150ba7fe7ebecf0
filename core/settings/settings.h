#pragma once
// The app's settings and their one owner. AppSettings is a plain value; SettingsStore holds the
// saved values (QSettings) and this session's overrides (model folders given on the command
// line, never saved), and says when the effective values change. Every part of the app that
// reads or writes settings goes through the one store the main window owns.
#include <QObject>
#include <QString>
#include <array>

#include "task.h"

namespace glimpse {

struct AppSettings {
  std::array<QString, kTaskCount> models;      // checkpoint folder per Task; empty: not chosen
  int threads = 0;                             // 0: all cores
  QString precision = QStringLiteral("fp32");  // numeric mode: fp32 (exact), bf16, int8
  int idleUnloadMinutes = 5;

  QString& model(Task t) { return models[static_cast<size_t>(t)]; }
  const QString& model(Task t) const { return models[static_cast<size_t>(t)]; }
  bool noModels() const;
  bool operator==(const AppSettings& o) const = default;

  static AppSettings loadSaved();  // from QSettings
  // The desktop app's saved settings, read from any program (glimpse-cli): the app's organisation
  // and application names, whatever the running program's are.
  static AppSettings loadSavedOfApp();
};

// The names the desktop app runs under; its settings and data files are found through them.
inline constexpr const char* kAppOrganization = "Glimpse";
inline constexpr const char* kAppName = "Glimpse";

// The desktop app's photo library: <XDG data>/Glimpse/library.glimpse (desktop/paths.h), the file
// its window opens and glimpse-cli uses without --library.
QString defaultLibraryFile();

class SettingsStore : public QObject {
  Q_OBJECT
 public:
  explicit SettingsStore(QObject* parent = nullptr);
  // What the app runs with: saved values, with this session's overrides on top.
  const AppSettings& current() const { return m_current; }
  bool isOverridden(Task t) const { return !m_overrides[static_cast<size_t>(t)].isEmpty(); }

  // This session only (command line): not saved, gone at the next start.
  void overrideModel(Task t, const QString& folder);
  // Saves the one task's folder (a Models action): other settings and overrides stay as they are.
  void setModel(Task t, const QString& folder);
  // Saves what differs between `edited` and current() (the Settings dialog); a model field that
  // was edited stops being an override. A model field equal to this session's override of its
  // task is never saved: it is the command line's folder shown back, not a choice.
  void apply(const AppSettings& edited);
  // A model folder was deleted (Models → Remove): a task that saved it is saved without a model,
  // a session override naming it ends. Other tasks' saved folders and overrides stay as they are.
  void forgetModel(const QString& folder);

 Q_SIGNALS:
  void changed(const glimpse::AppSettings& current);

 private:
  void recompute();
  AppSettings m_saved;
  std::array<QString, kTaskCount> m_overrides;
  AppSettings m_current;
};

}  // namespace glimpse
