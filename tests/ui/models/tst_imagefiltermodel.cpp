// ImageFilterModel: label, modality, split, site and name filters over the image list.
#include "models/image_filter_model.h"
#include "models/image_table_model.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace fmc::ui;

class TestImageFilterModel : public QObject {
    Q_OBJECT
private slots:
    void filters_data();
    void filters();
};

namespace {
QList<ImageEntry> images() {
    auto make = [](qint64 id, const char* path, const char* label, const QString& modality, const QString& split,
                   const char* site) {
        ImageEntry image;
        image.id = id;
        image.path = QString::fromLatin1(path);
        image.label = QString::fromLatin1(label);
        image.modality = modality;
        image.split = split;
        image.site = QString::fromLatin1(site);
        return image;
    };
    return {make(1, "/d/a1.png", "nevus", kModalityPhoto, kSplitTrain, "north"),
            make(2, "/d/a2.png", "melanoma", kModalityPhoto, kSplitTest, "north"),
            make(3, "/d/ct.dcm", "nevus", QStringLiteral("CT"), kSplitValidation, "south"),
            make(4, "/d/B4.png", "", kModalityPhoto, kSplitTrain, "south")};
}
}  // namespace

void TestImageFilterModel::filters_data() {
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("modality");
    QTest::addColumn<QString>("split");
    QTest::addColumn<QString>("site");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QList<qint64>>("expected");
    QTest::newRow("no filter") << "" << "" << "" << "" << "" << QList<qint64>{1, 2, 3, 4};
    QTest::newRow("label") << "nevus" << "" << "" << "" << "" << QList<qint64>{1, 3};
    QTest::newRow("unlabelled") << ImageFilterModel::kUnlabelled << "" << "" << "" << "" << QList<qint64>{4};
    QTest::newRow("modality") << "" << "CT" << "" << "" << "" << QList<qint64>{3};
    QTest::newRow("split") << "" << "" << kSplitTrain << "" << "" << QList<qint64>{1, 4};
    QTest::newRow("site") << "" << "" << "" << "south" << "" << QList<qint64>{3, 4};
    QTest::newRow("name, case-insensitive") << "" << "" << "" << "" << "b4" << QList<qint64>{4};
    QTest::newRow("combined") << "nevus" << kModalityPhoto << "" << "north" << "" << QList<qint64>{1};
    QTest::newRow("nothing matches") << "melanoma" << "" << "" << "south" << "" << QList<qint64>{};
}

void TestImageFilterModel::filters() {
    QFETCH(QString, label);
    QFETCH(QString, modality);
    QFETCH(QString, split);
    QFETCH(QString, site);
    QFETCH(QString, name);
    QFETCH(QList<qint64>, expected);
    ImageTableModel source(nullptr);
    ImageFilterModel filter;
    filter.setSourceModel(&source);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    source.setImages(images());
    filter.setLabelFilter(label);
    filter.setModalityFilter(modality);
    filter.setSplitFilter(split);
    filter.setSiteFilter(site);
    filter.setNameFilter(name);
    QList<qint64> shown;
    for (int row = 0; row < filter.rowCount(); ++row)
        shown << filter.index(row, 0).data(ImageTableModel::ImageIdRole).toLongLong();
    QCOMPARE(shown, expected);
    // Clearing the filters shows everything again.
    for (auto setter : {&ImageFilterModel::setLabelFilter, &ImageFilterModel::setModalityFilter,
                        &ImageFilterModel::setSplitFilter, &ImageFilterModel::setSiteFilter, &ImageFilterModel::setNameFilter})
        (filter.*setter)(QString());
    QCOMPARE(filter.rowCount(), 4);
}

QTEST_GUILESS_MAIN(TestImageFilterModel)
#include "tst_imagefiltermodel.moc"
