// ImageTableModel: the image list with lazily loaded thumbnails and label editing that
// writes through to the workspace.
#include "models/image_table_model.h"
#include "models/thumbnail_cache.h"
#include "ui_test_support.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestImageTableModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void showsTheImagesAndPassesTheModelTester();
    void thumbnailsLoadLazilyAndAnnounceThemselves();
    void labelEditsWriteThroughAndFailuresKeepTheOldLabel();
};

namespace {
QList<ImageEntry> sampleImages(const QString& dir) {
    QList<ImageEntry> images;
    for (int i = 0; i < 3; ++i) {
        ImageEntry image;
        image.id = 10 + i;
        image.path = writeImage(QDir(dir).filePath(QStringLiteral("img%1.png").arg(i)), patternImage(i, 64, 32));
        image.label = i == 2 ? QString() : QStringLiteral("label%1").arg(i);
        image.modality = kModalityPhoto;
        image.split = i == 0 ? kSplitTrain : kSplitTest;
        image.site = QStringLiteral("north");
        image.width = 64;
        image.height = 32;
        images << image;
    }
    return images;
}
}  // namespace

void TestImageTableModel::showsTheImagesAndPassesTheModelTester() {
    QTemporaryDir dir;
    ThumbnailCache thumbnails(32);
    ImageTableModel model(&thumbnails);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImages(sampleImages(dir.path()));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(ImageTableModel::ColumnCount));
    QCOMPARE(model.index(0, ImageTableModel::FileColumn).data().toString(), QStringLiteral("img0.png"));
    QCOMPARE(model.index(2, ImageTableModel::LabelColumn).data().toString(), model.tr("(unlabelled)"));
    QCOMPARE(model.index(2, ImageTableModel::LabelColumn).data(Qt::EditRole).toString(), QString());
    QCOMPARE(model.index(0, ImageTableModel::SplitColumn).data(ImageTableModel::SplitRole).toString(), kSplitTrain);
    QCOMPARE(model.index(1, 0).data(ImageTableModel::ImageIdRole).toLongLong(), 11);
    QCOMPARE(model.rowOfImage(12), 2);
    QVERIFY(model.flags(model.index(0, ImageTableModel::LabelColumn)) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(0, ImageTableModel::FileColumn)) & Qt::ItemIsEditable));
    thumbnails.waitForDone();
}

void TestImageTableModel::thumbnailsLoadLazilyAndAnnounceThemselves() {
    QTemporaryDir dir;
    ThumbnailCache thumbnails(32);
    ImageTableModel model(&thumbnails);
    auto images = sampleImages(dir.path());
    ImageEntry broken;
    broken.id = 99;
    broken.path = dir.filePath(QStringLiteral("broken.png"));
    writeBytes(broken.path, "not a png");
    images << broken;
    model.setImages(images);
    // Nothing is loaded until a view asks.
    QVERIFY(!thumbnails.contains(images.first().path));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    const auto cell = model.index(0, ImageTableModel::FileColumn);
    QVERIFY(cell.data(Qt::DecorationRole).isNull());
    QTRY_VERIFY(!changed.isEmpty());
    const auto thumbnail = cell.data(Qt::DecorationRole).value<QImage>();
    QCOMPARE(thumbnail.size(), QSize(32, 16));  // aspect ratio kept
    QVERIFY(!thumbnails.contains(images.at(1).path));
    // A file that cannot be read gets a placeholder instead of failing again and again.
    model.index(3, ImageTableModel::FileColumn).data(Qt::DecorationRole);
    QTRY_VERIFY(thumbnails.contains(broken.path));
    QCOMPARE(model.index(3, ImageTableModel::FileColumn).data(Qt::DecorationRole).value<QImage>().size(), QSize(32, 32));
}

void TestImageTableModel::labelEditsWriteThroughAndFailuresKeepTheOldLabel() {
    QTemporaryDir dir;
    ImageTableModel model(nullptr);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImages(sampleImages(dir.path()));
    QList<QPair<qint64, QString>> written;
    model.setLabelWriter([&](qint64 id, const QString& label) {
        if (label == QLatin1String("forbidden")) throw fmc::Error("image id 10: the store is read-only");
        written.append({id, label});
    });
    QSignalSpy failures(&model, &ImageTableModel::labelWriteFailed);
    const auto cell = model.index(0, ImageTableModel::LabelColumn);
    QVERIFY(model.setData(cell, QStringLiteral("  melanoma ")));
    QCOMPARE(written, (QList<QPair<qint64, QString>>{{10, QStringLiteral("melanoma")}}));
    QCOMPARE(cell.data().toString(), QStringLiteral("melanoma"));
    QVERIFY(!model.setData(cell, QStringLiteral("forbidden")));
    QCOMPARE(failures.count(), 1);
    QVERIFY(failures.first().first().toString().contains(QStringLiteral("read-only")));
    QCOMPARE(cell.data().toString(), QStringLiteral("melanoma"));
    QVERIFY(!model.setData(model.index(0, ImageTableModel::FileColumn), QStringLiteral("x")));
}

QTEST_MAIN(TestImageTableModel)
#include "tst_imagetablemodel.moc"
