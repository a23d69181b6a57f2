// The folder importer on real files: the ISIC dermoscopy set through its CSV and through
// its folder names, the DICOM collection with its broken files, duplicates, bad files next
// to good ones, cancellation, and a child process killed in the middle of an import.
#include "imaging/image_loader.h"
#include "site/importer.h"
#include "site/site_store.h"
#include "site/site_workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "shared_data.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

using namespace fmc;

namespace {

constexpr const char* kChildFlag = "--import-child";

QString dataDir() { return QStringLiteral(FMC_SHARED_DATA_DIR); }
QString isicDir() { return dataDir() + "/dermoscopy-isic9"; }
QString dicomDir() { return dataDir() + "/dicom"; }
QString pydicomFile(const char* name) { return dicomDir() + "/pydicom-test-files/" + name; }

std::string canonical(const QString& path) { return QDir::cleanPath(QFileInfo(path).absoluteFilePath()).toStdString(); }

struct CsvRow {
    std::string label, split, center;
};

// sites.csv read independently of the importer (no quoted fields in that file).
std::map<std::string, CsvRow> readSitesCsv() {
    std::map<std::string, CsvRow> rows;
    QFile file(isicDir() + "/sites.csv");
    if (!file.open(QIODevice::ReadOnly)) return rows;
    const auto header = QString::fromUtf8(file.readLine()).trimmed().split(',');
    const auto column = [&](const char* name) { return header.indexOf(QString::fromLatin1(name)); };
    while (!file.atEnd()) {
        const auto fields = QString::fromUtf8(file.readLine()).trimmed().split(',');
        if (fields.size() < header.size()) continue;
        rows[canonical(isicDir() + "/" + fields[column("path")])] = {
            fields[column("label")].toStdString(), fields[column("split")].toLower().toStdString(),
            fields[column("center")].toStdString()};
    }
    return rows;
}

std::map<std::string, const ImportFileResult*> byPath(const ImportReport& report) {
    std::map<std::string, const ImportFileResult*> files;
    for (const auto& file : report.files) files[file.path] = &file;
    return files;
}

std::string fileSha256(const std::string& path) {
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex().toStdString();
}

void copyFile(const QString& from, const QString& to) {
    QDir().mkpath(QFileInfo(to).absolutePath());
    QVERIFY2(QFile::copy(from, to), qPrintable(from + " -> " + to));
}

void writeBytes(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

QByteArray readBytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The documented rule for an image whose split is not given: the first 32 bits of its
// pixel hash as a fraction u in [0, 1); test below testShare, validation below
// testShare + validationShare, train above.
Split hashSplit(const std::string& pixelHash, double testShare, double validationShare) {
    const double u = double(std::stoull(pixelHash.substr(0, 8), nullptr, 16)) / 4294967296.0;
    return u < testShare ? Split::Test : u < testShare + validationShare ? Split::Validation : Split::Train;
}

std::map<std::string, Split> splitsByPixelHash(SiteStore& store) {
    std::map<std::string, Split> splits;
    for (const auto& image : store.images()) splits[image.pixelHash] = image.split;
    return splits;
}

std::map<std::pair<std::string, int>, Split> splitsBySource(SiteStore& store) {
    std::map<std::pair<std::string, int>, Split> splits;
    for (const auto& image : store.images()) splits[{image.sourcePath, image.frame}] = image.split;
    return splits;
}

// The child process of the crash test: import a folder, printing each finished file.
int runImportChild(const char* workspaceFolder, const char* folder) {
    auto workspace = SiteWorkspace::open(workspaceFolder);
    ImportOptions options;
    options.labelSource = LabelSource::FolderNames;
    workspace.importPaths({folder}, options, [](const ImportProgress& progress) {
        std::printf("%d\n", progress.done);
        std::fflush(stdout);
    });
    return 0;
}

}  // namespace

class TestImporter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    int workspaces_ = 0;

