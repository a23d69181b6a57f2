#include "widgets/image_view.h"

#include "shell/app_settings.h"

#include "dicom/dicom_reader.h"

#include <QDate>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fmc::ui {
namespace {

constexpr double kMinZoom = 0.1, kMaxZoom = 32;

QImage toImage(const RgbImage& rgb) {
    QImage image(rgb.width, rgb.height, QImage::Format_RGB888);
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(image.scanLine(y), rgb.pixels.data() + static_cast<size_t>(y) * rgb.width * 3,
                    static_cast<size_t>(rgb.width) * 3);
    return image;
}

// "20261201" -> the locale's short date; other text as it is.
QString dicomDate(const QString& value) {
    const auto date = QDate::fromString(value.left(8), QStringLiteral("yyyyMMdd"));
    return date.isValid() ? QLocale().toString(date, QLocale::ShortFormat) : value;
}

// "Doe^Jane" -> "Doe, Jane"
QString personName(const QString& value) {
    auto parts = value.split(QLatin1Char('^'));
    while (!parts.isEmpty() && parts.last().trimmed().isEmpty()) parts.removeLast();
    if (parts.size() < 2) return parts.value(0);
    return parts.at(0) + QStringLiteral(", ") + parts.mid(1).join(QLatin1Char(' ')).trimmed();
}

}  // namespace

struct ImageView::Stack {
    struct Entry {
        QString path;
        int frame = 0;  // index into the file's decoded frames
    };
    QList<Entry> entries;
    bool multiFrameFile = false;  // one file, its frames as entries
    int current = 0;
    QString loadedPath;
    DicomImage loaded;
    QMap<QString, QString> attributes;  // of the current file: identifying + others
    QString modality;
    bool grey = false;
    double defaultCenter = 0, defaultWidth = 0;
    double minimum = 0, maximum = 0;
};

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setMinimumSize(200, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
}

ImageView::~ImageView() = default;

void ImageView::setImage(const QImage& image) {
    stack_.reset();
    windowedFrame_.reset();
    windowedRendering_ = {};
    // The same picture in another window (same size) keeps the zoom and pan.
    const bool sameSize = !image_.isNull() && image.size() == image_.size();
    image_ = image;
    if (sameSize) update();
    else resetView();
}

void ImageView::setWindowedImage(const QImage& rendering, std::shared_ptr<const ModalityFrame> frame) {
    setImage(rendering);
    if (!frame) return;
    windowedFrame_ = std::move(frame);
    windowedRendering_ = rendering;
    windowCenter_ = windowedFrame_->windowCenter;
    windowWidth_ = std::max(1.0, windowedFrame_->windowWidth);
    emit windowChanged(windowCenter_, windowWidth_);
}

void ImageView::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

bool ImageView::openDicomFiles(const QStringList& paths, QString* error) {
    if (paths.isEmpty()) return false;
    auto stack = std::make_unique<Stack>();
    DicomReadOptions options;
    options.limits = AppSettings::imageLimits();
    options.keepModalityValues = true;
    options.frames = paths.size() == 1 ? MultiFramePolicy::EveryFrame : MultiFramePolicy::MiddleFrame;
    try {
        stack->loaded = readDicomFile(paths.first().toStdString(), options);
    } catch (const std::exception& failure) {
        if (error) *error = QString::fromUtf8(failure.what());
        return false;
    }
    stack->loadedPath = paths.first();
    if (paths.size() == 1) {
        stack->multiFrameFile = true;
        for (int i = 0; i < static_cast<int>(stack->loaded.frames.size()); ++i) stack->entries.append({paths.first(), i});
    } else {
        for (const auto& path : paths) stack->entries.append({path, 0});
    }
    stack_ = std::move(stack);
    loadFrame(0);
    resetWindow();
    resetView();
    return true;
}

bool ImageView::hasDicom() const { return stack_ != nullptr; }
int ImageView::frameCount() const { return stack_ ? stack_->entries.size() : 0; }
int ImageView::currentFrame() const { return stack_ ? stack_->current : 0; }
bool ImageView::canWindow() const { return (stack_ && stack_->grey) || windowedFrame_; }

double ImageView::valueRange() const {
    if (windowedFrame_) return windowedFrame_->maximum - windowedFrame_->minimum;
    return stack_ ? stack_->maximum - stack_->minimum : 0;
}

void ImageView::setCurrentFrame(int index) {
    if (!stack_ || stack_->entries.isEmpty()) return;
    index = std::clamp(index, 0, static_cast<int>(stack_->entries.size()) - 1);
    if (index == stack_->current) return;
    loadFrame(index);
    render();
    emit frameChanged(index);
}

