#pragma once
// The images a person dropped or opened: thumbnail (placeholder until it is made), caption and
// the question/answer history of each.
#include <QAbstractListModel>
#include <QImage>
#include <QList>
#include <QPair>
#include <QSet>
#include <QString>

#include "thumbnailloader.h"

class QFileSystemWatcher;
class QTimer;

namespace glimpse::ui {

// A file's size and modification time as Glimpse last saw them: what tells that a photo changed
// on disk since its thumbnail or caption was made.
struct FileStamp {
  qint64 size = -1;  // -1: not known, or the file is not there
  qint64 mtimeMs = -1;
  bool known() const { return size >= 0; }
  bool operator==(const FileStamp&) const = default;
  // The file as it is now (not known when it is not a regular file).
  static FileStamp of(const QString& path);
};

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
  FileStamp file;         // the file as last seen on disk
  bool missing = false;   // the file is no longer on disk (the entry and its caption stay)
  FileStamp captionFile;  // the file the caption was made of (not known: no caption)
  FileStamp requested;    // the file when the caption running now was asked for
  // The caption describes an earlier version of the file: it changed on disk since.
  bool captionStale() const {
    return !caption.isEmpty() && !missing && captionFile.known() && file.known() && captionFile != file;
  }
};

class ImageListModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role { PathRole = Qt::UserRole + 1, CaptionRole, WorkingRole, StateRole, BadgeRole, StaleRole };
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
  // Looks at the files of `paths` (every listed file when empty) on disk now: a file that changed
  // (size or modification time) or went away or came back gets its thumbnail made again, and
  // filesChanged() names them. Returns how many changed. The list watches its files and their
  // folders (QFileSystemWatcher) and calls this shortly after the last change it heard of.
  int checkFiles(const QStringList& paths = {});

 Q_SIGNALS:
  // These listed files changed on disk, went away or came back (checkFiles()).
  void filesChanged(const QStringList& paths);

 private:
  void watch(const QString& path);
  void unwatch(const QString& path);
  QList<ImageItem> m_items;
  ThumbnailLoader m_thumbs;
  QImage m_placeholder;
  QImage m_broken;
  QFileSystemWatcher* m_watcher;
  QTimer* m_recheck;        // single shot: files were reported changed, look once they settle
  QSet<QString> m_toCheck;  // the listed files to look at then
};

}  // namespace glimpse::ui