    std::string newWorkspaceFolder() { return dir_.filePath("ws" + QString::number(++workspaces_)).toStdString(); }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
    }

    void isicThroughItsCsvMatchesTheCsv() {
        FMC_REQUIRE_SHARED_DATA(isicDir() + "/sites.csv");
        const auto csv = readSitesCsv();
        QCOMPARE(csv.size(), size_t(2359));
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = (isicDir() + "/sites.csv").toStdString();
        const auto report = workspace.importPaths({isicDir().toStdString()}, options);
        qInfo("JPEG import throughput: %zu files in %.2f s = %.0f files/s", report.files.size(), report.seconds,
              report.files.size() / report.seconds);

        // Every CSV file is accounted for: imported, or a duplicate of one that was.
        QCOMPARE(report.count(ImportOutcome::Error), 0);
        QCOMPARE(report.count(ImportOutcome::Skipped), 1);  // sites.csv itself
        QCOMPARE(report.count(ImportOutcome::Imported) + report.count(ImportOutcome::Duplicate), 2359);
        QVERIFY2(report.notes.empty(), report.notes.empty() ? "" : report.notes.front().c_str());

        // The archive holds byte-identical copies (the same ISIC image under two classes);
        // the store keeps one image per distinct content.
        std::set<std::string> distinctContent;
        for (const auto& [path, row] : csv) distinctContent.insert(fileSha256(path));
        QCOMPARE(workspace.store().imageCount(), int(distinctContent.size()));
        QCOMPARE(report.count(ImportOutcome::Imported), int(distinctContent.size()));

        const auto files = byPath(report);
        std::map<std::string, int> expectedPerLabel, reportedPerLabel;
        int testSplit = 0;
        for (const auto& [path, row] : csv) {
            ++expectedPerLabel[row.label];
            const auto found = files.find(path);
            QVERIFY2(found != files.end(), path.c_str());
            reportedPerLabel[found->second->label.value_or("")] += 1;
            if (found->second->outcome != ImportOutcome::Imported) continue;
            const auto stored = workspace.store().imageBySource(path, 0);
            QVERIFY2(stored, path.c_str());
            QCOMPARE(stored->label.value_or(""), row.label);
            QCOMPARE(std::string(splitName(stored->split)), row.split);
            QCOMPARE(stored->site, row.center);
            QCOMPARE(stored->contentHash, fileSha256(path));
            testSplit += stored->split == Split::Test;
        }
        QCOMPARE(reportedPerLabel, expectedPerLabel);
        QVERIFY(testSplit > 0);
        const auto runs = workspace.store().importRuns();
        QCOMPARE(runs.size(), size_t(1));
        QVERIFY(runs[0].finishedAt);
        QCOMPARE(runs[0].counts.imported, report.count(ImportOutcome::Imported));
        QCOMPARE(int(workspace.store().importIssues(runs[0].id).size()),
                 report.count(ImportOutcome::Duplicate) + report.count(ImportOutcome::Skipped));
    }

    void isicThroughFolderNamesMatchesTheCsvAndReimportsNothing() {
        FMC_REQUIRE_SHARED_DATA(isicDir() + "/sites.csv");
        const auto csv = readSitesCsv();
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        const auto report = workspace.importPaths({isicDir().toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Imported) + report.count(ImportOutcome::Duplicate), int(csv.size()));
        const auto files = byPath(report);
        int conflicts = 0;
        for (const auto& [path, row] : csv) {
            const auto* file = files.at(path);
            // Folder names are the CSV's labels, and the Train/Test folders its splits.
            QCOMPARE(file->label.value_or(""), row.label);
            if (file->outcome == ImportOutcome::Imported)
                QCOMPARE(std::string(splitName(workspace.store().imageBySource(path, 0)->split)), row.split);
            else conflicts += file->errorClass == "duplicate-label-conflict";
        }
        QVERIFY2(conflicts > 0, "the archive's cross-class copies were not reported as label conflicts");

        const int images = workspace.store().imageCount();
        const auto again = workspace.importPaths({isicDir().toStdString()}, options);
        QCOMPARE(again.count(ImportOutcome::Imported), 0);
        QCOMPARE(again.count(ImportOutcome::AlreadyImported), images);
        QCOMPARE(workspace.store().imageCount(), images);
    }

    void duplicatesAreFoundByPixels() {
        FMC_REQUIRE_SHARED_DATA(isicDir());
        const QString source = isicDir() + "/Train/melanoma/ISIC_0000139.jpg";
        const QString other = isicDir() + "/Train/nevus/ISIC_0000477.jpg";
        FMC_REQUIRE_SHARED_DATA(source);
        QTemporaryDir folder;
        copyFile(source, folder.filePath("a/melanoma/original.jpg"));
        copyFile(source, folder.filePath("b/melanoma/copy.jpg"));
        // The same pixels in another container: a lossless re-encoding is still a duplicate.
        const auto decoded = loadImageFile(source.toStdString());
        QDir().mkpath(folder.filePath("c/melanoma"));
        saveImageFile(folder.filePath("c/melanoma/reencoded.png").toStdString(), decoded);
        copyFile(source, folder.filePath("d/nevus/mislabelled.jpg"));
        copyFile(other, folder.filePath("e/nevus/different.jpg"));

        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        const auto report = workspace.importPaths({folder.path().toStdString()}, options);
        const auto files = byPath(report);
        auto outcome = [&](const char* name) { return files.at(canonical(folder.filePath(name))); };
        QCOMPARE(outcome("a/melanoma/original.jpg")->outcome, ImportOutcome::Imported);
        QCOMPARE(outcome("b/melanoma/copy.jpg")->outcome, ImportOutcome::Duplicate);
        QCOMPARE(outcome("b/melanoma/copy.jpg")->errorClass, std::string("duplicate-pixels"));
        QVERIFY(outcome("b/melanoma/copy.jpg")->detail.find("original.jpg") != std::string::npos);
        QCOMPARE(outcome("c/melanoma/reencoded.png")->outcome, ImportOutcome::Duplicate);
        QCOMPARE(outcome("d/nevus/mislabelled.jpg")->errorClass, std::string("duplicate-label-conflict"));
        QCOMPARE(outcome("e/nevus/different.jpg")->outcome, ImportOutcome::Imported);
        QCOMPARE(workspace.store().imageCount(), 2);
    }

    void aBadFileIsReportedAndTheOthersImported_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");      // empty with `copyOf` set: a copy of that file
        QTest::addColumn<QString>("copyOf");
        QTest::addColumn<int>("truncateTo");        // > 0: keep only this many bytes of the copy
        QTest::addColumn<qulonglong>("maxFileBytes");
        QTest::addColumn<qulonglong>("maxPixels");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("errorClass");
        const QString jpeg = isicDir() + "/Train/melanoma/ISIC_0000139.jpg";
        const qulonglong noLimit = 1ull << 30;
        QTest::newRow("zero bytes") << "empty.jpg" << QByteArray() << "" << 0 << noLimit << noLimit
                                    << int(ImportOutcome::Error) << "empty-file";
        QTest::newRow("text named .png") << "fake.png" << QByteArray("not a picture at all") << "" << 0 << noLimit
                                         << noLimit << int(ImportOutcome::Error) << "unreadable-image";
        QTest::newRow("truncated JPEG") << "cut.jpg" << QByteArray() << jpeg << 2000 << noLimit << noLimit
                                        << int(ImportOutcome::Error) << "unreadable-image";
        QTest::newRow("over the file size limit") << "big.jpg" << QByteArray() << jpeg << 0 << qulonglong(1000)
                                                  << noLimit << int(ImportOutcome::Error) << "too-large";
        QTest::newRow("over the pixel limit") << "bomb.jpg" << QByteArray() << jpeg << 0 << noLimit << qulonglong(10000)
                                              << int(ImportOutcome::Error) << "unreadable-image";
        QTest::newRow("not an image") << "notes.txt" << QByteArray("clinic notes") << "" << 0 << noLimit << noLimit
                                      << int(ImportOutcome::Skipped) << "not-an-image";
        QTest::newRow("truncated DICOM") << "MR_truncated.dcm" << QByteArray() << pydicomFile("MR_truncated.dcm") << 0
                                         << noLimit << noLimit << int(ImportOutcome::Error) << "truncated";
        QTest::newRow("DICOM without pixels") << "rtplan.dcm" << QByteArray() << pydicomFile("rtplan.dcm") << 0
                                              << noLimit << noLimit << int(ImportOutcome::Skipped) << "no-pixel-data";
    }
    void aBadFileIsReportedAndTheOthersImported() {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, copyOf);
        QFETCH(int, truncateTo);
        QFETCH(qulonglong, maxFileBytes);
        QFETCH(qulonglong, maxPixels);
        QFETCH(int, outcome);
        QFETCH(QString, errorClass);
        FMC_REQUIRE_SHARED_DATA(isicDir());
        FMC_REQUIRE_SHARED_DATA(dicomDir());
        QTemporaryDir folder;
        // Good files on both sides of the bad one (sorted order), small enough for every limit.
        const auto goodImage = [&](const QString& path) {
            RgbImage image;
            image.width = image.height = 16;
            image.pixels.assign(16 * 16 * 3, static_cast<std::uint8_t>(path.size()));
            saveImageFile(path.toStdString(), image);
        };
        goodImage(folder.filePath("a_good.png"));
        goodImage(folder.filePath("zz_good.png"));
        if (!copyOf.isEmpty()) bytes = readBytes(copyOf);
        if (truncateTo > 0) bytes.truncate(truncateTo);
        writeBytes(folder.filePath(name), bytes);

        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        workspace.setImageLimits({maxFileBytes, maxPixels});
        const auto report = workspace.importPaths({folder.path().toStdString()}, {});
        QCOMPARE(report.files.size(), size_t(3));
        const auto* bad = byPath(report).at(canonical(folder.filePath(name)));
        QCOMPARE(int(bad->outcome), outcome);
        QCOMPARE(QString::fromStdString(bad->errorClass), errorClass);
        QVERIFY2(bad->detail.find(name.toStdString()) != std::string::npos, bad->detail.c_str());
        QCOMPARE(report.count(ImportOutcome::Imported), 2);
        QCOMPARE(workspace.store().imageCount(), 2);
        const auto issues = workspace.store().importIssues(report.importRunId);
        QCOMPARE(issues.size(), size_t(1));
        QCOMPARE(issues[0].errorClass, bad->errorClass);
    }

    void labelsAndSplitsFromFolderNames_data() {
        QTest::addColumn<QString>("importRoot");  // relative to a fresh folder
        QTest::addColumn<QString>("file");        // relative to importRoot
        QTest::addColumn<QString>("label");       // "" for unlabelled
        QTest::addColumn<QString>("split");       // "" when the hash decides
        QTest::newRow("class folder below the root") << "export" << "melanoma/a.png" << "melanoma" << "";
        QTest::newRow("split then class") << "export" << "Train/melanoma/a.png" << "melanoma" << "train";
        QTest::newRow("class then split") << "export" << "melanoma/Test/a.png" << "melanoma" << "test";
        QTest::newRow("nearest class wins") << "export" << "nevus/melanoma/a.png" << "melanoma" << "";
        // The imported folder's own name is no label: a set's root never becomes a class.
        QTest::newRow("directly in the imported folder") << "sample_dataset" << "a.png" << "" << "";
        QTest::newRow("imported folder, split below") << "nevus" << "validation/a.png" << "" << "validation";
        QTest::newRow("imported split folder") << "Test" << "a.png" << "" << "test";
        QTest::newRow("split word in a name") << "export" << "AugValidation/glioma/a.png" << "glioma" << "validation";
        QTest::newRow("split word at the end") << "export" << "glioma/AugTest/a.png" << "glioma" << "test";
        QTest::newRow("split word, lower case") << "export" << "glioma/brain_val/a.png" << "glioma" << "validation";
        QTest::newRow("split word, any case") << "export" << "AUG_VALIDATION/glioma/a.png" << "glioma" << "validation";
        QTest::newRow("a word that only contains test") << "export" << "latest/a.png" << "latest" << "";
        QTest::newRow("two splits in one name") << "export" << "train_test/a.png" << "train_test" << "";
        QTest::newRow("a file given directly") << "nevus/a.png" << "" << "nevus" << "";
    }
    void labelsAndSplitsFromFolderNames() {
        QFETCH(QString, importRoot);
        QFETCH(QString, file);
        QFETCH(QString, label);
        QFETCH(QString, split);
        QTemporaryDir folder;
        // An empty `file`: importRoot is a file, given directly.
        const QString path = file.isEmpty() ? folder.filePath(importRoot) : folder.filePath(importRoot + "/" + file);
        QDir().mkpath(QFileInfo(path).absolutePath());
        RgbImage image;
        image.width = image.height = 8;
        image.pixels.assign(8 * 8 * 3, 99);
        saveImageFile(path.toStdString(), image);
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        options.testShare = 0;  // a split not given by a folder is "train"
        options.validationShare = 0;
        workspace.importPaths({folder.filePath(importRoot).toStdString() + (file.isEmpty() ? "" : "/")}, options);
        const auto stored = workspace.store().imageBySource(canonical(path), 0);
        QVERIFY(stored);
        QCOMPARE(QString::fromStdString(stored->label.value_or("")), label);
        QCOMPARE(QString(splitName(stored->split)), split.isEmpty() ? QString("train") : split);
    }

    // Images without a given split (no label source: the ISIC Train/Test folders decide
    // nothing) land in test, validation and train close to the shares, by the documented
    // rule, and the same way in a second fresh workspace.
    void hashSplitsFollowTheShares_data() {
        QTest::addColumn<double>("testShare");
        QTest::addColumn<double>("validationShare");
        QTest::newRow("defaults 0.2 / 0.15") << ImportOptions{}.testShare << ImportOptions{}.validationShare;
        QTest::newRow("no test, 0.3 validation") << 0.0 << 0.3;
        QTest::newRow("0.6 test, 0.4 validation, no train") << 0.6 << 0.4;
    }
    void hashSplitsFollowTheShares() {
        QFETCH(double, testShare);
        QFETCH(double, validationShare);
        FMC_REQUIRE_SHARED_DATA(isicDir());
        ImportOptions options;
        options.testShare = testShare;
        options.validationShare = validationShare;
        auto first = SiteWorkspace::open(newWorkspaceFolder());
        const auto report = first.importPaths({isicDir().toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Error), 0);
        const auto images = first.store().images();
        const auto n = double(images.size());
        QVERIFY2(n > 2000, "expected the ~2,240 distinct ISIC images");

        std::map<Split, int> counts;
        for (const auto& image : images) {
            QCOMPARE(image.split, hashSplit(image.pixelHash, testShare, validationShare));
            ++counts[image.split];
        }
        const std::map<Split, double> shares{{Split::Test, testShare},
                                             {Split::Validation, validationShare},
                                             {Split::Train, 1 - testShare - validationShare}};
        for (const auto& [split, share] : shares) {
            // Within four binomial standard deviations; exactly none for a share of 0.
            const double tolerance = 4 * std::sqrt(n * share * (1 - share));
            qInfo("%-10s %4d of %.0f images (%.1f%%, share %.0f%%)", splitName(split), counts[split], n,
                  100 * counts[split] / n, 100 * share);
            QVERIFY2(std::abs(counts[split] - n * share) <= tolerance + 1e-9,
                     qPrintable(QString("%1: %2 images, expected %3 +- %4")
                                    .arg(splitName(split)).arg(counts[split]).arg(n * share).arg(tolerance)));
        }

        auto second = SiteWorkspace::open(newWorkspaceFolder());
        second.importPaths({isicDir().toStdString()}, options);
        QVERIFY(splitsByPixelHash(second.store()) == splitsByPixelHash(first.store()));
    }

    void invalidSplitSharesAreRefused_data() {
        QTest::addColumn<double>("testShare");
        QTest::addColumn<double>("validationShare");
        QTest::addColumn<QStringList>("named");
        QTest::newRow("negative test share") << -0.1 << 0.15 << QStringList{"testShare"};
        QTest::newRow("test share over 1") << 1.5 << 0.0 << QStringList{"testShare"};
        QTest::newRow("negative validation share") << 0.2 << -0.01 << QStringList{"validationShare"};
        QTest::newRow("validation share not a number") << 0.2 << std::nan("") << QStringList{"validationShare"};
        QTest::newRow("shares add up to more than 1") << 0.6 << 0.5 << QStringList{"testShare", "validationShare"};
    }
    void invalidSplitSharesAreRefused() {
        QFETCH(double, testShare);
        QFETCH(double, validationShare);
        QFETCH(QStringList, named);
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.testShare = testShare;
        options.validationShare = validationShare;
        try {
            workspace.importPaths({dir_.path().toStdString()}, options);
            QFAIL("invalid split shares were accepted");
        } catch (const Error& error) {
            for (const auto& name : named) QVERIFY2(QString(error.what()).contains(name), error.what());
        }
        QCOMPARE(workspace.store().importRuns().size(), size_t(0));  // refused before any run began
    }

    // A workspace imported with other shares (here: the former default, no validation
    // share) keeps every image's split when the same files are imported again with the new
    // defaults, with or without labels; only a split named by the CSV moves an image.
    void reimportingKeepsTheSplitsUnlessOneIsGiven() {
        FMC_REQUIRE_SHARED_DATA(isicDir());
        QTemporaryDir folder;
        const auto names = QDir(isicDir() + "/Train/melanoma").entryList({"*.jpg"}, QDir::Files, QDir::Name).mid(0, 60);
        for (const auto& name : names)
            copyFile(isicDir() + "/Train/melanoma/" + name, folder.filePath("melanoma/" + name));
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions before;
        before.testShare = 0.2;
        before.validationShare = 0;
        const int imported =
            workspace.importPaths({folder.path().toStdString()}, before).count(ImportOutcome::Imported);
        QVERIFY(imported > 50);  // one of the 60 is a copy of another
        auto& store = workspace.store();
        const auto original = splitsBySource(store);
        const ImportOptions defaults;
        int wouldMove = 0;
        for (const auto& image : store.images())
            wouldMove += image.split != hashSplit(image.pixelHash, defaults.testShare, defaults.validationShare);
        QVERIFY2(wouldMove > 0, "no image would change split under the new shares: the check below proves nothing");

        ImportOptions unlabelled;
        ImportOptions folders;
        folders.labelSource = LabelSource::FolderNames;
        for (const auto* options : {&unlabelled, &folders}) {
            const auto again = workspace.importPaths({folder.path().toStdString()}, *options);
            QCOMPARE(again.count(ImportOutcome::AlreadyImported), imported);
            QVERIFY(splitsBySource(store) == original);
        }
        for (const auto& image : store.images()) QCOMPARE(image.label.value_or(""), std::string("melanoma"));

        // A CSV naming a split moves that image; one without a split leaves the other alone.
        const auto moved = original.begin()->first.first;
        const auto kept = std::next(original.begin())->first.first;
        const auto target = original.at({moved, 0}) == Split::Test ? Split::Validation : Split::Test;
        writeBytes(folder.filePath("labels.csv"),
                   QByteArray("path,label,split\n\"") + moved.c_str() + "\",melanoma," + splitName(target) + "\n\"" +
                       kept.c_str() + "\",melanoma,\n");
        ImportOptions csv;
        csv.labelSource = LabelSource::Csv;
        csv.csvPath = folder.filePath("labels.csv").toStdString();
        workspace.importPaths({moved, kept}, csv);
        QCOMPARE(store.imageBySource(moved, 0)->split, target);
        QCOMPARE(store.imageBySource(kept, 0)->split, original.at({kept, 0}));
    }

    // Every frame of a multi-frame file keeps its own split when the file is imported again
    // with labels (the labels change, the splits do not collapse into one frame's).
    void reimportingAMultiFrameFileKeepsEachFramesSplit() {
        const QString source = dicomDir() + "/pylibjpeg-ds/LittleEndianExplicit/emri_small.dcm";
        FMC_REQUIRE_SHARED_DATA(source);
        QTemporaryDir folder;
        copyFile(source, folder.filePath("brain/emri_small.dcm"));
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.frames = MultiFramePolicy::EveryFrame;
        options.testShare = 0.35;
        options.validationShare = 0.35;
        QCOMPARE(workspace.importPaths({folder.path().toStdString()}, options).counts().samples, 10);
        // New imports keep a file's frames in one split; a workspace may still hold files whose
        // frames were split one by one (by earlier releases, or by hand): those must stay so.
        workspace.store().database().execute(
            "UPDATE images SET split = CASE frame % 3 WHEN 0 THEN 'train' WHEN 1 THEN 'validation' ELSE 'test' END");
        const auto original = splitsBySource(workspace.store());
        std::set<Split> distinct;
        for (const auto& [frame, split] : original) distinct.insert(split);
        QCOMPARE(distinct.size(), size_t(3));

        options.labelSource = LabelSource::FolderNames;
        const auto again = workspace.importPaths({folder.path().toStdString()}, options);
        QCOMPARE(again.files[0].outcome, ImportOutcome::AlreadyImported);
        QVERIFY(splitsBySource(workspace.store()) == original);
        for (const auto& image : workspace.store().images()) QCOMPARE(image.label.value_or(""), std::string("brain"));
    }

    // Without a split from folder or CSV, a file's frames share one split, and so do all the
    // files of one patient: no patient has images on both sides of train / test.
    void aPatientsImagesShareOneSplit() {
        FMC_REQUIRE_SHARED_DATA(dicomDir());
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.frames = MultiFramePolicy::EveryFrame;
        workspace.importPaths({dicomDir().toStdString()}, options);
        auto& store = workspace.store();
        std::map<std::string, std::set<Split>> byFile, byPatient;
        std::map<std::string, std::set<std::string>> filesOfPatient;
        for (const auto& image : store.images()) {
            byFile[image.sourcePath].insert(image.split);
            const auto identifiers = store.identifyingAttributes(image.id);
            const auto patient = identifiers.find("PatientID");
            if (patient == identifiers.end() || patient->second.empty()) continue;
            byPatient[patient->second].insert(image.split);
            filesOfPatient[patient->second].insert(image.sourcePath);
        }
        int multiFrameFiles = 0, multiFilePatients = 0;
        for (const auto& [file, splits] : byFile) {
            QVERIFY2(splits.size() == 1, file.c_str());
            if (store.imagesOfFile(file).size() > 1) ++multiFrameFiles;
        }
        std::set<Split> patientSplits;
        for (const auto& [patient, splits] : byPatient) {
            QVERIFY2(splits.size() == 1, ("patient " + patient).c_str());
            if (filesOfPatient[patient].size() > 1) ++multiFilePatients;
            patientSplits.insert(*splits.begin());
        }
        qInfo("%zu files (%d multi-frame), %zu patients (%d with several files)", byFile.size(), multiFrameFiles,
              byPatient.size(), multiFilePatients);
        QVERIFY2(multiFrameFiles > 0 && multiFilePatients > 0, "the collection no longer tests what it should");
        QVERIFY2(patientSplits.size() > 1, "every patient in one split: the shares are not applied");
    }

    void theDicomCollectionImportsWithItsBrokenFilesReported() {
        FMC_REQUIRE_SHARED_DATA(dicomDir());
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        const auto report = workspace.importPaths({dicomDir().toStdString()}, {});
        qInfo("DICOM import throughput: %zu files in %.2f s = %.0f files/s", report.files.size(), report.seconds,
              report.files.size() / report.seconds);
        int filesOnDisk = 0;
        for (QDirIterator it(dicomDir(), QDir::Files, QDirIterator::Subdirectories); it.hasNext(); it.next()) ++filesOnDisk;
        QCOMPARE(int(report.files.size()), filesOnDisk);

        const auto files = byPath(report);
        auto check = [&](const char* name, ImportOutcome outcome, const char* errorClass) {
            const auto* file = files.at(canonical(pydicomFile(name)));
            QVERIFY2(file->outcome == outcome, (std::string(name) + ": " + importOutcomeName(file->outcome) + " " +
                                                file->detail).c_str());
            QCOMPARE(file->errorClass, std::string(errorClass));
        };
        check("MR_small.dcm", ImportOutcome::Imported, "");
        check("CT_small.dcm", ImportOutcome::Imported, "");
        check("MR_truncated.dcm", ImportOutcome::Error, "truncated");
        check("SC_rgb_rle_32bit.dcm", ImportOutcome::Imported, "");  // 32-bit colour samples
        check("rtplan.dcm", ImportOutcome::Skipped, "no-pixel-data");
        check("dicomdirtests/DICOMDIR", ImportOutcome::Skipped, "no-pixel-data");
        check("README.txt", ImportOutcome::Skipped, "not-an-image");
        // Lossless re-encodings of MR_small have its pixels.
        for (const char* twin : {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_bigendian.dcm",
                                 "MR_small_implicit.dcm"})
            check(twin, ImportOutcome::Duplicate, "duplicate-pixels");
        QVERIFY(report.count(ImportOutcome::Imported) > 50);

        auto& store = workspace.store();
        QCOMPARE(store.imageCount(), report.counts().samples);
        const auto mr = store.imageBySource(canonical(pydicomFile("MR_small.dcm")), 0);
        QVERIFY(mr);
        QCOMPARE(mr->kind, ImageFileKind::Dicom);
        QCOMPARE(mr->modality, std::string("MR"));
        QCOMPARE(mr->width, 64);
        QCOMPARE(mr->height, 64);

        // Identifying values live in image_identifiers and nowhere else. (Paths are the
        // user's own; short values such as a StudyTime of 000000 occur in them by chance.)
        auto values = store.database().prepare(
            "SELECT DISTINCT value FROM image_identifiers WHERE length(value) > 3 AND keyword IN ('PatientName', "
            "'PatientID', 'OtherPatientIDs', 'PatientBirthDate', 'InstitutionName', 'ReferringPhysicianName', "
            "'SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID')");
        int checked = 0;
        while (values.step()) {
            const auto value = values.columnText(0);
            auto leaks = store.database().prepare(
                "SELECT (SELECT COUNT(*) FROM import_errors WHERE instr(replace(reason, source_path, ''), ?1) > 0) + "
                "(SELECT COUNT(*) FROM images WHERE instr(COALESCE(label, '') || site || modality || "
                "COALESCE(error, ''), ?1) > 0)");
            leaks.bindAll(value);
            leaks.step();
            QVERIFY2(leaks.columnInt(0) == 0, "an identifying value was copied out of image_identifiers");
            ++checked;
        }
        QVERIFY(checked > 10);
        QVERIFY(!store.identifyingAttributes(mr->id).empty());
        QCOMPARE(store.integrityCheck(), std::string("ok"));
    }

    void multiFrameFilesGiveOneOrEverySample() {
        const QString file = dicomDir() + "/pylibjpeg-ds/LittleEndianExplicit/emri_small.dcm";
        FMC_REQUIRE_SHARED_DATA(file);
        ImportOptions middle;
        auto first = SiteWorkspace::open(newWorkspaceFolder());
        const auto one = first.importPaths({file.toStdString()}, middle);
        QCOMPARE(one.counts().samples, 1);
        const auto stored = first.store().imagesOfFile(canonical(file));
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].frame, 5);  // 10 frames: the middle one is frame 10/2

        ImportOptions every;
        every.frames = MultiFramePolicy::EveryFrame;
        auto second = SiteWorkspace::open(newWorkspaceFolder());
        const auto all = second.importPaths({file.toStdString()}, every);
        QCOMPARE(all.counts().samples, 10);
        const auto frames = second.store().imagesOfFile(canonical(file));
        for (int i = 0; i < 10; ++i) QCOMPARE(frames[size_t(i)].frame, i);
        QCOMPARE(frames[5].pixelHash, stored[0].pixelHash);
    }

    void labelsFromADicomAttribute() {
        FMC_REQUIRE_SHARED_DATA(dicomDir());
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::DicomTag;
        options.dicomTagKeyword = "Modality";
        const auto report = workspace.importPaths(
            {pydicomFile("MR_small.dcm").toStdString(), pydicomFile("CT_small.dcm").toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Imported), 2);
        QCOMPARE(workspace.store().imageBySource(canonical(pydicomFile("MR_small.dcm")), 0)->label.value_or(""),
                 std::string("MR"));
        QCOMPARE(workspace.store().imageBySource(canonical(pydicomFile("CT_small.dcm")), 0)->label.value_or(""),
                 std::string("CT"));

        options.dicomTagKeyword = "PatientName";
        try {
            workspace.importPaths({dicomDir().toStdString()}, options);
            QFAIL("a patient-identifying attribute was accepted as a label");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("PatientName"), error.what());
        }
        options.dicomTagKeyword = "NoSuchKeyword";
        QVERIFY_THROWS_EXCEPTION(Error, workspace.importPaths({dicomDir().toStdString()}, options));
        QCOMPARE(workspace.store().importRuns().size(), size_t(1));  // refused requests start no run
    }

    void labelsCsvProblemsNameTheFileAndLine_data() {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no label column") << QByteArray("path,class\na.png,x\n") << "no 'label' column";
        QTest::newRow("no path column") << QByteArray("file,label\na.png,x\n") << "no 'path' column";
        QTest::newRow("bad split") << QByteArray("path,label,split\na.png,x,train\nb.png,y,later\n") << "line 3";
        QTest::newRow("short row") << QByteArray("path,label,site\na.png\n") << "line 2";
        QTest::newRow("open quote") << QByteArray("path,label\n\"a.png,x\n") << "unterminated";
        QTest::newRow("listed twice") << QByteArray("path,label\na.png,x\n./a.png,y\n") << "listed twice";
    }
    void labelsCsvProblemsNameTheFileAndLine() {
        QFETCH(QByteArray, csv);
        QFETCH(QString, expected);
        QTemporaryDir folder;
        writeBytes(folder.filePath("labels.csv"), csv);
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = folder.filePath("labels.csv").toStdString();
        try {
            workspace.importPaths({folder.path().toStdString()}, options);
            QFAIL("a malformed CSV was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("labels.csv") && QString(error.what()).contains(expected),
                     error.what());
        }
    }

    // A head CT set's labels.csv: "id, hemorrhage" (a space after the comma), ids without the
    // zero padding of the file names: the columns and the path pattern are named.
    void labelsCsvWithNamedColumnsAndAPathPattern_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QStringList>("files");  // for ids 0, 7, 49
        QTest::newRow("{}.png") << "head_ct/{}.png" << QStringList{"0.png", "7.png", "49.png"};
        QTest::newRow("{:03}.png") << "head_ct/{:03}.png" << QStringList{"000.png", "007.png", "049.png"};
    }
    void labelsCsvWithNamedColumnsAndAPathPattern() {
        QFETCH(QString, format);
        QFETCH(QStringList, files);
        QTemporaryDir folder;
        RgbImage image;
        image.width = image.height = 8;
        QDir().mkpath(folder.filePath("head_ct"));
        for (int i = 0; i < files.size(); ++i) {
            image.pixels.assign(8 * 8 * 3, static_cast<std::uint8_t>(50 * i + 1));
            saveImageFile(folder.filePath("head_ct/" + files[i]).toStdString(), image);
        }
        writeBytes(folder.filePath("labels.csv"), "id, hemorrhage\n0, 1\n7, 0\n49, 1\n");
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = folder.filePath("labels.csv").toStdString();
        options.csvPathColumn = "ID";  // matched case-insensitively
        options.csvLabelColumn = "hemorrhage";
        options.csvPathFormat = format.toStdString();
        const auto report = workspace.importPaths({folder.filePath("head_ct").toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Imported), 3);
        QVERIFY2(report.notes.empty(), report.notes.empty() ? "" : report.notes.front().c_str());
        const char* labels[] = {"1", "0", "1"};
        for (int i = 0; i < files.size(); ++i)
            QCOMPARE(workspace.store().imageBySource(canonical(folder.filePath("head_ct/" + files[i])), 0)->label,
                     std::optional<std::string>(labels[i]));

        // Without the column names the error says which columns the file has and how to name them.
        ImportOptions defaults;
        defaults.labelSource = LabelSource::Csv;
        defaults.csvPath = options.csvPath;
        try {
            workspace.importPaths({folder.filePath("head_ct").toStdString()}, defaults);
            QFAIL("a CSV without a path column was accepted");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("no 'path' column") && message.contains("id, hemorrhage") &&
                         message.contains("--csv-path-column"),
                     error.what());
        }
        options.csvPathFormat = "head_ct/.png";
        QVERIFY_THROWS_EXCEPTION(Error, workspace.importPaths({folder.filePath("head_ct").toStdString()}, options));
    }

    void labelsCsvWithQuotesAndSubfolders() {
        QTemporaryDir folder;
        RgbImage image;
        image.width = image.height = 8;
        for (int i = 0; i < 3; ++i) {
            image.pixels.assign(8 * 8 * 3, static_cast<std::uint8_t>(40 * i));
            QDir().mkpath(folder.filePath("scans"));
            saveImageFile(folder.filePath(QString("scans/lesion, %1.png").arg(i)).toStdString(), image);
        }
        writeBytes(folder.filePath("labels.csv"),
                   "\xEF\xBB\xBFpath,label,split,site\r\n"
                   "\"scans/lesion, 0.png\",\"nevus, \"\"typical\"\"\",Test,clinic A\r\n"
                   "\"scans/lesion, 1.png\",melanoma,,clinic B\r\n"
                   "scans/missing.png,melanoma,,\r\n");
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        ImportOptions options;
        options.labelSource = LabelSource::Csv;
        options.csvPath = folder.filePath("labels.csv").toStdString();
        const auto report = workspace.importPaths({folder.filePath("scans").toStdString()}, options);
        QCOMPARE(report.count(ImportOutcome::Imported), 3);
        auto& store = workspace.store();
        const auto first = store.imageBySource(canonical(folder.filePath("scans/lesion, 0.png")), 0).value();
        QCOMPARE(first.label.value_or(""), std::string("nevus, \"typical\""));
        QCOMPARE(first.split, Split::Test);
        QCOMPARE(first.site, std::string("clinic A"));
        QCOMPARE(store.imageBySource(canonical(folder.filePath("scans/lesion, 2.png")), 0)->label, std::nullopt);
        QCOMPARE(report.notes.size(), size_t(1));  // the row naming missing.png
        QVERIFY(report.notes[0].find("missing.png") != std::string::npos);
    }

    void reimportingWithLabelsRelabelsAndAChangedFileReplacesItsRows() {
        FMC_REQUIRE_SHARED_DATA(isicDir());
        const QString firstImage = isicDir() + "/Train/melanoma/ISIC_0000139.jpg";
        const QString secondImage = isicDir() + "/Train/nevus/ISIC_0000477.jpg";
        // Shares that put the two pictures in different splits by their pixel hashes, so the
        // changed file keeping its split is the store's doing, not the hash's.
        auto scratch = SiteWorkspace::open(newWorkspaceFolder());
        scratch.importPaths({firstImage.toStdString(), secondImage.toStdString()}, {});
        const auto fraction = [&](const QString& file) {
            return double(std::stoull(scratch.store().imageBySource(canonical(file), 0)->pixelHash.substr(0, 8),
                                      nullptr, 16)) / 4294967296.0;
        };
        ImportOptions shares;
        shares.testShare = (fraction(firstImage) + fraction(secondImage)) / 2;
        shares.validationShare = 0;

        QTemporaryDir folder;
        copyFile(firstImage, folder.filePath("melanoma/a.jpg"));
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        const auto path = canonical(folder.filePath("melanoma/a.jpg"));
        workspace.importPaths({folder.path().toStdString()}, shares);
        QCOMPARE(workspace.store().imageBySource(path, 0)->label, std::nullopt);
        const auto split = workspace.store().imageBySource(path, 0)->split;

        ImportOptions folders = shares;
        folders.labelSource = LabelSource::FolderNames;
        auto again = workspace.importPaths({folder.path().toStdString()}, folders);
        QCOMPARE(again.files[0].outcome, ImportOutcome::AlreadyImported);
        QCOMPARE(workspace.store().imageBySource(path, 0)->label.value_or(""), std::string("melanoma"));

        QVERIFY(QFile::remove(QString::fromStdString(path)));
        copyFile(secondImage, QString::fromStdString(path));
        again = workspace.importPaths({folder.path().toStdString()}, folders);
        QCOMPARE(again.files[0].outcome, ImportOutcome::Imported);
        QVERIFY(again.files[0].detail.find("replaced") != std::string::npos);
        QCOMPARE(workspace.store().imageCount(), 1);
        const auto replaced = workspace.store().imageBySource(path, 0).value();
        QCOMPARE(replaced.contentHash, fileSha256(path));
        QVERIFY(hashSplit(replaced.pixelHash, shares.testShare, shares.validationShare) != split);
        QCOMPARE(replaced.split, split);  // the file stays where it was
    }

    void cancellingStopsBetweenFilesAndRecordsTheRun() {
        FMC_REQUIRE_SHARED_DATA(isicDir());
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        std::atomic<bool> cancel{false};
        const auto report = workspace.importPaths(
            {(isicDir() + "/Train/dermatofibroma").toStdString()}, {},
            [&](const ImportProgress& progress) {
                if (progress.done == 5) cancel = true;
            },
            &cancel);
        QVERIFY(report.cancelled);
        QCOMPARE(report.files.size(), size_t(5));
        QVERIFY(report.notProcessed > 0);
        QCOMPARE(workspace.store().imageCount(), report.count(ImportOutcome::Imported));
        const auto run = workspace.store().importRuns().back();
        QVERIFY(run.cancelled);
        QVERIFY(run.finishedAt);
    }

    void missingPathsAreReportedNotThrown() {
        auto workspace = SiteWorkspace::open(newWorkspaceFolder());
        const auto report = workspace.importPaths({dir_.filePath("no/such/folder").toStdString()}, {});
        QCOMPARE(report.files.size(), size_t(1));
        QCOMPARE(report.files[0].outcome, ImportOutcome::Error);
        QCOMPARE(report.files[0].errorClass, std::string("not-found"));
    }

    void killingTheImportMidwayLeavesAConsistentStoreAndARerunFinishes() {
        const QString folder = isicDir() + "/Train";
        FMC_REQUIRE_SHARED_DATA(folder);
        const auto workspaceFolder = newWorkspaceFolder();
        // Starts an import in a child process and SIGKILLs it once `files` more files are
        // done: no destructor, no rollback, no checkpoint runs.
        const auto importAndKill = [&](int files) {
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(),
                        {kChildFlag, QString::fromStdString(workspaceFolder), folder});
            QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
            int done = 0;
            while (done < files && child.state() == QProcess::Running) {
                child.waitForReadyRead(5000);
                while (child.canReadLine()) done = child.readLine().trimmed().toInt();
            }
            QVERIFY2(child.state() == QProcess::Running, "the child finished before it could be killed");
            child.kill();
            QVERIFY(child.waitForFinished());
            QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        };
        // The second child passes the first one's files as already imported, then dies too.
        for (const int killAt : {300, 900}) {
            importAndKill(killAt);
            if (QTest::currentTestFailed()) return;
            auto store = SiteStore::open(workspaceFolder + "/" + kWorkspaceDatabaseFileName);
            QCOMPARE(store.integrityCheck(), std::string("ok"));
            QVERIFY(store.foreignKeyViolations().empty());
            const auto runs = store.importRuns();
            QVERIFY2(!runs.back().finishedAt, "the killed run looks finished");
            QCOMPARE(store.summary().interruptedImportRuns, int(runs.size()));
            // Whole files only: each row is complete, labelled after its folder, and its file
            // is the one that was hashed.
            const auto images = store.images();
            qInfo("killed after %d files were done: %zu images committed", killAt, images.size());
            QVERIFY(int(images.size()) >= killAt * 9 / 10);
            QVERIFY(int(images.size()) < 2241);
            for (const auto& image : images) {
                QCOMPARE(image.label.value_or(""),
                         QFileInfo(QString::fromStdString(image.sourcePath)).dir().dirName().toStdString());
                QCOMPARE(image.contentHash, fileSha256(image.sourcePath));
            }
        }

        auto workspace = SiteWorkspace::open(workspaceFolder);
        const int before = workspace.store().imageCount();
        ImportOptions options;
        options.labelSource = LabelSource::FolderNames;
        const auto rerun = workspace.importPaths({folder.toStdString()}, options);
        QCOMPARE(rerun.count(ImportOutcome::AlreadyImported), before);
        QCOMPARE(rerun.count(ImportOutcome::Error), 0);

        // The result equals an import that was never interrupted.
        auto reference = SiteWorkspace::open(newWorkspaceFolder());
        reference.importPaths({folder.toStdString()}, options);
        auto rows = [](SiteStore& store) {
            std::set<std::pair<std::string, std::string>> set;
            for (const auto& image : store.images()) set.insert({image.pixelHash, image.label.value_or("")});
            return set;
        };
        QCOMPARE(workspace.store().imageCount(), reference.store().imageCount());
        QVERIFY(rows(workspace.store()) == rows(reference.store()));
        QCOMPARE(workspace.store().integrityCheck(), std::string("ok"));
    }
};

int main(int argc, char* argv[]) {
    if (argc == 4 && std::strcmp(argv[1], kChildFlag) == 0) return runImportChild(argv[2], argv[3]);
    QCoreApplication app(argc, argv);
    TestImporter test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_importer.moc"
