// ImageView, the viewer: a real CT in a lung window (each pixel as the DICOM linear window
// formula gives it from the file's Hounsfield values), window/level by right-button drag,
// the frames of a real multi-frame MR by wheel and keys, zoom around the mouse and pan, the
// patient/study corners (hideable) and the tag view.
#include "widgets/image_view.h"
#include "ui_test_support.h"
#include "dicom/dicom_reader.h"

#include <QTest>

#include <cmath>

using namespace fmc::ui;

namespace {

const QString kCt = QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/pylibjpeg-ds/JPEGLS/CT1_JLSN.dcm");
const QString kMultiFrameMr = QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/pylibjpeg-ds/LittleEndianExplicit/emri_small.dcm");

// DICOM PS3.3 C.11.2.1.2.1, the linear VOI function, to 8 bits.
int linearWindow(double x, double center, double width) {
    if (x <= center - 0.5 - (width - 1) / 2) return 0;
    if (x > center - 0.5 + (width - 1) / 2) return 255;
    return static_cast<int>(std::lround(((x - (center - 0.5)) / (width - 1) + 0.5) * 255));
}

}  // namespace

class TestImageView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void lungWindowOnACt();
    void rightButtonDragChangesTheWindow();
    void framesOfAMultiFrameFile();
    void zoomKeepsThePointUnderTheMouseAndPanMoves();
    void overlayShowsPatientAndStudyAndHides();
    void plainImagesStillShow();
};

void TestImageView::initTestCase() {
    if (!QFileInfo::exists(kCt)) QSKIP("../shared/data/dicom is absent (the shared test data)");
}

void TestImageView::lungWindowOnACt() {
    ImageView view;
    view.resize(600, 600);
    QString error;
    QVERIFY2(view.openDicomFiles({kCt}, &error), qPrintable(error));
    QVERIFY(view.canWindow());
    view.setWindow(-600, 1500);
    fmc::DicomReadOptions options;
    options.keepModalityValues = true;
    const auto dicom = fmc::readDicomFile(kCt.toStdString(), options);
    const auto& frame = dicom.modality.front();
    const auto image = view.image();
    QCOMPARE(image.width(), frame.width);
    QCOMPARE(image.height(), frame.height);
    int checked = 0, black = 0, white = 0;
    for (int y = 0; y < frame.height; y += 7)
        for (int x = 0; x < frame.width; x += 7) {
            const double hu = frame.values[static_cast<size_t>(y * frame.width + x)];
            const int expected = linearWindow(hu, -600, 1500);
            const int shown = qGray(image.pixel(x, y));
            QVERIFY2(std::abs(shown - expected) <= 1,
                     qPrintable(QStringLiteral("(%1, %2): %3 HU shown %4, expected %5").arg(x).arg(y).arg(hu).arg(shown).arg(expected)));
            black += expected == 0;
            white += expected == 255;
            ++checked;
        }
    QVERIFY(checked > 4000);
    QVERIFY2(black > 0 && white > 0, "air is black and bone white in a lung window");
}

void TestImageView::rightButtonDragChangesTheWindow() {
    ImageView view;
    view.resize(600, 600);
    QVERIFY(view.openDicomFiles({kCt}));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setWindow(40, 400);
    fmc::DicomReadOptions options;
    options.keepModalityValues = true;
    const auto image = fmc::readDicomFile(kCt.toStdString(), options);
    const auto& frame = image.modality.front();
    const double step = std::max(1.0, (frame.maximum - frame.minimum) / 256.0);
    QTest::mousePress(&view, Qt::RightButton, {}, QPoint(300, 300));
    QMouseEvent move(QEvent::MouseMove, QPointF(350, 280), view.mapToGlobal(QPointF(350, 280)), Qt::NoButton,
                     Qt::RightButton, Qt::NoModifier);
    QApplication::sendEvent(&view, &move);
    QTest::mouseRelease(&view, Qt::RightButton, {}, QPoint(350, 280));
    // Right: wider by 50 steps; up: centre lower by 20 steps; whole values, as the Center and
    // Width boxes that follow the view show them.
    QCOMPARE(view.windowWidth(), std::round(400 + 50 * step));
    QCOMPARE(view.windowCenter(), std::round(40 - 20 * step));
}

