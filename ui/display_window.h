#pragma once
// Display windowing of a DICOM image that was already rendered to 8 bits with the file's own
// VOI window (or the automatic one): grey level p stands for the modality value
// fileCenter - fileWidth/2 + p/255 * fileWidth, and is mapped through the chosen window.
// Values the file's window had already clipped stay clipped: a narrower window reveals detail
// inside the file's window, a wider one only compresses it. The model never sees this: it
// classifies the file's own rendering, as in training.
#include <QImage>

namespace fmc::ui {

struct DisplayWindow {
    double center = 0;
    double width = 0;
    bool isValid() const { return width > 0; }
};

QImage applyDisplayWindow(const QImage& rendered, const DisplayWindow& fileWindow, const DisplayWindow& window);

}  // namespace fmc::ui
