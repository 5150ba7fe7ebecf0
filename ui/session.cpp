#include "session.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <stdexcept>

#include "desktop/paths.h"

namespace glimpse::ui {

QString sessionFile() {
  return desktop::stateDir() + QStringLiteral("/session.json");
}

QByteArray sessionToJson(const Session& session) {
  QJsonArray images;
  for (const SessionImage& im : session.images) {
    QJsonArray chat;
    for (const auto& [q, a] : im.chat) chat.append(QJsonArray{q, a});
    QJsonObject o{{QStringLiteral("path"), im.path}, {QStringLiteral("caption"), im.caption}};
    if (!im.captionParameters.isEmpty()) o.insert(QStringLiteral("caption_parameters"), im.captionParameters);
    if (!chat.isEmpty()) o.insert(QStringLiteral("chat"), chat);
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
    for (const QJsonValue& turn : o.value(QStringLiteral("chat")).toArray()) {
      const QJsonArray qa = turn.toArray();
      if (qa.size() == 2 && qa[0].isString() && qa[1].isString())
        im.chat.push_back({qa[0].toString(), qa[1].toString()});
    }
    s.images.push_back(im);
  }
  s.current = root.value(QStringLiteral("current")).toInt(-1);
  if (s.current >= s.images.size()) s.current = -1;
  return s;
}

}  // namespace glimpse::ui