void ImageView::loadFrame(int index) {
    auto& stack = *stack_;
    const auto& entry = stack.entries.at(index);
    if (entry.path != stack.loadedPath) {
        DicomReadOptions options;
        options.limits = AppSettings::imageLimits();
        options.keepModalityValues = true;
        try {
            stack.loaded = readDicomFile(entry.path.toStdString(), options);
            stack.loadedPath = entry.path;
        } catch (const std::exception& failure) {
            // One unreadable image of a series: say so on the image, keep the others.
            stack.loaded = {};
            stack.loadedPath = entry.path;
            placeholder_ = QString::fromUtf8(failure.what());
        }
    }
    stack.current = index;
    const auto& meta = stack.loaded.meta;
    stack.attributes.clear();
    for (const auto& [key, value] : meta.identifying) stack.attributes.insert(QString::fromStdString(key), QString::fromStdString(value));
    for (const auto& [key, value] : meta.attributes) stack.attributes.insert(QString::fromStdString(key), QString::fromStdString(value));
    stack.modality = QString::fromStdString(meta.modality);
    const int frame = std::min<int>(entry.frame, static_cast<int>(stack.loaded.modality.size()) - 1);
    stack.grey = frame >= 0 && !stack.loaded.modality.empty();
    if (stack.grey) {
        const auto& values = stack.loaded.modality.at(static_cast<size_t>(frame));
        stack.defaultCenter = values.windowCenter;
        stack.defaultWidth = values.windowWidth;
        stack.minimum = values.minimum;
        stack.maximum = values.maximum;
    }
}

void ImageView::render() {
    if (windowedFrame_) {
        image_ = toImage(renderWindow(*windowedFrame_, windowCenter_, windowWidth_));
        update();
        return;
    }
    if (!stack_) return;
    auto& stack = *stack_;
    const auto& entry = stack.entries.at(stack.current);
    if (stack.grey) {
        const int frame = std::min<int>(entry.frame, static_cast<int>(stack.loaded.modality.size()) - 1);
        image_ = toImage(renderWindow(stack.loaded.modality.at(static_cast<size_t>(frame)), windowCenter_, windowWidth_));
    } else if (!stack.loaded.frames.empty()) {
        const int frame = std::min<int>(entry.frame, static_cast<int>(stack.loaded.frames.size()) - 1);
        image_ = toImage(stack.loaded.frames.at(static_cast<size_t>(frame)));
    } else {
        image_ = {};
    }
    update();
}

void ImageView::setWindow(double center, double width) {
    if (!canWindow()) return;
    width = std::max(1.0, width);
    if (center == windowCenter_ && width == windowWidth_ && !image_.isNull()) return;
    windowCenter_ = center;
    windowWidth_ = width;
    render();
    emit windowChanged(center, width);
}

void ImageView::resetWindow() {
    if (windowedFrame_) {
        // The frame's own rendering, exactly (overlay planes included).
        windowCenter_ = windowedFrame_->windowCenter;
        windowWidth_ = std::max(1.0, windowedFrame_->windowWidth);
        image_ = windowedRendering_;
        update();
        emit windowChanged(windowCenter_, windowWidth_);
        return;
    }
    if (!stack_) return;
    if (stack_->grey) {
        windowCenter_ = stack_->defaultCenter;
        windowWidth_ = std::max(1.0, stack_->defaultWidth);
    }
    render();
    emit windowChanged(windowCenter_, windowWidth_);
}

QRectF ImageView::imageRect() const {
    if (image_.isNull()) return {};
    const auto fitted = QSizeF(image_.size()).scaled(QSizeF(size() - QSize(16, 16)), Qt::KeepAspectRatio) * zoom_;
    const QPointF centre(width() / 2.0 + pan_.x(), height() / 2.0 + pan_.y());
    return {centre - QPointF(fitted.width() / 2, fitted.height() / 2), fitted};
}

void ImageView::setZoom(double zoom, const QPointF& anchor) {
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (image_.isNull()) {
        zoom_ = zoom;
        return;
    }
    // The image point under the anchor stays under it.
    const QPointF at = anchor.x() < 0 ? QPointF(width() / 2.0, height() / 2.0) : anchor;
    const QPointF centre(width() / 2.0 + pan_.x(), height() / 2.0 + pan_.y());
    const double ratio = zoom / zoom_;
    const QPointF newCentre = at + (centre - at) * ratio;
    pan_ = newCentre - QPointF(width() / 2.0, height() / 2.0);
    zoom_ = zoom;
    update();
}

void ImageView::resetView() {
    zoom_ = 1;
    pan_ = {};
    update();
}

void ImageView::setOverlayVisible(bool visible) {
    overlayVisible_ = visible;
    update();
}

