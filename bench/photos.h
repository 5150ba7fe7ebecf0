#pragma once
// Photo-like test pictures for the benchmarks: a sky-blue background with coloured ellipses.
#include <QBuffer>
#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QPainter>
#include <random>

namespace glimpse::bench {

inline QByteArray photoLikeJpeg(int width, int height, unsigned seed) {
  QImage img(width, height, QImage::Format_RGB888);
  std::mt19937 rng(seed);
  img.fill(QColor::fromHsv(static_cast<int>(rng() % 360), 90, 200));
  QPainter p(&img);
  for (int i = 0; i < 400; ++i) {
    p.setBrush(QColor::fromHsv(static_cast<int>(rng() % 360), 200, 220));
    p.drawEllipse(static_cast<int>(rng() % static_cast<unsigned>(width)),
                  static_cast<int>(rng() % static_cast<unsigned>(height)),
                  width / 80 + static_cast<int>(rng() % static_cast<unsigned>(width / 10)),
                  height / 60 + static_cast<int>(rng() % static_cast<unsigned>(height / 10)));
  }
  p.end();
  QByteArray out;
  QBuffer buf(&out);
  buf.open(QIODevice::WriteOnly);
  img.save(&buf, "JPEG", 90);
  return out;
}

}  // namespace glimpse::bench
