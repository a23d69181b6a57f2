// applyDisplayWindow: re-windowing a DICOM image rendered with the file's window.
#include "display_window.h"

#include <QTest>

using namespace fmc::ui;

class TestDisplayWindow : public QObject {
    Q_OBJECT
private slots:
    void greyLevels_data();
    void greyLevels();
    void invalidWindowsLeaveTheImage();
};

void TestDisplayWindow::greyLevels_data() {
    QTest::addColumn<double>("center");
    QTest::addColumn<double>("width");
    QTest::addColumn<int>("grey");
    QTest::addColumn<int>("expected");
    // The file's window: centre 40, width 400 (grey 0 = -160 HU, 255 = 240 HU).
    QTest::newRow("same window") << 40.0 << 400.0 << 100 << 100;
    QTest::newRow("narrower: below") << 40.0 << 80.0 << 100 << 0;     // -3 HU < 0
    QTest::newRow("narrower: middle") << 40.0 << 80.0 << 128 << 130;  // 40.8 HU
    QTest::newRow("narrower: above") << 40.0 << 80.0 << 160 << 255;   // 91 HU > 80
    QTest::newRow("wider compresses") << 40.0 << 800.0 << 255 << 191;
}

void TestDisplayWindow::greyLevels() {
    QFETCH(double, center);
    QFETCH(double, width);
    QFETCH(int, grey);
    QFETCH(int, expected);
    QImage image(4, 2, QImage::Format_RGB888);
    image.fill(QColor(grey, grey, grey));
    const auto result = applyDisplayWindow(image, {40, 400}, {center, width});
    QCOMPARE(qRed(result.pixel(2, 1)), expected);
    QCOMPARE(qBlue(result.pixel(0, 0)), expected);
}

void TestDisplayWindow::invalidWindowsLeaveTheImage() {
    QImage image(2, 2, QImage::Format_RGB888);
    image.fill(QColor(10, 20, 30));
    QCOMPARE(applyDisplayWindow(image, {}, {40, 80}), image);
    QCOMPARE(applyDisplayWindow(image, {40, 400}, {40, 0}), image);
}

QTEST_GUILESS_MAIN(TestDisplayWindow)
#include "tst_displaywindow.moc"
