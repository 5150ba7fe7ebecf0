#include "task.h"

#include <QCoreApplication>
#include <QList>
#include <QStringList>

namespace glimpse {

QString taskKey(Task task) {
  switch (task) {
    case Task::Caption:
      return QStringLiteral("caption");
    case Task::Ask:
      return QStringLiteral("ask");
    case Task::Search:
      return QStringLiteral("search");
    case Task::Translate:
      return QStringLiteral("translate");
  }
  return {};
}

std::optional<Task> taskFromKey(const QString& key) {
  for (Task t : kAllTasks)
    if (taskKey(t) == key) return t;
  return std::nullopt;
}

const char* taskHead(Task task) {
  switch (task) {
    case Task::Caption:
      return "BlipForConditionalGeneration";
    case Task::Ask:
      return "BlipForQuestionAnswering";
    case Task::Search:
      return "BlipForImageTextRetrieval";
    case Task::Translate:
      return "MarianMTModel";
  }
  return "";
}

QList<Task> tasksOfHeads(const QStringList& heads) {
  QList<Task> out;
  for (Task t : kAllTasks)
    if (heads.contains(QLatin1String(taskHead(t)))) out << t;
  return out;
}

QString taskLabel(Task task) {
  switch (task) {
    case Task::Caption:
      return QCoreApplication::translate("glimpse::Task", "Captions");
    case Task::Ask:
      return QCoreApplication::translate("glimpse::Task", "Questions");
    case Task::Search:
      return QCoreApplication::translate("glimpse::Task", "Library search");
    case Task::Translate:
      return QCoreApplication::translate("glimpse::Task", "Translation");
  }
  return {};
}

}  // namespace glimpse
