#include "photoview.h"

#include <QAction>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace glimpse::ui {
namespace {
constexpr double kStep = 1.25;
constexpr double kMinZoom = 0.02;
constexpr double kMaxZoom = 32.0;
}  // namespace

PhotoView::PhotoView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 120);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  setAccessibleName(tr("Preview"));
  // The zoom keys are actions of this widget (they work while it has the focus, as the keys did),
  // so that Help → Keyboard shortcuts lists them under "Preview".
  const auto key = [this](const QString& text, const QList<QKeySequence>& keys, void (PhotoView::*slot)()) {
    auto* action = new QAction(text, this);
    action->setShortcuts(keys);
    action->setShortcutContext(Qt::WidgetShortcut);
    connect(action, &QAction::triggered, this, slot);
    addAction(action);
  };
  key(tr("Zoom in"), {QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)}, &PhotoView::zoomIn);
  key(tr("Zoom out"), {QKeySequence(Qt::Key_Minus)}, &PhotoView::zoomOut);
  key(tr("Fit to window"), {QKeySequence(Qt::Key_0)}, &PhotoView::fitToWindow);
  key(tr("Actual size, 100%"), {QKeySequence(Qt::Key_1)}, &PhotoView::actualSize);
}

void PhotoView::setImage(const QImage& image) {
  m_image = image;
  m_image.setDevicePixelRatio(1.0);
  m_message.clear();
  m_scaled = QImage();
  m_fit = true;
  update();
  Q_EMIT zoomChanged(zoom(), m_fit);
}

void PhotoView::setMessage(const QString& message) {
  m_image = QImage();
  m_scaled = QImage();
  m_message = message;
  update();
}

double PhotoView::fitZoom() const {
  if (m_image.isNull()) return 1.0;
  const double dpr = devicePixelRatioF();
  return std::min(width() * dpr / m_image.width(), height() * dpr / m_image.height());
}

double PhotoView::zoom() const {
  return m_fit ? fitZoom() : m_zoom;
}

QRectF PhotoView::photoRect() const {
  if (m_image.isNull()) return {};
  const double dpr = devicePixelRatioF();
  const QSizeF size = QSizeF(m_image.size()) * zoom() / dpr;
  QPointF at = m_offset;
  // A photo smaller than the widget is centred; a larger one shows where it was dragged.
  if (m_fit || size.width() <= width()) at.setX((width() - size.width()) / 2);
  if (m_fit || size.height() <= height()) at.setY((height() - size.height()) / 2);
  return {at, size};
}

void PhotoView::clampOffset() {
  const QSizeF size = photoRect().size();
  m_offset.setX(std::clamp(m_offset.x(), std::min(0.0, width() - size.width()), 0.0));
  m_offset.setY(std::clamp(m_offset.y(), std::min(0.0, height() - size.height()), 0.0));
}

void PhotoView::setZoom(double zoom, QPointF anchor) {
  if (m_image.isNull()) return;
  const QRectF before = photoRect();
  const double old = this->zoom();
  m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
  m_fit = false;
  // The photo point under the anchor stays under it (zoom counts device pixels, positions are
  // logical ones).
  const double dpr = devicePixelRatioF();
  const QPointF inPhoto = (anchor - before.topLeft()) * dpr / old;
  m_offset = anchor - inPhoto * m_zoom / dpr;
  clampOffset();
  update();
  Q_EMIT zoomChanged(this->zoom(), m_fit);
}

void PhotoView::fitToWindow() {
  m_fit = true;
  update();
  if (!m_image.isNull()) Q_EMIT zoomChanged(zoom(), m_fit);
}

void PhotoView::actualSize() {
  setZoom(1.0, rect().center());
}

void PhotoView::zoomIn() {
  setZoom(zoom() * kStep, rect().center());
}

void PhotoView::zoomOut() {
  setZoom(zoom() / kStep, rect().center());
}

void PhotoView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (m_fullScreenCopy) p.fillRect(rect(), Qt::black);
  if (m_image.isNull()) {
    p.setPen(palette().color(QPalette::Disabled, QPalette::Text));
    p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_message);
    return;
  }
  const QRectF target = photoRect();
  const double z = zoom();
  if (z < 1.0) {
    // Smaller than the photo: scaled once, smoothly, to the device pixels it covers.
    const double dpr = devicePixelRatioF();
    const QSize device = (target.size() * dpr).toSize();
    if (m_scaled.size() != device) {
      m_scaled = m_image.scaled(device, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
      m_scaled.setDevicePixelRatio(dpr);
    }
    p.drawImage(target.topLeft(), m_scaled);
  } else {
    // 100% and closer: photo pixels as they are (sharp squares when zoomed in); a small photo
    // fitted to a large pane is enlarged smoothly.
    p.setRenderHint(QPainter::SmoothPixmapTransform, m_fit);
    p.drawImage(target, m_image);
  }
}

void PhotoView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  clampOffset();
  if (m_fit && !m_image.isNull()) Q_EMIT zoomChanged(zoom(), m_fit);
}

void PhotoView::wheelEvent(QWheelEvent* event) {
  if (!(event->modifiers() & Qt::ControlModifier) || m_image.isNull()) {
    QWidget::wheelEvent(event);
    return;
  }
  const int steps = event->angleDelta().y() / 120;
  if (steps != 0) setZoom(zoom() * std::pow(kStep, steps), event->position());
  event->accept();
}

void PhotoView::keyPressEvent(QKeyEvent* event) {
  switch (event->key()) {
    case Qt::Key_Escape:
    case Qt::Key_F11:
      if (m_fullScreenCopy) {
        close();
        return;
      }
      break;
    default:
      break;
  }
  QWidget::keyPressEvent(event);
}

void PhotoView::mousePressEvent(QMouseEvent* event) {
  m_dragFrom = event->position().toPoint();
  setFocus(Qt::MouseFocusReason);
  QWidget::mousePressEvent(event);
}

void PhotoView::mouseMoveEvent(QMouseEvent* event) {
  if (!(event->buttons() & Qt::LeftButton) || m_fit) return;
  const QPoint at = event->position().toPoint();
  m_offset = photoRect().topLeft() + (at - m_dragFrom);
  m_dragFrom = at;
  clampOffset();
  update();
}

void PhotoView::mouseDoubleClickEvent(QMouseEvent*) {
  if (m_fullScreenCopy)
    close();
  else
    Q_EMIT fullScreenRequested();
}

PhotoView* PhotoView::showFullScreenCopy() {
  auto* view = new PhotoView;
  view->setAttribute(Qt::WA_DeleteOnClose);
  view->m_fullScreenCopy = true;
  view->setWindowTitle(windowTitle());
  view->setObjectName(QStringLiteral("fullScreenPhoto"));
  QPalette pal = view->palette();
  pal.setColor(QPalette::Disabled, QPalette::Text, Qt::lightGray);
  view->setPalette(pal);
  if (m_image.isNull())
    view->setMessage(m_message);
  else
    view->setImage(m_image);
  view->showFullScreen();
  view->activateWindow();
  view->setFocus();
  return view;
}

}  // namespace glimpse::ui