QStringList ImageView::overlayText(Qt::Corner corner) const {
    QStringList lines;
    const auto value = [this](const char* key) { return stack_ ? stack_->attributes.value(QLatin1String(key)) : QString(); };
    switch (corner) {
    case Qt::TopLeftCorner:
        if (!stack_) break;
        if (!value("PatientName").isEmpty()) lines << personName(value("PatientName"));
        if (!value("PatientID").isEmpty()) lines << tr("ID %1").arg(value("PatientID"));
        if (!value("PatientBirthDate").isEmpty()) lines << tr("Born %1").arg(dicomDate(value("PatientBirthDate")));
        break;
    case Qt::TopRightCorner:
        if (!stack_) break;
        if (!value("StudyDate").isEmpty()) lines << dicomDate(value("StudyDate"));
        if (!value("StudyDescription").isEmpty()) lines << value("StudyDescription");
        if (!value("SeriesDescription").isEmpty()) lines << value("SeriesDescription");
        if (!stack_->modality.isEmpty()) lines << stack_->modality;
        break;
    case Qt::BottomLeftCorner:
        if (stack_ && stack_->entries.size() > 1)
            lines << (stack_->multiFrameFile ? tr("Frame %1 of %2") : tr("Image %1 of %2"))
                         .arg(stack_->current + 1)
                         .arg(stack_->entries.size());
        if (canWindow())
            lines << tr("W %1  L %2").arg(QLocale().toString(windowWidth_, 'f', 0), QLocale().toString(windowCenter_, 'f', 0));
        break;
    case Qt::BottomRightCorner:
        if (!image_.isNull()) {
            const auto rect = imageRect();
            lines << tr("Zoom %1 %").arg(QLocale().toString(100.0 * rect.width() / image_.width(), 'f', 0));
            lines << tr("%1 × %2").arg(image_.width()).arg(image_.height());
        }
        break;
    }
    return lines;
}

QList<QPair<QString, QString>> ImageView::tags() const {
    QList<QPair<QString, QString>> result;
    if (!stack_) return result;
    const auto& meta = stack_->loaded.meta;
    const auto add = [&result](const QString& key, const QString& value) {
        if (!value.isEmpty()) result.append({key, value});
    };
    add(QStringLiteral("File"), stack_->loadedPath);
    add(QStringLiteral("Modality"), QString::fromStdString(meta.modality));
    add(QStringLiteral("SOPClassUID"), QString::fromStdString(meta.sopClassUid));
    add(QStringLiteral("TransferSyntaxUID"), QString::fromStdString(meta.transferSyntaxUid + " (" + meta.transferSyntaxName + ")"));
    add(QStringLiteral("PhotometricInterpretation"), QString::fromStdString(meta.photometricInterpretation));
    add(QStringLiteral("Rows"), QString::number(meta.rows));
    add(QStringLiteral("Columns"), QString::number(meta.columns));
    add(QStringLiteral("NumberOfFrames"), QString::number(meta.frames));
    add(QStringLiteral("BitsAllocated"), QString::number(meta.bitsAllocated));
    add(QStringLiteral("BitsStored"), QString::number(meta.bitsStored));
    add(QStringLiteral("PixelRepresentation"), meta.pixelSigned ? QStringLiteral("1 (signed)") : QStringLiteral("0 (unsigned)"));
    add(QStringLiteral("RescaleSlope"), QString::number(meta.rescaleSlope));
    add(QStringLiteral("RescaleIntercept"), QString::number(meta.rescaleIntercept));
    if (meta.windowFromFile) {
        add(QStringLiteral("WindowCenter"), QString::number(meta.windowCenter));
        add(QStringLiteral("WindowWidth"), QString::number(meta.windowWidth));
    }
    add(QStringLiteral("StudyInstanceUID"), QString::fromStdString(meta.studyInstanceUid));
    add(QStringLiteral("SeriesInstanceUID"), QString::fromStdString(meta.seriesInstanceUid));
    add(QStringLiteral("SOPInstanceUID"), QString::fromStdString(meta.sopInstanceUid));
    for (auto it = stack_->attributes.cbegin(); it != stack_->attributes.cend(); ++it) add(it.key(), it.value());
    return result;
}

void ImageView::showTagDialog() {
    const auto list = tags();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("DICOM tags"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* filter = new QLineEdit(&dialog);
    filter->setPlaceholderText(tr("Filter tags"));
    filter->setClearButtonEnabled(true);
    auto* table = new QTableWidget(list.size(), 2, &dialog);
    table->setObjectName(QStringLiteral("dicomTagTable"));
    table->setHorizontalHeaderLabels({tr("Attribute"), tr("Value")});
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int row = 0; row < list.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(list[row].first));
        table->setItem(row, 1, new QTableWidgetItem(list[row].second));
    }
    connect(filter, &QLineEdit::textChanged, table, [table](const QString& text) {
        for (int row = 0; row < table->rowCount(); ++row)
            table->setRowHidden(row, !text.isEmpty() && !table->item(row, 0)->text().contains(text, Qt::CaseInsensitive) &&
                                         !table->item(row, 1)->text().contains(text, Qt::CaseInsensitive));
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(filter);
    layout->addWidget(table, 1);
    layout->addWidget(buttons);
    dialog.resize(640, 520);
    dialog.exec();
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x26, 0x2b, 0x30));
    if (image_.isNull()) {
        painter.setPen(QColor(0xc8, 0xd0, 0xd6));
        painter.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ <= 2);
    painter.drawImage(imageRect(), image_);
    if (overlayVisible_) drawOverlay(painter);
    if (hasFocus()) {
        // The keyboard goes here (frames, zoom): say so with a visible mark.
        painter.setPen(QPen(QColor(0x4d, 0xa3, 0xff), 2));
        painter.drawRect(rect().adjusted(1, 1, -1, -1));
    }
}

