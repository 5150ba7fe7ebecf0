#pragma once
// Ask across results: one question asked of the top results of a library search. The answers
// stream into the result grid as each photo is answered (under the photo's name); yes/no answers
// filter the grid, other answers group it (the filter lists each answer with its count).
// Cancelling stops between photos. A new search (the model is reset) stops the question. As in the
// chat, a question not in English is translated on the worker ("Asked in English: …" beside the
// bar), and answers are shown in the interface language when the settings ask for it (the English
// original in the tooltip; yes and no still filter).
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSpinBox;
class QStandardItemModel;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class AskResultsBar : public QWidget {
  Q_OBJECT
 public:
  // `pathRole`: the item data role holding each result's file path.
  AskResultsBar(inference::InferenceClient* client, QListView* view, QStandardItemModel* model, int pathRole,
                QWidget* parent = nullptr);
  QLineEdit* questionEdit() const { return m_question; }
  QComboBox* filter() const { return m_filter; }
  bool running() const { return m_job != 0; }
  // "Asked in English: …" when the question was translated (hidden otherwise).
  QLabel* askedInEnglish() const { return m_english; }

 public Q_SLOTS:
  void ask();
  void stop();

 Q_SIGNALS:
  void status(const QString& message);

 private:
  void reset();
  void rebuildFilter();
  void applyFilter();
  void setRunning(bool running);
  void showProgress(const QString& text);  // on the line under the question

  inference::InferenceClient* m_client;
  QListView* m_view;
  QStandardItemModel* m_model;
  int m_pathRole;
  QLineEdit* m_question;
  QSpinBox* m_top;
  QPushButton* m_ask;
  QPushButton* m_stop;
  QComboBox* m_filter;
  QLabel* m_progress;
  QLabel* m_english;
  quint64 m_job = 0;
  // The translation of the next answer (it arrives just before the answer): English, shown.
  QPair<QString, QString> m_nextTranslation;
  int m_asked = 0;
};

}  // namespace glimpse::ui
