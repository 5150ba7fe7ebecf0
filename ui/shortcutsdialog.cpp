#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <iterator>

namespace glimpse::ui {
namespace {

// The actions of `menu` with a shortcut, its submenus' after its own, each once.
void addMenu(QMenu* menu, QList<QAction*>& out, QSet<QAction*>& seen) {
  for (QAction* a : menu->actions()) {
    if (a->menu()) {
      addMenu(a->menu(), out, seen);
    } else if (!a->isSeparator() && !a->shortcuts().isEmpty() && !seen.contains(a)) {
      seen.insert(a);
      out << a;
    }
  }
}

// The name of the widget an action outside the menus works in ("Images" for the filmstrip's).
QString ownerName(const QAction* action) {
  for (QObject* o : action->associatedObjects())
    if (auto* w = qobject_cast<QWidget*>(o); w && !w->accessibleName().isEmpty()) return w->accessibleName();
  if (auto* w = qobject_cast<QWidget*>(action->parent()); w && !w->accessibleName().isEmpty())
    return w->accessibleName();
  return ShortcutsDialog::tr("Other");
}

}  // namespace

QString ShortcutsDialog::plainText(const QString& text) {
  QString t = text;
  // "&&" is a literal ampersand; a single "&" marks the mnemonic.
  t.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
  t.remove(QLatin1Char('&'));
  t.replace(QStringLiteral("\x01"), QStringLiteral("&"));
  while (t.endsWith(QChar(0x2026)) || t.endsWith(QLatin1Char('.'))) t.chop(1);
  return t.trimmed();
}

QString ShortcutsDialog::keysText(const QAction* action) {
  QStringList keys;
  for (const QKeySequence& k : action->shortcuts()) keys << k.toString(QKeySequence::NativeText);
  return keys.join(tr(", "));
}

QList<ShortcutsDialog::Group> ShortcutsDialog::collect(QMainWindow* window) {
  QList<Group> groups;
  QSet<QAction*> seen;
  for (QAction* top : window->menuBar()->actions()) {
    if (!top->menu()) continue;
    Group g{plainText(top->text()), {}};
    addMenu(top->menu(), g.actions, seen);
    if (!g.actions.isEmpty()) groups << g;
  }
  // Keys of the pages' own widgets (Delete on the filmstrip): under the widget they work in.
  for (QAction* a : window->findChildren<QAction*>()) {
    if (seen.contains(a) || a->shortcuts().isEmpty() || a->isSeparator() || a->menu()) continue;
    seen.insert(a);
    const QString owner = ownerName(a);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.title == owner; });
    if (it == groups.end()) {
      groups << Group{owner, {}};
      it = std::prev(groups.end());
    }
    it->actions << a;
  }
  return groups;
}

ShortcutsDialog::ShortcutsDialog(QMainWindow* window) : QDialog(window) {
  setWindowTitle(tr("Keyboard Shortcuts"));
  m_filter = new QLineEdit;
  m_filter->setPlaceholderText(tr("Filter by action or key…"));
  m_filter->setAccessibleName(tr("Filter shortcuts"));
  m_filter->setClearButtonEnabled(true);
  m_list = new QTreeWidget;
  m_list->setAccessibleName(tr("Keyboard shortcuts"));
  m_list->setColumnCount(2);
  m_list->setHeaderLabels({tr("Action"), tr("Shortcut")});
  m_list->setRootIsDecorated(false);
  m_list->setSelectionMode(QAbstractItemView::NoSelection);
  m_list->setFocusPolicy(Qt::NoFocus);
  m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  m_list->header()->setStretchLastSection(false);
  for (const Group& g : collect(window)) {
    auto* group = new QTreeWidgetItem(m_list, {g.title});
    QFont bold = group->font(0);
    bold.setBold(true);
    group->setFont(0, bold);
    group->setFirstColumnSpanned(true);
    for (const QAction* a : g.actions) {
      auto* item = new QTreeWidgetItem(group, {plainText(a->text()), keysText(a)});
      item->setToolTip(0, a->toolTip());
    }
    group->setExpanded(true);
  }
  auto* none = new QLabel(tr("No shortcut matches."));
  none->setObjectName(QStringLiteral("noMatch"));
  none->setVisible(false);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_filter);
  layout->addWidget(m_list, 1);
  layout->addWidget(none);
  layout->addWidget(buttons);
  connect(m_filter, &QLineEdit::textChanged, this, &ShortcutsDialog::setFilter);
  resize(520, 560);
}

void ShortcutsDialog::setFilter(const QString& text) {
  const QString needle = text.trimmed();
  int shown = 0;
  for (int g = 0; g < m_list->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = m_list->topLevelItem(g);
    // A menu's name shows all of it.
    const bool wholeGroup = !needle.isEmpty() && group->text(0).contains(needle, Qt::CaseInsensitive);
    int inGroup = 0;
    for (int i = 0; i < group->childCount(); ++i) {
      QTreeWidgetItem* item = group->child(i);
      const bool match = needle.isEmpty() || wholeGroup || item->text(0).contains(needle, Qt::CaseInsensitive) ||
                         item->text(1).contains(needle, Qt::CaseInsensitive);
      item->setHidden(!match);
      inGroup += match ? 1 : 0;
    }
    group->setHidden(inGroup == 0);
    shown += inGroup;
  }
  if (auto* none = findChild<QLabel*>(QStringLiteral("noMatch"))) none->setVisible(shown == 0);
}

}  // namespace glimpse::ui
