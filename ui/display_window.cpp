#include "display_window.h"

#include <QtGlobal>

#include <array>
#include <cmath>

namespace fmc::ui {

QImage applyDisplayWindow(const QImage& rendered, const DisplayWindow& fileWindow, const DisplayWindow& window) {
    if (!fileWindow.isValid() || !window.isValid() || rendered.isNull()) return rendered;
    std::array<uchar, 256> lut{};
    const double low = window.center - window.width / 2;
    for (int p = 0; p < 256; ++p) {
        const double value = fileWindow.center - fileWindow.width / 2 + p / 255.0 * fileWindow.width;
        lut[static_cast<size_t>(p)] = static_cast<uchar>(qBound(0.0, std::round((value - low) / window.width * 255.0), 255.0));
    }
    QImage result = rendered.convertToFormat(QImage::Format_RGB888);
    for (int y = 0; y < result.height(); ++y) {
        uchar* line = result.scanLine(y);
        for (int x = 0; x < result.width() * 3; ++x) line[x] = lut[line[x]];
    }
    return result;
}

}  // namespace fmc::ui
