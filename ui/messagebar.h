#pragma once
// Messages that need the person: a dismissable bar above the pages (one line, details on demand,
// an optional action such as "Choose another location…"), and the application log every message
// also goes to ($XDG_STATE_HOME/Glimpse/glimpse.log, Help → Show log).
#include <QFrame>
#include <QString>
#include <functional>

class QLabel;
class QPushButton;

namespace glimpse::ui {

// The first line of `message`, at most `max` characters (a loader's error can list every tensor).
QString firstLine(const QString& message, int max = 200);

struct Message {
  QString key;      // a newer message with the same key replaces it; clear(key) hides it
  QString text;     // one line, shown
  QString details;  // shown on demand ("Details…"); empty: no button
  QString actionText;
  std::function<void()> action;  // run by the action button (the bar then closes)
};

class MessageBar : public QFrame {
  Q_OBJECT
 public:
  explicit MessageBar(QWidget* parent = nullptr);
  void show(const Message& message);
  // Hides the message with `key` if it is the one shown.
  void clear(const QString& key);
  QString key() const { return m_message.key; }
  QString text() const;
  QPushButton* actionButton() const { return m_action; }
  QPushButton* detailsButton() const { return m_details; }
  QPushButton* closeButton() const { return m_close; }

 private:
  Message m_message;
  QLabel* m_text;
  QPushButton* m_details;
  QPushButton* m_action;
  QPushButton* m_close;
};

// The application log: one line per message with time and level, appended (any thread).
namespace applog {
QString path();
void write(const QString& level, const QString& message);
}  // namespace applog

}  // namespace glimpse::ui
