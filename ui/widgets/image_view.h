#pragma once
// Shows one image scaled to fit, centred, on a neutral background, with a hint when empty.
#include <QImage>
#include <QWidget>

namespace fmc::ui {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    const QImage& image() const { return image_; }
    void setPlaceholderText(const QString& text);
    QSize sizeHint() const override { return {360, 360}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage image_;
    QString placeholder_;
};

}  // namespace fmc::ui
