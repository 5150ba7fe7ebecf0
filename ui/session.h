#pragma once
// The Images page between runs: its photos, their captions (with the settings that made them and
// their self-check), their chats and the selected photo, kept as JSON in <state dir>/session.json
// (desktop::stateDir()), written atomically shortly after each change and when the window closes,
// and read back at the next start.
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
  // The caption's self-check as the Images page shows it beside the caption: ITM probability
  // (-1: not checked) and ITC cosine, and whether the first caption was made again.
  double itm = -1.0;
  double itc = 0.0;
  bool regenerated = false;
  QString captionEnglish;  // the English original of a translated caption, else empty
  // Per chat turn: the question as the model read it and its English answer where they differ
  // from what is shown (translated); as long as `chat`.
  QList<QPair<QString, QString>> chatEnglish;
  // The file the caption was made of (size in bytes, modification time in ms since the epoch), so
  // a photo changed while Glimpse was closed shows its caption as made for an earlier version;
  // -1: not known (sessions written before this was kept, or no caption).
  qint64 captionSize = -1;
  qint64 captionMtimeMs = -1;
};

struct Session {
  QList<SessionImage> images;
  int current = -1;  // selected row, -1: none
};

inline constexpr int kSessionVersion = 1;

// How long after a change the session is written (the changes meanwhile go with that write).
inline constexpr int kSessionSaveDelayMs = 1500;

// <state dir>/session.json.
QString sessionFile();
QByteArray sessionToJson(const Session& session);
// A session file's bytes; throws std::runtime_error (in words) for anything that is not a session
// of this version. Entries that are not images (no path) are skipped; a self-check out of range
// is dropped.
Session sessionFromJson(const QByteArray& json);

}  // namespace glimpse::ui
