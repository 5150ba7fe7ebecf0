#pragma once
// Draws one thumbnail cell of a grid (the filmstrip, the library's results): the picture fitted
// into a fixed box at device pixels, then the lines of the item's text, each on one line and
// elided in the middle. Every cell has the same size, so cells never overlap and no name is cut
// by the cell below, whatever the photo's shape. Tooltips show the item's text as written.
#include <QStyledItemDelegate>

namespace glimpse::ui {

class ThumbnailDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  ThumbnailDelegate(QSize pictureBox, int textLines, QObject* parent = nullptr);
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  // The item's tooltip (paths, captions) as plain text (plainToolTip).
  bool helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                 const QModelIndex& index) override;
  // The grid size a view needs for these cells (cell plus spacing).
  QSize gridSize(const QFont& font) const;

 private:
  QSize cellSize(const QFont& font) const;
  QSize m_box;
  int m_lines;
};

}  // namespace glimpse::ui
