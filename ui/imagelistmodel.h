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

struct ImageItem {
  QString path;
  QString caption;       // final caption
  QString partial;       // caption while it is generated
  bool working = false;  // a caption is being generated
  QString error;
  QList<QPair<QString, QString>> chat;  // question, answer
  // The caption's self-check (a search model is set): ITM probability and ITC cosine against the
  // photo; itm < 0 when it was not checked.
  double itm = -1.0;
  double itc = 0.0;
  bool regenerated = false;
};

class ImageListModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role { PathRole = Qt::UserRole + 1, CaptionRole, WorkingRole };
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

 private:
  QList<ImageItem> m_items;
  ThumbnailLoader m_thumbs;
  QImage m_placeholder;
};

}  // namespace glimpse::ui
