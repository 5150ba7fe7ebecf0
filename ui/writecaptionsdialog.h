#pragma once
// "Write captions to files…": the review step before Glimpse touches people's photos. A table of
// every library photo with a caption: what the photo says now, the caption to write (editable),
// and which files will change; nothing is written before the user presses Write. Then each row
// shows what happened to its files.
#include <QDialog>
#include <QList>

#include "inference/types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class WriteCaptionsDialog : public QDialog {
  Q_OBJECT
 public:
  enum Column { PhotoColumn = 0, CurrentColumn, CaptionColumn, PlanColumn, ResultColumn, ColumnCount };
  explicit WriteCaptionsDialog(inference::InferenceClient* client, QWidget* parent = nullptr);
  ~WriteCaptionsDialog() override;

  QTableWidget* table() const { return m_table; }
  QCheckBox* embeddedBox() const { return m_embedded; }
  QCheckBox* sidecarBox() const { return m_sidecar; }
  QCheckBox* txtBox() const { return m_txt; }
  QCheckBox* overwriteBox() const { return m_overwrite; }
  QPushButton* writeButton() const { return m_write; }
  // True once the rows arrived and while no write runs.
  bool isReady() const { return m_loaded && m_job == 0; }

 public Q_SLOTS:
  void write();

 private:
  void setRows(const QList<inference::CaptionFileRow>& rows);
  QStringList targets() const;
  void updatePlan();
  void showReport(const inference::CaptionWriteReport& report);

  inference::InferenceClient* m_client;
  QTableWidget* m_table;
  QCheckBox* m_embedded;
  QCheckBox* m_sidecar;
  QComboBox* m_sidecarName;
  QCheckBox* m_txt;
  QCheckBox* m_overwrite;
  QLabel* m_summary;
  QProgressBar* m_progress;
  QPushButton* m_write;
  QPushButton* m_close;
  QList<inference::CaptionFileRow> m_rows;
  quint64 m_rowsRequest = 0;
  quint64 m_job = 0;
  bool m_loaded = false;
  int m_failed = 0;
};

}  // namespace glimpse::ui
