#pragma once
// The Images page between runs: its photos, their captions (with the settings that made them),
// their chats and the selected photo, kept as JSON in <state dir>/session.json (desktop::stateDir()),
// written atomically when the window closes and read back at the next start.
#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace glimpse::ui {

struct SessionImage {
  QString path;
  QString caption;
  QString captionParameters;            // JSON of the prompt and generation settings; empty: unknown
  QList<QPair<QString, QString>> chat;  // question, answer
};

struct Session {
  QList<SessionImage> images;
  int current = -1;  // selected row, -1: none
};

inline constexpr int kSessionVersion = 1;

// <state dir>/session.json.
QString sessionFile();
QByteArray sessionToJson(const Session& session);
// A session file's bytes; throws std::runtime_error (in words) for anything that is not a session
// of this version. Entries that are not images (no path) are skipped.
Session sessionFromJson(const QByteArray& json);

}  // namespace glimpse::ui
