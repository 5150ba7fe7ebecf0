#pragma once
// The app's tasks, one vocabulary for the catalogue, the settings, the worker and the dialogs.
// Each task is served by one BLIP head.
#include <QString>
#include <array>
#include <optional>

namespace glimpse {

enum class Task { Caption = 0, Ask = 1, Search = 2 };
constexpr std::array<Task, 3> kTasks = {Task::Caption, Task::Ask, Task::Search};
constexpr int kTaskCount = static_cast<int>(kTasks.size());

// Stable key for files and settings: "caption", "ask", "search".
QString taskKey(Task task);
std::optional<Task> taskFromKey(const QString& key);
// The Hugging Face class of the head that serves the task.
const char* taskHead(Task task);
// Tasks a checkpoint can serve, from the Hugging Face class names of its heads.
QList<Task> tasksOfHeads(const QStringList& heads);
// The task's name for people (translated), e.g. "Captions".
QString taskLabel(Task task);

}  // namespace glimpse
