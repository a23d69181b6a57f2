// Data layouts, Dirichlet partitions and per-site splits.
#include "imaging/dataset.h"

#include <QtTest>

#include <fstream>
#include <map>

using namespace fmc;

class TestDataset : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    ImageDataset syntheticDataset(int perClass, int classes, const std::string& site) {
        ImageDataset dataset;
        for (int c = 0; c < classes; ++c) dataset.classNames.push_back("class" + std::to_string(c));
        for (int c = 0; c < classes; ++c)
            for (int i = 0; i < perClass; ++i)
                dataset.records.push_back({"img" + std::to_string(c) + "_" + std::to_string(i) + ".png", c, site});
        return dataset;
    }

private slots:
    void csvWithQuotesAndChosenColumns() {
        const auto path = dir_.filePath("list.csv").toStdString();
        std::ofstream(path) << "file,diagnosis,centre\n"
                               "\"a, b.jpg\",nevus,C1\n"
                               "x/y.png,\"basal cell carcinoma\",C2\r\n"
                               "/abs/z.png,nevus,\n"
                               "missing-label.png,,C1\n"
                               "short\n";
        const auto dataset = loadCsv(path, {"file", "diagnosis", "centre"});
        QCOMPARE(dataset.classNames, (std::vector<std::string>{"basal cell carcinoma", "nevus"}));
        QCOMPARE(dataset.records.size(), size_t(3));
        QCOMPARE(QString::fromStdString(dataset.records[0].path), dir_.filePath("a, b.jpg"));
        QCOMPARE(dataset.records[0].label, 1);
        QCOMPARE(dataset.records[1].label, 0);
        QCOMPARE(dataset.records[1].site, std::string("C2"));
        QCOMPARE(dataset.records[2].path, std::string("/abs/z.png"));
        QCOMPARE(dataset.records[2].site, std::string());
        QCOMPARE(dataset.skipped.size(), size_t(2));
        QCOMPARE(dataset.siteNames(), (std::vector<std::string>{"C1", "C2"}));
    }

    // Saved by a spreadsheet: a byte-order mark before "path" and a value over two lines; the
    // importer reads the same file with the same reader (common/csv.h).
    void csvWithByteOrderMarkAndMultiLineValue() {
        const auto path = dir_.filePath("bom.csv").toStdString();
        std::ofstream(path, std::ios::binary) << "\xEF\xBB\xBFpath,label,center\r\n"
                                                 "a.png,\"nevus,\nbenign\",C1\r\n"
                                                 "b.png,melanoma,C2\r\n"
                                                 "c.png,,C2\r\n";
        const auto dataset = loadCsv(path, {"path", "label", "center"});
        QCOMPARE(dataset.classNames, (std::vector<std::string>{"melanoma", "nevus,\nbenign"}));
        QCOMPARE(dataset.records.size(), size_t(2));
        QCOMPARE(QString::fromStdString(dataset.records[0].path), dir_.filePath("a.png"));
        QCOMPARE(dataset.records[0].label, 1);
        QCOMPARE(dataset.records[1].site, std::string("C2"));
        // The empty label is reported on the line its record starts on: the value above took two.
        QCOMPARE(dataset.skipped, (std::vector<std::string>{path + ":5: empty label"}));
    }

    void csvErrorsNameTheFileAndColumn() {
        const auto path = dir_.filePath("bad.csv").toStdString();
        std::ofstream(path) << "path,label\n";
        try {
            loadCsv(path, {"path", "label", "center"});
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY(QString(error.what()).contains("bad.csv"));
            QVERIFY(QString(error.what()).contains("'center'"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, loadCsv(dir_.filePath("none.csv").toStdString()));
    }

    void realDermoscopyCsvCounts() {
        const QString csv = QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9/sites.csv");
        if (!QFileInfo::exists(csv)) QSKIP("shared data absent: ../shared/data/dermoscopy-isic9 not found");
        const auto dataset = loadCsv(csv.toStdString(), {"path", "label", "center"});
        QCOMPARE(dataset.records.size(), size_t(2359));
        QCOMPARE(dataset.classNames.size(), size_t(9));
        std::map<std::string, int> perSite;
        for (const auto& record : dataset.records) ++perSite[record.site];
        QCOMPARE(perSite["HAM_rosendahl"], 924);
        QCOMPARE(perSite["HAM_vidir_modern"], 427);
        QCOMPARE(perSite["HAM_vidir_molemax"], 147);
        QCOMPARE(perSite["HAM_vienna_dias"], 14);
        QCOMPARE(perSite[""], 847);
    }

    void realBrainMriClassFolders() {
        const QString root = QStringLiteral(FMC_SHARED_DATA_DIR "/brain-mri");
        if (!QFileInfo::exists(root)) QSKIP("shared data absent: ../shared/data/brain-mri not found");
        const auto dataset = loadClassFolders(root.toStdString());
        QCOMPARE(dataset.records.size(), size_t(1311));
        std::vector<int> counts(4, 0);
        for (const auto& record : dataset.records) ++counts[size_t(record.label)];
        QCOMPARE(counts, (std::vector<int>{300, 306, 405, 300}));
    }

    void dirichletPartitionKeepsEveryImageAndSkewsLabels() {
        auto dataset = syntheticDataset(200, 4, "");
        partitionDirichlet(dataset, 3, 0.3, 5);
        std::map<std::string, std::vector<int>> counts;
        for (const auto& record : dataset.records) {
            QVERIFY(record.site == "site1" || record.site == "site2" || record.site == "site3");
            counts[record.site].resize(4);
            ++counts[record.site][size_t(record.label)];
        }
        // Strong skew: at some site one class holds more than half of its images.
        bool skewed = false;
        for (const auto& [site, perClass] : counts) {
            int total = 0, largest = 0;
            for (int n : perClass) {
                total += n;
                largest = std::max(largest, n);
            }
            skewed |= largest * 2 > total;
        }
        QVERIFY(skewed);
        auto again = syntheticDataset(200, 4, "");
        partitionDirichlet(again, 3, 0.3, 5);
        for (size_t i = 0; i < dataset.records.size(); ++i) QCOMPARE(again.records[i].site, dataset.records[i].site);
    }

    void stratifiedSixtyTwentyTwenty() {
        auto dataset = syntheticDataset(50, 3, "s");
        dataset.records.push_back({"lonely.png", 0, "t"});
        const auto splits = splitSites(dataset, {"s", "t"}, 9);
        QCOMPARE(splits[0].train.size(), size_t(90));
        QCOMPARE(splits[0].validation.size(), size_t(30));
        QCOMPARE(splits[0].test.size(), size_t(30));
        std::vector<int> testPerClass(3, 0);
        for (int index : splits[0].test) ++testPerClass[size_t(dataset.records[size_t(index)].label)];
        QCOMPARE(testPerClass, (std::vector<int>{10, 10, 10}));
        QCOMPARE(splits[1].train.size() + splits[1].validation.size() + splits[1].test.size(), size_t(1));
        const auto again = splitSites(dataset, {"s", "t"}, 9);
        QCOMPARE(again[0].test, splits[0].test);
        QVERIFY(splitSites(dataset, {"s", "t"}, 10)[0].test != splits[0].test);
    }

    void unusableDataIsRejected() {
        auto dataset = syntheticDataset(5, 2, "s");
        QVERIFY_THROWS_EXCEPTION(Error, requireUsable(dataset, {}));
        QVERIFY_THROWS_EXCEPTION(Error, requireUsable(dataset, {"s", "ghost"}));
        requireUsable(dataset, {"s"});
        QVERIFY_THROWS_EXCEPTION(Error, loadSiteFolders(dir_.filePath("does-not-exist").toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
