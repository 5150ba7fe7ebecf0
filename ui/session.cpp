#include "session.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "desktop/paths.h"

namespace glimpse::ui {

QString sessionFile() {
  return desktop::stateDir() + QStringLiteral("/session.json");
}

namespace {

QJsonArray turnsToJson(const QList<QPair<QString, QString>>& turns) {
  QJsonArray out;
  for (const auto& [q, a] : turns) out.append(QJsonArray{q, a});
  return out;
}

QList<QPair<QString, QString>> turnsFromJson(const QJsonValue& value) {
  QList<QPair<QString, QString>> out;
  for (const QJsonValue& turn : value.toArray()) {
    const QJsonArray qa = turn.toArray();
    if (qa.size() == 2 && qa[0].isString() && qa[1].isString()) out.push_back({qa[0].toString(), qa[1].toString()});
  }
  return out;
}

}  // namespace

QByteArray sessionToJson(const Session& session) {
  QJsonArray images;
  for (const SessionImage& im : session.images) {
    QJsonObject o{{QStringLiteral("path"), im.path}, {QStringLiteral("caption"), im.caption}};
    if (!im.captionParameters.isEmpty()) o.insert(QStringLiteral("caption_parameters"), im.captionParameters);
    if (im.itm >= 0.0) {
      o.insert(QStringLiteral("itm"), im.itm);
      o.insert(QStringLiteral("itc"), im.itc);
      if (im.regenerated) o.insert(QStringLiteral("regenerated"), true);
    }
    if (!im.captionEnglish.isEmpty()) o.insert(QStringLiteral("caption_english"), im.captionEnglish);
    if (!im.caption.isEmpty() && im.captionSize >= 0)
      o.insert(QStringLiteral("caption_file"),
               QJsonObject{{QStringLiteral("size"), im.captionSize}, {QStringLiteral("mtime_ms"), im.captionMtimeMs}});
    if (!im.chat.isEmpty()) o.insert(QStringLiteral("chat"), turnsToJson(im.chat));
    const bool translated = std::any_of(im.chatEnglish.begin(), im.chatEnglish.end(),
                                        [](const auto& en) { return !en.first.isEmpty() || !en.second.isEmpty(); });
    if (translated) o.insert(QStringLiteral("chat_english"), turnsToJson(im.chatEnglish));
    images.append(o);
  }
  const QJsonObject root{{QStringLiteral("version"), kSessionVersion},
                         {QStringLiteral("images"), images},
                         {QStringLiteral("current"), session.current}};
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Session sessionFromJson(const QByteArray& json) {
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
  if (doc.isNull()) throw std::runtime_error("not JSON: " + error.errorString().toStdString());
  if (!doc.isObject()) throw std::runtime_error("not a session: the top level is not an object");
  const QJsonObject root = doc.object();
  if (root.value(QStringLiteral("version")).toInt(-1) != kSessionVersion)
    throw std::runtime_error("not a session of version " + std::to_string(kSessionVersion));
  Session s;
  for (const QJsonValue& v : root.value(QStringLiteral("images")).toArray()) {
    const QJsonObject o = v.toObject();
    SessionImage im;
    im.path = o.value(QStringLiteral("path")).toString();
    if (im.path.isEmpty()) continue;
    im.caption = o.value(QStringLiteral("caption")).toString();
    im.captionParameters = o.value(QStringLiteral("caption_parameters")).toString();
    // A probability and a cosine, or no self-check at all.
    const double itm = o.value(QStringLiteral("itm")).toDouble(-1.0);
    const double itc = o.value(QStringLiteral("itc")).toDouble(0.0);
    if (itm >= 0.0 && itm <= 1.0 && itc >= -1.0 && itc <= 1.0) {
      im.itm = itm;
      im.itc = itc;
      im.regenerated = o.value(QStringLiteral("regenerated")).toBool();
    }
    im.captionEnglish = o.value(QStringLiteral("caption_english")).toString();
    // What the caption was made of; older sessions do not say (then nothing is known).
    const QJsonObject made = o.value(QStringLiteral("caption_file")).toObject();
    // toInteger: a number out of qint64's range (a damaged file) counts as absent, never cast.
    const qint64 size = made.value(QStringLiteral("size")).toInteger(-1);
    constexpr qint64 kAbsent = std::numeric_limits<qint64>::min();
    const qint64 mtimeMs = made.value(QStringLiteral("mtime_ms")).toInteger(kAbsent);
    if (!im.caption.isEmpty() && size >= 0 && mtimeMs != kAbsent) {
      im.captionSize = size;
      im.captionMtimeMs = mtimeMs;
    }
    im.chat = turnsFromJson(o.value(QStringLiteral("chat")));
    im.chatEnglish = turnsFromJson(o.value(QStringLiteral("chat_english")));
    im.chatEnglish.resize(im.chat.size());  // one per turn, whatever the file held
    s.images.push_back(im);
  }
  s.current = root.value(QStringLiteral("current")).toInt(-1);
  if (s.current >= s.images.size()) s.current = -1;
  return s;
}

}  // namespace glimpse::ui
