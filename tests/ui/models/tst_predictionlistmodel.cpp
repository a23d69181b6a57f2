// PredictionListModel: the saved predictions newest first, the most likely class with its
// probability, the model in words, and a tooltip with the path, the model and every class.
#include "models/prediction_list_model.h"
#include "models/probability_model.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QTest>

using namespace fmc::ui;

class TestPredictionListModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }
    void newestFirstWithTheModelInWords();
    void emptyAndReset();
};

namespace {
PredictionRecord prediction(const QString& path, const QString& version, const QString& description,
                            const QVector<double>& probabilities, int minutesAgo) {
    PredictionRecord record;
    record.imagePath = path;
    record.modelVersion = version;
    record.modelDescription = description;
    record.classNames = {QStringLiteral("melanoma"), QStringLiteral("nevus"), QStringLiteral("keratosis")};
    record.probabilities = probabilities;
    record.madeAt = QDateTime::currentDateTime().addSecs(-60 * minutesAgo);
    return record;
}
}  // namespace

void TestPredictionListModel::newestFirstWithTheModelInWords() {
    PredictionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto untrained = prediction(QStringLiteral("/images/a.jpg"), {},
                                      QStringLiteral("zero-shot shared FAM, bundle 0123456789ab"), {0.2, 0.5, 0.3}, 10);
    auto trained = prediction(QStringLiteral("/images/sub/b.dcm"), QStringLiteral("4"),
                              QStringLiteral("model version 4 (local-checkpoint, round 12, bundle 0123456789ab)"),
                              {0.9, 0.05, 0.05}, 1);
    trained.calibrated = true;
    trained.predictionSet = {QStringLiteral("melanoma"), QStringLiteral("nevus")};
    trained.coverage = 0.9;
    trained.outOfDistribution = true;
    trained.outOfDistributionReasons = {QStringLiteral("modality CT, expected photo")};
    trained.branchDisagreement = true;
    model.setPredictions({untrained, trained});  // oldest first, as the workspace returns them
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(PredictionListModel::ColumnCount));
    QCOMPARE(model.index(0, PredictionListModel::ImageColumn).data().toString(), QStringLiteral("b.dcm"));
    QCOMPARE(model.index(0, PredictionListModel::PredictionColumn).data().toString(),
             QStringLiteral("melanoma (%1)").arg(ProbabilityModel::formatPercent(0.9)));
    QCOMPARE(model.index(0, PredictionListModel::ChecksColumn).data().toString(),
             QStringLiteral("not like the training images; %1 set: melanoma, nevus; FAM and MLP disagree")
                 .arg(ProbabilityModel::formatPercent(0.9)));
    QVERIFY(model.index(0, 0).data(Qt::ToolTipRole).toString().contains(
        QStringLiteral("Out of distribution: modality CT, expected photo")));
    QCOMPARE(model.index(0, PredictionListModel::ModelColumn).data().toString(), trained.modelDescription);
    // Not calibrated: the number is called a raw score wherever it is shown.
    QCOMPARE(model.index(1, PredictionListModel::PredictionColumn).data().toString(),
             QStringLiteral("nevus (raw score %1, not calibrated)").arg(ProbabilityModel::formatPercent(0.5)));
    QCOMPARE(model.index(1, PredictionListModel::ChecksColumn).data().toString(), QStringLiteral("no prediction set"));
    QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Raw scores, not calibrated.")));
    QCOMPARE(model.index(1, PredictionListModel::ModelColumn).data().toString(), untrained.modelDescription);
    QCOMPARE(model.index(1, PredictionListModel::SavedColumn).data().toString(),
             QLocale().toString(untrained.madeAt, QLocale::ShortFormat));
    QCOMPARE(model.prediction(1).modelVersion, QString());
    // The tooltip says it all, on every column.
    for (int column = 0; column < model.columnCount(); ++column) {
        const auto tooltip = model.index(1, column).data(Qt::ToolTipRole).toString();
        QVERIFY2(tooltip.contains(QStringLiteral("/images/a.jpg")) && tooltip.contains(untrained.modelDescription) &&
                     tooltip.contains(QStringLiteral("keratosis: ") + ProbabilityModel::formatPercent(0.3)),
                 qPrintable(tooltip));
    }
    QCOMPARE(model.headerData(PredictionListModel::ModelColumn, Qt::Horizontal).toString(), QStringLiteral("Model"));
}

void TestPredictionListModel::emptyAndReset() {
    PredictionListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    auto record = prediction(QStringLiteral("/x.png"), {}, QStringLiteral("zero-shot shared FAM"), {}, 0);
    model.setPredictions({record});
    QCOMPARE(model.index(0, PredictionListModel::PredictionColumn).data().toString(), QString());  // no probabilities
    model.setPredictions({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestPredictionListModel)
#include "tst_predictionlistmodel.moc"
