#pragma once
// The app's tasks, one vocabulary for the catalogue, the settings, the worker and the dialogs.
// Caption, Ask and Search (kTasks) are each served by one BLIP head; Translate is served by an
// OPUS-MT (Marian) model, chosen per direction (settings.h: translation models).
#include <QString>
#include <array>
#include <optional>

namespace glimpse {

enum class Task { Caption = 0, Ask = 1, Search = 2, Translate = 3 };
// The BLIP tasks: one model folder each in the settings.
constexpr std::array<Task, 3> kTasks = {Task::Caption, Task::Ask, Task::Search};
constexpr std::array<Task, 4> kAllTasks = {Task::Caption, Task::Ask, Task::Search, Task::Translate};
constexpr int kTaskCount = static_cast<int>(kTasks.size());

// Stable key for files and settings: "caption", "ask", "search", "translate".
QString taskKey(Task task);
std::optional<Task> taskFromKey(const QString& key);
// The Hugging Face class of the model (head) that serves the task.
const char* taskHead(Task task);
// Tasks a checkpoint can serve, from the Hugging Face class names of its heads (architectures).
QList<Task> tasksOfHeads(const QStringList& heads);
// The task's name for people (translated), e.g. "Captions".
QString taskLabel(Task task);

}  // namespace glimpse
