#pragma once
// "Similar photos": the review of near-duplicate groups of the library. The groups come from the
// inference worker (InferenceClient::findDuplicates); each photo shows its thumbnail, file size,
// date, resolution and sharpness (made off the GUI thread) with Keep / Reject marks; "Move rejects
// to Trash" moves the rejected files to the system trash through the worker, never deleting them.
#include <QDialog>
#include <QHash>
#include <QList>

#include "library/duplicates.h"

class QButtonGroup;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QRadioButton;
class QScrollArea;
class QVBoxLayout;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class DuplicatesDialog : public QDialog {
  Q_OBJECT
 public:
  explicit DuplicatesDialog(inference::InferenceClient* client, QWidget* parent = nullptr);
  // Stops a search still running on the worker.
  ~DuplicatesDialog() override;

  // Looks for groups again with the threshold shown.
  void refresh();
  // Marks a photo rejected (true) or kept (false); false when it is not shown.
  bool setRejected(const QString& path, bool rejected);
  QStringList rejected() const;
  int groupCount() const { return static_cast<int>(m_groups.size()); }
  bool busy() const { return m_pending != 0; }
  QPushButton* trashButton() const { return m_trash; }
  QDoubleSpinBox* thresholdBox() const { return m_threshold; }

 Q_SIGNALS:
  // A request ended (groups shown, or files moved and the groups read again, or an error shown).
  void updated();

 private:
  struct Card {
    QLabel* thumbnail = nullptr;
    QLabel* sharpness = nullptr;
    QRadioButton* keep = nullptr;
    QRadioButton* reject = nullptr;
  };
  void showGroups(const QList<library::DuplicateGroup>& groups);
  void moveRejectsToTrash();
  void updateButtons();
  QWidget* makeCard(const library::DuplicatePhoto& photo);

  inference::InferenceClient* m_client;
  quint64 m_pending = 0;
  bool m_searching = false;  // m_pending is a search (not a trash request)
  QList<library::DuplicateGroup> m_groups;
  QHash<QString, Card> m_cards;
  QDoubleSpinBox* m_threshold;
  QPushButton* m_search;
  QPushButton* m_trash;
  QLabel* m_status;
  QString m_note;  // what the last trash action did, shown with the next groups
  QScrollArea* m_scroll;
};

}  // namespace glimpse::ui
