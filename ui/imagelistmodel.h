#pragma once
// The images a person dropped or opened: thumbnail (placeholder until it is made), caption and
// the question/answer history of each.
#include <QAbstractListModel>
#include <QImage>
#include <QList>
#include <QPair>
#include <QString>

#include "thumbnailloader.h"

namespace glimpse::ui {

// Where a photo's caption stands: none yet, being generated, done, or failed (with the reason).
enum class CaptionState { None, Running, Done, Failed };

struct ImageItem {
  QString path;
  QString caption;                      // final caption (the previous one stays while a new one runs or fails)
  QString partial;                      // caption while it is generated
  bool working = false;                 // a caption is being generated
  QString error;                        // why the last caption failed
  QList<QPair<QString, QString>> chat;  // question, answer (as shown)
  bool unreadable = false;              // no thumbnail could be made of the file
  // Per chat entry: the question as the model read it and its English answer, where they differ
  // from what is shown (translated questions and answers); empty otherwise.
  QList<QPair<QString, QString>> chatEnglish;
  QString captionEnglish;  // the model's English original of a translated caption, else empty
  CaptionState state() const {
    return working              ? CaptionState::Running
           : !error.isEmpty()   ? CaptionState::Failed
           : !caption.isEmpty() ? CaptionState::Done
                                : CaptionState::None;
  }
  QString captionParameters;  // JSON of the prompt and settings the caption was made with
  // The caption's self-check (a search model is set): ITM probability and ITC cosine against the
  // photo; itm < 0 when it was not checked.
  double itm = -1.0;
  double itc = 0.0;
  bool regenerated = false;
};

class ImageListModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role { PathRole = Qt::UserRole + 1, CaptionRole, WorkingRole, StateRole, BadgeRole };
  explicit ImageListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

  // Adds image files (folders are searched recursively); returns how many were new.
  int addPaths(const QStringList& paths);
  int indexOf(const QString& path) const;
  const ImageItem& item(int row) const { return m_items[row]; }
  ImageItem& item(int row) { return m_items[row]; }
  void touch(int row);  // emit dataChanged for a row
  QStringList paths() const;
  void removeRow(int row);
  // These files went to the trash: their thumbnails leave memory and their rows show what is
  // left of them.
  void forgetThumbnails(const QStringList& paths);
  const ThumbnailLoader& thumbnails() const { return m_thumbs; }
  // Why an item shows a failure badge (its tooltip says so); empty when it shows none.
  static QString badge(const ImageItem& item);

 private:
  QList<ImageItem> m_items;
  ThumbnailLoader m_thumbs;
  QImage m_placeholder;
  QImage m_broken;
};

}  // namespace glimpse::ui