void TestImageView::framesOfAMultiFrameFile() {
    ImageView view;
    view.resize(400, 400);
    QVERIFY(view.openDicomFiles({kMultiFrameMr}));
    QCOMPARE(view.frameCount(), 10);
    QCOMPARE(view.currentFrame(), 0);
    const auto first = view.image();
    QWheelEvent down(QPointF(200, 200), view.mapToGlobal(QPointF(200, 200)), {}, QPoint(0, -120), Qt::NoButton,
                     Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &down);
    QCOMPARE(view.currentFrame(), 1);
    QVERIFY(view.image() != first);
    QTest::keyClick(&view, Qt::Key_End);
    QCOMPARE(view.currentFrame(), 9);
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(view.currentFrame(), 9);  // the last stays the last
    QTest::keyClick(&view, Qt::Key_Home);
    QCOMPARE(view.currentFrame(), 0);
    QCOMPARE(view.image(), first);
    QVERIFY(view.overlayText(Qt::BottomLeftCorner).contains(QStringLiteral("Frame 1 of 10")));
    // The tag view names the file's attributes.
    bool hasFrames = false;
    for (const auto& [key, value] : view.tags())
        if (key == QLatin1String("NumberOfFrames")) hasFrames = value == QLatin1String("10");
    QVERIFY(hasFrames);
}

void TestImageView::zoomKeepsThePointUnderTheMouseAndPanMoves() {
    ImageView view;
    view.resize(400, 300);
    QImage image(200, 100, QImage::Format_RGB32);
    image.fill(Qt::gray);
    view.setImage(image);
    const auto fitted = view.imageRect();
    QCOMPARE(fitted.width(), 384.0);  // the whole image fits (8 px margins)
    const QPointF mouse(100, 120);
    const QPointF imagePoint = (mouse - fitted.topLeft()) / (fitted.width() / image.width());
    view.setZoom(2.0, mouse);
    const auto zoomed = view.imageRect();
    QCOMPARE(zoomed.width(), 768.0);
    const QPointF after = zoomed.topLeft() + imagePoint * (zoomed.width() / image.width());
    QVERIFY(std::abs(after.x() - mouse.x()) < 1e-9 && std::abs(after.y() - mouse.y()) < 1e-9);
    // Left drag pans by the mouse's move.
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto before = view.imageRect().topLeft();
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(200, 150));
    QMouseEvent move(QEvent::MouseMove, QPointF(230, 140), view.mapToGlobal(QPointF(230, 140)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&view, &move);
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(230, 140));
    QCOMPARE(view.imageRect().topLeft(), before + QPointF(30, -10));
    QTest::mouseDClick(&view, Qt::LeftButton, {}, QPoint(10, 10));
    QCOMPARE(view.imageRect(), fitted);
}

void TestImageView::overlayShowsPatientAndStudyAndHides() {
    ImageView view;
    view.resize(600, 600);
    QVERIFY(view.openDicomFiles({kCt}));
    const auto dicom = fmc::readDicomFile(kCt.toStdString());
    const auto& identifying = dicom.meta.identifying;
    const auto topLeft = view.overlayText(Qt::TopLeftCorner).join(QLatin1Char('\n'));
    if (const auto id = identifying.find("PatientID"); id != identifying.end())
        QVERIFY2(topLeft.contains(QString::fromStdString(id->second)), qPrintable(topLeft));
    QVERIFY(view.overlayText(Qt::TopRightCorner).contains(QStringLiteral("CT")));
    QVERIFY(view.overlayText(Qt::BottomLeftCorner).join(QString()).contains(QStringLiteral("W ")));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto withOverlay = view.grab().toImage();
    view.setOverlayVisible(false);
    const auto without = view.grab().toImage();
    QVERIFY2(withOverlay != without, "hiding the overlay changes what is drawn");
    QTest::keyClick(&view, Qt::Key_O);
    QVERIFY(view.isOverlayVisible());
}

void TestImageView::plainImagesStillShow() {
    ImageView view;
    QImage image(50, 40, QImage::Format_RGB32);
    image.fill(Qt::red);
    view.setImage(image);
    QVERIFY(!view.hasDicom());
    QVERIFY(!view.canWindow());
    QCOMPARE(view.image(), image);
    QCOMPARE(view.frameCount(), 0);
}

QTEST_MAIN(TestImageView)
#include "tst_imageview.moc"
