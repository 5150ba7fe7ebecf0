#include "thumbnaildelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QHelpEvent>
#include <QIcon>
#include <QImage>
#include <QPainter>
#include <QPixmap>
#include <QToolTip>

#include "desktop.h"

namespace glimpse::ui {
namespace {
constexpr int kPad = 4;
constexpr int kSpacing = 8;
}  // namespace

ThumbnailDelegate::ThumbnailDelegate(QSize pictureBox, int textLines, QObject* parent)
    : QStyledItemDelegate(parent), m_box(pictureBox), m_lines(textLines) {}

QSize ThumbnailDelegate::cellSize(const QFont& font) const {
  const QFontMetrics fm(font);
  return {m_box.width() + 2 * kPad, m_box.height() + 3 * kPad + m_lines * fm.lineSpacing()};
}

QSize ThumbnailDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
  return cellSize(option.font);
}

bool ThumbnailDelegate::helpEvent(QHelpEvent* event, QAbstractItemView* view, const QStyleOptionViewItem& option,
                                  const QModelIndex& index) {
  if (!event || !view || event->type() != QEvent::ToolTip)
    return QStyledItemDelegate::helpEvent(event, view, option, index);
  // A cell's tooltip is its path, caption and state: shown as written, never as markup.
  const QString tip = index.isValid() ? index.data(Qt::ToolTipRole).toString() : QString();
  QToolTip::showText(event->globalPos(), plainToolTip(tip), view->viewport(),
                     index.isValid() ? view->visualRect(index) : QRect());
  event->setAccepted(!tip.isEmpty());
  return true;
}

QSize ThumbnailDelegate::gridSize(const QFont& font) const {
  return cellSize(font) + QSize(kSpacing, kSpacing);
}

void ThumbnailDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QStyleOptionViewItem opt = option;
  initStyleOption(&opt, index);
  const QSize cell = cellSize(opt.font);
  // The cell, centred in the rectangle the view gives (the grid cell).
  const QRect r(opt.rect.x() + (opt.rect.width() - cell.width()) / 2, opt.rect.y(), cell.width(), cell.height());
  QStyleOptionViewItem background = opt;
  background.rect = r;
  background.text.clear();
  background.icon = QIcon();
  background.features &= ~QStyleOptionViewItem::HasDecoration;
  const QWidget* widget = opt.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  style->drawPrimitive(QStyle::PE_PanelItemViewItem, &background, painter, widget);
  // The whole cell shows the selection (styles mark only the text of icon-mode items).
  const bool selected = opt.state & QStyle::State_Selected;
  if (selected) {
    const QPalette::ColorGroup active = opt.state & QStyle::State_Active ? QPalette::Active : QPalette::Inactive;
    painter->fillRect(r, opt.palette.brush(active, QPalette::Highlight));
  }

  painter->save();
  painter->setRenderHint(QPainter::SmoothPixmapTransform);
  const QRect box(r.x() + kPad, r.y() + kPad, m_box.width(), m_box.height());
  const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
  const QVariant deco = index.data(Qt::DecorationRole);
  QImage image;
  if (deco.canConvert<QImage>() && deco.userType() == QMetaType::QImage) {
    image = deco.value<QImage>();
  } else if (deco.userType() == QMetaType::QPixmap) {
    image = deco.value<QPixmap>().toImage();
  } else if (deco.userType() == QMetaType::QIcon) {
    image = deco.value<QIcon>().pixmap(m_box, dpr).toImage();
  }
  if (!image.isNull()) {
    // Logical size of the picture: its pixels over its own ratio, fitted into the box.
    QSizeF size = QSizeF(image.size()) / image.devicePixelRatio();
    if (size.width() > box.width() || size.height() > box.height()) size.scale(box.size(), Qt::KeepAspectRatio);
    const QRectF target(box.x() + (box.width() - size.width()) / 2, box.y() + (box.height() - size.height()) / 2,
                        size.width(), size.height());
    painter->drawImage(target, image);
  }
  // The view's text, whose line breaks initStyleOption() turned into line separators.
  QString text = opt.text;
  text.replace(QChar::LineSeparator, QLatin1Char('\n'));
  const QStringList lines = text.split(QLatin1Char('\n'));
  painter->setFont(opt.font);
  const QPalette::ColorGroup group = opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
  painter->setPen(opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text));
  const QFontMetrics fm(opt.font);
  int y = box.bottom() + 1 + kPad;
  for (int i = 0; i < std::min<int>(m_lines, static_cast<int>(lines.size())); ++i) {
    const QString line = fm.elidedText(lines[i], Qt::ElideMiddle, r.width() - 2 * kPad);
    painter->drawText(QRect(r.x() + kPad, y, r.width() - 2 * kPad, fm.lineSpacing()), Qt::AlignHCenter | Qt::AlignTop,
                      line);
    y += fm.lineSpacing();
  }
  painter->restore();
}

}  // namespace glimpse::ui
