#pragma once
// Photo folders made by the tests: real image files (PNG and JPEG, some with EXIF dates) in a
// temporary directory.
#include <QColor>
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QString>
#include <QTemporaryDir>
#include <filesystem>
#include <random>
#include <string>

namespace glimpse::test {

inline const std::filesystem::path kTinyModel = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

// Writes a distinct picture (gradient + shapes from `seed`) as `path` (format from the suffix).
inline bool writePhoto(const QString& path, int seed, int width = 96, int height = 72) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  QImage img(width, height, QImage::Format_RGB888);
  const QColor a = QColor::fromHsv(static_cast<int>(rng() % 360), 200, 230);
  const QColor b = QColor::fromHsv(static_cast<int>(rng() % 360), 180, 80);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double t = static_cast<double>(x + y) / (width + height);
      img.setPixelColor(x, y,
                        QColor(static_cast<int>(a.red() * (1 - t) + b.red() * t),
                               static_cast<int>(a.green() * (1 - t) + b.green() * t),
                               static_cast<int>(a.blue() * (1 - t) + b.blue() * t)));
    }
  QPainter p(&img);
  for (int i = 0; i < 4; ++i) {
    p.setBrush(QColor::fromHsv(static_cast<int>(rng() % 360), 255, 255));
    p.drawEllipse(static_cast<int>(rng() % width), static_cast<int>(rng() % height), 10 + static_cast<int>(rng() % 30),
                  10 + static_cast<int>(rng() % 30));
  }
  p.end();
  QDir().mkpath(QFileInfo(path).absolutePath());
  return img.save(path);
}

}  // namespace glimpse::test