void ImageView::drawOverlay(QPainter& painter) {
    painter.setFont(font());
    const QRect area = rect().adjusted(8, 6, -8, -6);
    struct CornerSpec {
        Qt::Corner corner;
        int alignment;
    };
    for (const auto& spec : {CornerSpec{Qt::TopLeftCorner, Qt::AlignLeft | Qt::AlignTop},
                             CornerSpec{Qt::TopRightCorner, Qt::AlignRight | Qt::AlignTop},
                             CornerSpec{Qt::BottomLeftCorner, Qt::AlignLeft | Qt::AlignBottom},
                             CornerSpec{Qt::BottomRightCorner, Qt::AlignRight | Qt::AlignBottom}}) {
        const auto text = overlayText(spec.corner).join(QLatin1Char('\n'));
        if (text.isEmpty()) continue;
        // A dark outline keeps the text readable on bright image parts.
        painter.setPen(QColor(0, 0, 0, 200));
        for (const QPoint offset : {QPoint(1, 1), QPoint(-1, -1), QPoint(1, -1), QPoint(-1, 1)})
            painter.drawText(area.translated(offset), spec.alignment, text);
        painter.setPen(QColor(0xf0, 0xf0, 0xd0));
        painter.drawText(area, spec.alignment, text);
    }
}

void ImageView::wheelEvent(QWheelEvent* event) {
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0) return;
    // As in PACS viewers: the wheel goes through the images of a stack; Ctrl+wheel zooms.
    if (frameCount() > 1 && !(event->modifiers() & Qt::ControlModifier)) setCurrentFrame(currentFrame() - steps);
    else setZoom(zoom_ * std::pow(1.25, steps), event->position());
    event->accept();
}

void ImageView::mousePressEvent(QMouseEvent* event) {
    setFocus(Qt::MouseFocusReason);
    if (event->button() != Qt::LeftButton && event->button() != Qt::RightButton) return;
    dragButton_ = event->button();
    dragStart_ = event->position();
    panAtDragStart_ = pan_;
    centerAtDragStart_ = windowCenter_;
    widthAtDragStart_ = windowWidth_;
    if (dragButton_ == Qt::LeftButton) setCursor(Qt::ClosedHandCursor);
    event->accept();
}

void ImageView::mouseMoveEvent(QMouseEvent* event) {
    const QPointF delta = event->position() - dragStart_;
    if (dragButton_ == Qt::LeftButton) {
        pan_ = panAtDragStart_ + delta;
        update();
    } else if (dragButton_ == Qt::RightButton && canWindow()) {
        // One pixel moves the window by a 1/256 of the image's value range (at least 1), in
        // whole values as the overlay and the Classify page's spin boxes show them.
        const double step = std::max(1.0, valueRange() / 256.0);
        setWindow(std::round(centerAtDragStart_ + delta.y() * step), std::round(widthAtDragStart_ + delta.x() * step));
    }
    event->accept();
}

void ImageView::mouseReleaseEvent(QMouseEvent* event) {
    dragButton_ = Qt::NoButton;
    unsetCursor();
    event->accept();
}

void ImageView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) resetView();
    event->accept();
}

void ImageView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Up:
    case Qt::Key_PageUp: setCurrentFrame(currentFrame() - (event->key() == Qt::Key_PageUp ? 10 : 1)); break;
    case Qt::Key_Down:
    case Qt::Key_PageDown: setCurrentFrame(currentFrame() + (event->key() == Qt::Key_PageDown ? 10 : 1)); break;
    case Qt::Key_Home: setCurrentFrame(0); break;
    case Qt::Key_End: setCurrentFrame(frameCount() - 1); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: setZoom(zoom_ * 1.25); break;
    case Qt::Key_Minus: setZoom(zoom_ / 1.25); break;
    case Qt::Key_R: resetView(); break;
    case Qt::Key_O: setOverlayVisible(!overlayVisible_); break;
    case Qt::Key_T:
        if (hasDicom()) showTagDialog();
        break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

}  // namespace fmc::ui
