#pragma once
// The image viewer: one image scaled to fit, centred, on a dark background (a hint when
// empty), as clinical viewers behave:
//  * zoom with Ctrl+wheel or +/- (around the mouse), pan by dragging with the left button,
//    double-click or R to fit again;
//  * DICOM (openDicomFiles): window/level by dragging with the right button (left-right
//    widens the window, up-down moves its centre), presets such as the lung window;
//    scrolling through the frames of a multi-frame file or the images of a series with the
//    wheel, the arrow keys or Page Up/Down;
//  * the patient and study in the corners (name, ID, birth date; study date and description,
//    modality; image number, window, zoom), hidden with O or setOverlayVisible(false);
//  * the DICOM tags of the shown file (tags(), showTagDialog(), key T).
#include <QImage>
#include <QMap>
#include <QPair>
#include <QPointF>
#include <QStringList>
#include <QWidget>

#include <memory>

namespace fmc {
struct ModalityFrame;
}

namespace fmc::ui {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);
    ~ImageView() override;

    // A plain image: no DICOM stack. Zoom and pan reset, unless it has the size of the
    // image shown before (the same picture in another display window).
    void setImage(const QImage& image);
    // An image rendered from one grey frame's modality values (`rendering`, at the frame's
    // own window): the window can then be changed as for a DICOM stack (setWindow, right
    // drag), re-rendering `frame`; resetWindow() shows `rendering` again.
    void setWindowedImage(const QImage& rendering, std::shared_ptr<const ModalityFrame> frame);
    // What is drawn now (for DICOM: the current frame in the current window).
    const QImage& image() const { return image_; }
    void setPlaceholderText(const QString& text);
    QSize sizeHint() const override { return {360, 360}; }

    // A series (several files) or one file with its frames. Reads the first image at once
    // and the others when shown. False with `error` set when the first cannot be read.
    bool openDicomFiles(const QStringList& paths, QString* error = nullptr);
    bool hasDicom() const;
    int frameCount() const;
    int currentFrame() const;
    void setCurrentFrame(int index);

    // Window in modality units (e.g. HU); only for grey DICOM images. The right-button drag
    // sets whole values (as the overlay shows them); windowChanged() follows every change.
    bool canWindow() const;
    void setWindow(double center, double width);
    double windowCenter() const { return windowCenter_; }
    double windowWidth() const { return windowWidth_; }
    void resetWindow();  // the file's own window

    // 1 = the whole image fits; pan in widget pixels from the centred position.
    double zoom() const { return zoom_; }
    void setZoom(double zoom, const QPointF& anchor = QPointF(-1, -1));
    QPointF pan() const { return pan_; }
    void resetView();
    // Where the image is drawn in widget coordinates.
    QRectF imageRect() const;

    void setOverlayVisible(bool visible);
    bool isOverlayVisible() const { return overlayVisible_; }
    // The text of each corner (top left, top right, bottom left, bottom right).
    QStringList overlayText(Qt::Corner corner) const;

    // Keyword -> value of the shown file: the image's description, the non-identifying
    // attributes and the patient/study ones (local display only).
    QList<QPair<QString, QString>> tags() const;
    void showTagDialog();

signals:
    void frameChanged(int index);
    void windowChanged(double center, double width);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Stack;
    void render();
    double valueRange() const;  // of the values the window applies to
    void loadFrame(int index);
    void drawOverlay(QPainter& painter);

    QImage image_;
    QString placeholder_;
    std::unique_ptr<Stack> stack_;
    // setWindowedImage(): the frame it re-renders and its own rendering.
    std::shared_ptr<const ModalityFrame> windowedFrame_;
    QImage windowedRendering_;
    double windowCenter_ = 0, windowWidth_ = 0;
    double zoom_ = 1;
    QPointF pan_;
    bool overlayVisible_ = true;
    Qt::MouseButton dragButton_ = Qt::NoButton;
    QPointF dragStart_;
    QPointF panAtDragStart_;
    double centerAtDragStart_ = 0, widthAtDragStart_ = 0;
};

}  // namespace fmc::ui
