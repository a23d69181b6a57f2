#include "widgets/image_view.h"

#include <QPainter>

namespace fmc::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setMinimumSize(200, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setImage(const QImage& image) {
    image_ = image;
    update();
}

void ImageView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x26, 0x2b, 0x30));
    if (image_.isNull()) {
        painter.setPen(QColor(0xc8, 0xd0, 0xd6));
        painter.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    const auto scaled = image_.size().scaled(size() - QSize(16, 16), Qt::KeepAspectRatio);
    const QRect target(QPoint((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(target, image_);
}

}  // namespace fmc::ui
