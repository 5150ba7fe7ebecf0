#pragma once
// Help → Keyboard Shortcuts: every shortcut of the window, read from its actions when the dialog
// opens (so the list is always what the keys do), grouped by menu, with a filter field.
#include <QDialog>
#include <QList>
#include <QString>

class QAction;
class QLineEdit;
class QMainWindow;
class QTreeWidget;

namespace glimpse::ui {

class ShortcutsDialog : public QDialog {
  Q_OBJECT
 public:
  // The actions of `window` that have a shortcut: those of each menu of its menu bar (submenus
  // under their menu), then the ones of its widgets that no menu holds, under the widget's name.
  explicit ShortcutsDialog(QMainWindow* window);

  struct Group {
    QString title;  // the menu's title without its mnemonic, or the widget's name
    QList<QAction*> actions;
  };
  static QList<Group> collect(QMainWindow* window);
  // An action's text as a list shows it: no mnemonic, no trailing dots.
  static QString plainText(const QString& text);
  // Its shortcuts as the person reads them (in the interface language), the first one first.
  static QString keysText(const QAction* action);

  QLineEdit* filterField() const { return m_filter; }
  QTreeWidget* list() const { return m_list; }

 public Q_SLOTS:
  // Shows the shortcuts whose action, key or menu contains `text` (case does not matter).
  void setFilter(const QString& text);

 private:
  QLineEdit* m_filter;
  QTreeWidget* m_list;
};

}  // namespace glimpse::ui
