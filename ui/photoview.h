#pragma once
// The photo preview, as gThumb and Shotwell show one: fitted to the widget (and fitted again when
// the window or splitter changes its size), at 100% (one photo pixel per device pixel), or zoomed
// (Ctrl+wheel, + and -, steps of 1.25x) with the view dragged by the mouse. It paints at device
// pixels, so it is sharp at 2x. A double click asks for full screen (fullScreenRequested); in a
// full-screen view, Esc, F11 and a double click close it.
#include <QImage>
#include <QPointF>
#include <QWidget>

namespace glimpse::ui {

class PhotoView : public QWidget {
  Q_OBJECT
 public:
  explicit PhotoView(QWidget* parent = nullptr);
  // The photo at its own pixels (devicePixelRatio 1); a null image shows `message` instead.
  void setImage(const QImage& image);
  void setMessage(const QString& message);
  const QImage& image() const { return m_image; }
  QString message() const { return m_message; }
  bool isFitted() const { return m_fit; }
  // Device pixels per photo pixel as painted now (1.0 is 100%).
  double zoom() const;
  // Where the photo is painted, in widget coordinates.
  QRectF photoRect() const;
  // A top-level full-screen view of the same photo (deleted when closed).
  PhotoView* showFullScreenCopy();

 public Q_SLOTS:
  void fitToWindow();
  void actualSize();
  void zoomIn();
  void zoomOut();

 Q_SIGNALS:
  // The zoom of the photo shown (never while a message is shown instead).
  void zoomChanged(double zoom, bool fitted);
  void fullScreenRequested();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  double fitZoom() const;
  void setZoom(double zoom, QPointF anchor);
  void clampOffset();
  QImage m_image;
  QString m_message;
  bool m_fit = true;
  double m_zoom = 1.0;  // when not fitted
  QPointF m_offset;     // top-left of the photo in widget coordinates, when zoomed
  QPoint m_dragFrom;
  // The fitted photo scaled once per size at device pixels (smooth), not on every paint.
  mutable QImage m_scaled;
  bool m_fullScreenCopy = false;
};

}  // namespace glimpse::ui
