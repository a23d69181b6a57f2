// ImportReportModel: every file that could not be used, with its reason, and a summary.
#include "models/import_report_model.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace fmc::ui;

class TestImportReportModel : public QObject {
    Q_OBJECT
private slots:
    void listsEveryFailureWithItsReason();
    void summaryCountsImportsDuplicatesAndFailures();
};

void TestImportReportModel::listsEveryFailureWithItsReason() {
    ImportReportModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ImportReport report;
    report.imported = 3;
    report.failures = {{QStringLiteral("/data/a/empty.png"), QStringLiteral("the file is empty")},
                       {QStringLiteral("/data/b/truncated.jpg"), QStringLiteral("truncated JPEG")}};
    model.setReport(report);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ImportReportModel::FileColumn).data().toString(), QStringLiteral("empty.png"));
    QCOMPARE(model.index(0, ImportReportModel::FileColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("/data/a/empty.png"));
    QCOMPARE(model.index(1, ImportReportModel::ReasonColumn).data().toString(), QStringLiteral("truncated JPEG"));
}

void TestImportReportModel::summaryCountsImportsDuplicatesAndFailures() {
    ImportReportModel model;
    ImportReport report;
    report.imported = 1;
    report.duplicates = 2;
    report.failures = {{QStringLiteral("/x"), QStringLiteral("y")}};
    report.cancelled = true;
    model.setReport(report);
    const auto summary = model.summary();
    QVERIFY2(summary.contains(QLatin1String("1")) && summary.contains(QLatin1String("2")), qPrintable(summary));
    QVERIFY(summary.contains(model.tr("The import was cancelled; the files before it stay imported.")));
    report.duplicates = 0;
    report.cancelled = false;
    model.setReport(report);
    QVERIFY(!model.summary().contains(model.tr("The import was cancelled; the files before it stay imported.")));
}

QTEST_GUILESS_MAIN(TestImportReportModel)
#include "tst_importreportmodel.moc"
