// HistoryModel: one row per round, raw values for charts and CSV, formatted text for the
// table, gaps (NaN) where there is no value; the CSV export writes exactly those values.
#include "models/history_export.h"
#include "models/history_model.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;

class TestHistoryModel : public QObject {
    Q_OBJECT
private slots:
    void rowsColumnsAndValues();
    void appendRowAddsOnlyRowsOfTheShownRun();
    void csvHoldsTheRawValuesWithEmptyCellsForGaps();
};

namespace {
TrainingRun run() {
    return {QStringLiteral("r1"), kRunFederated, QDateTime::currentDateTime(),
            {QStringLiteral("nevus"), QStringLiteral("melanoma, suspected")}, QStringLiteral("test")};
}

HistoryRow row(int round, double federation = -1) {
    HistoryRow r;
    r.runId = QStringLiteral("r1");
    r.round = round;
    r.loss = 2.0 / round;
    r.accuracy = 0.5 + 0.05 * round;
    r.balancedAccuracy = 0.4 + 0.05 * round;
    r.macroF1 = 0.3 + 0.05 * round;
    r.federationAccuracy = federation;
    r.bytesSent = 1024 * round;
    r.bytesReceived = 2048;
    r.seconds = 0.5;
    r.perClassRecall = {0.1 * round, std::nan("")};
    return r;
}
}  // namespace

void TestHistoryModel::rowsColumnsAndValues() {
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(run(), {row(1), row(2, 0.66)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), HistoryModel::FirstRecallColumn + 2);
    QCOMPARE(model.value(1, HistoryModel::RoundColumn), 2.0);
    QCOMPARE(model.value(1, HistoryModel::LossColumn), 1.0);
    QCOMPARE(model.index(1, HistoryModel::AccuracyColumn).data(HistoryModel::ValueRole).toDouble(), 0.6);
    QVERIFY(std::isnan(model.value(0, HistoryModel::FederationAccuracyColumn)));
    QCOMPARE(model.value(1, HistoryModel::FederationAccuracyColumn), 0.66);
    QCOMPARE(model.value(1, model.recallColumn(0)), 0.2);
    QVERIFY(std::isnan(model.value(1, model.recallColumn(1))));
    QCOMPARE(model.index(0, model.recallColumn(1)).data().toString(), QStringLiteral("–"));
    QCOMPARE(model.headerData(model.recallColumn(0), Qt::Horizontal).toString(), model.tr("Recall: %1").arg("nevus"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(HistoryModel::FirstRecallColumn));
}

void TestHistoryModel::appendRowAddsOnlyRowsOfTheShownRun() {
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(run(), {});
    model.appendRow(row(1));
    auto other = row(2);
    other.runId = QStringLiteral("another run");
    model.appendRow(other);
    QCOMPARE(model.rowCount(), 1);
}

void TestHistoryModel::csvHoldsTheRawValuesWithEmptyCellsForGaps() {
    HistoryModel model;
    model.setRun(run(), {row(1), row(2, 0.66)});
    const auto lines = historyCsv(model).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0), QStringLiteral("round,loss,accuracy,balanced_accuracy,macro_f1,federation_accuracy,bytes_sent,"
                                         "bytes_received,seconds,recall_nevus,\"recall_melanoma, suspected\""));
    QCOMPARE(lines.at(1), QStringLiteral("1,2,0.55,0.45,0.35,,1024,2048,0.5,0.1,"));
    QCOMPARE(lines.at(2), QStringLiteral("2,1,0.6,0.5,0.4,0.66,2048,2048,0.5,0.2,"));
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("history.csv"));
    writeHistoryCsv(model, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), historyCsv(model));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, writeHistoryCsv(model, dir.filePath(QStringLiteral("no/such/folder/x.csv"))));
}

QTEST_GUILESS_MAIN(TestHistoryModel)
#include "tst_historymodel.moc"
