// DicomBrowserModel: the tree of the real DICOM files in ../shared/data/dicom, imported into
// a site store workspace, is exactly the store's patients -> studies -> series -> images
// (counted here with SQL straight from the store's identifier table); search and the
// modality filter keep what matches, with its parents and children.
#include "models/dicom_browser_model.h"
#include "ui_test_support.h"
#include "site/site_store.h"
#include "workspace/site_store_workspace.h"

#include <QAbstractItemModelTester>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <tuple>

using namespace fmc::ui;

class TestDicomBrowserModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void treeMatchesTheStore();
    void searchKeepsMatchesWithParentsAndChildren();
    void modalityFilterKeepsThatModality();

private:
    QTemporaryDir dir_;
    std::unique_ptr<SiteStoreWorkspace> workspace_;
};

void TestDicomBrowserModel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    const QString data = QStringLiteral(FMC_SHARED_DATA_DIR "/dicom");
    if (!QFileInfo::exists(data)) QSKIP("../shared/data/dicom is absent (the shared test data)");
    workspace_ = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    ImportRequest request;
    request.paths = {data};
    request.labelSource = LabelSource::None;
    const auto report = workspace_->importImages(request, {}, {}, nullptr);
    qInfo("imported %d of %d files", report.imported, report.filesSeen);
    QVERIFY(report.imported > 20);
}

void TestDicomBrowserModel::treeMatchesTheStore() {
    // What the store holds, by SQL: (patient key, study, series) -> images.
    std::map<std::tuple<QString, QString, QString>, int> expected;
    {
        auto store = fmc::SiteStore::open(QDir(workspace_->rootPath()).filePath(QStringLiteral("workspace.sqlite")).toStdString());
        auto query = store.database().prepare(
            "WITH a AS (SELECT image_id,"
            " max(CASE WHEN keyword = 'PatientID' THEN value END) AS pid,"
            " max(CASE WHEN keyword = 'PatientName' THEN value END) AS pname,"
            " max(CASE WHEN keyword = 'StudyInstanceUID' THEN value END) AS study,"
            " max(CASE WHEN keyword = 'SeriesInstanceUID' THEN value END) AS series"
            " FROM image_identifiers GROUP BY image_id)"
            " SELECT CASE WHEN coalesce(pid, '') <> '' THEN pid ELSE 'name:' || coalesce(pname, '') END,"
            " coalesce(study, ''), coalesce(series, ''), count(*)"
            " FROM a WHERE study IS NOT NULL OR series IS NOT NULL GROUP BY 1, 2, 3");
        while (query.step())
            expected[{QString::fromStdString(query.columnText(0)), QString::fromStdString(query.columnText(1)),
                      QString::fromStdString(query.columnText(2))}] = static_cast<int>(query.columnInt(3));
    }
    QVERIFY(expected.size() > 5);
    DicomBrowserModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.reload(workspace_.get());
    std::map<std::tuple<QString, QString, QString>, int> shown;
    QSet<QString> patients;
    int instances = 0;
    for (int p = 0; p < model.rowCount(); ++p) {
        const auto patient = model.index(p, 0);
        QCOMPARE(patient.data(DicomBrowserModel::LevelRole).toInt(), int(DicomBrowserModel::PatientLevel));
        patients.insert(patient.data(DicomBrowserModel::KeyRole).toString());
        int patientImages = 0;
        for (int s = 0; s < model.rowCount(patient); ++s) {
            const auto study = model.index(s, 0, patient);
            for (int r = 0; r < model.rowCount(study); ++r) {
                const auto series = model.index(r, 0, study);
                const int images = model.rowCount(series);
                QCOMPARE(model.index(r, DicomBrowserModel::ImagesColumn, study).data().toString(), QLocale().toString(images));
                shown[{patient.data(DicomBrowserModel::KeyRole).toString(), study.data(DicomBrowserModel::KeyRole).toString(),
                       series.data(DicomBrowserModel::KeyRole).toString()}] += images;
                patientImages += images;
                instances += images;
            }
        }
        QCOMPARE(model.index(p, DicomBrowserModel::ImagesColumn).data().toString(), QLocale().toString(patientImages));
    }
    QCOMPARE(shown, expected);
    QCOMPARE(model.patientCount(), patients.size());
    QCOMPARE(model.instanceCount(), instances);
    QCOMPARE(model.instanceCount() + model.imagesWithoutDicomData(), workspace_->images().size());
}

void TestDicomBrowserModel::searchKeepsMatchesWithParentsAndChildren() {
    DicomBrowserModel model;
    model.reload(workspace_.get());
    DicomBrowserFilter filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A patient with an ID: searching it keeps that patient, all their studies and images.
    QModelIndex target;
    for (int p = 0; p < model.rowCount() && !target.isValid(); ++p)
        if (model.index(p, DicomBrowserModel::IdColumn).data().toString().size() >= 4) target = model.index(p, 0);
    QVERIFY(target.isValid());
    const auto id = model.index(target.row(), DicomBrowserModel::IdColumn).data().toString();
    filter.setSearchText(id);
    QVERIFY(filter.rowCount() >= 1);
    bool found = false;
    for (int p = 0; p < filter.rowCount(); ++p) {
        const auto source = filter.mapToSource(filter.index(p, 0));
        if (source == target) {
            found = true;
            QCOMPARE(filter.rowCount(filter.index(p, 0)), model.rowCount(target));
        }
    }
    QVERIFY(found);
    filter.setSearchText(QStringLiteral("no-such-patient-anywhere"));
    QCOMPARE(filter.rowCount(), 0);
}

void TestDicomBrowserModel::modalityFilterKeepsThatModality() {
    DicomBrowserModel model;
    model.reload(workspace_.get());
    DicomBrowserFilter filter;
    filter.setSourceModel(&model);
    filter.setModality(QStringLiteral("CT"));
    int series = 0;
    for (int p = 0; p < filter.rowCount(); ++p)
        for (int s = 0; s < filter.rowCount(filter.index(p, 0)); ++s) {
            const auto study = filter.index(s, 0, filter.index(p, 0));
            for (int r = 0; r < filter.rowCount(study); ++r) {
                QCOMPARE(filter.index(r, DicomBrowserModel::ModalityColumn, study).data().toString(), QStringLiteral("CT"));
                ++series;
            }
        }
    QVERIFY(series > 0);
}

QTEST_MAIN(TestDicomBrowserModel)
#include "tst_dicombrowsermodel.moc"
