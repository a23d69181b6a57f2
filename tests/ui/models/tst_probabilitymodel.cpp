// ProbabilityModel: one row per class, most likely first, for each of the three views.
#include "models/probability_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace fmc::ui;

class TestProbabilityModel : public QObject {
    Q_OBJECT
private slots:
    void rowsAreSortedWithTheTopClassFirst();
    void viewsSwitchAndAMissingViewFallsBack();
    void percentagesAddUpToOneHundred();
    void predictionSetAndCautionFollowTheView();
};

namespace {
ClassificationResult sample(bool withMlp = true) {
    ClassificationResult result;
    result.classNames = {QStringLiteral("nevus"), QStringLiteral("melanoma"), QStringLiteral("keratosis")};
    result.ensemble = {0.2, 0.7, 0.1};
    result.famOnly = {0.5, 0.2, 0.3};
    if (withMlp) result.mlpOnly = {0.05, 0.05, 0.9};
    result.topClass = 1;
    return result;
}

QStringList classOrder(const ProbabilityModel& model) {
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row) names << model.index(row, 0).data().toString();
    return names;
}
}  // namespace

void TestProbabilityModel::rowsAreSortedWithTheTopClassFirst() {
    ProbabilityModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setResult(sample());
    QCOMPARE(classOrder(model), (QStringList{"melanoma", "nevus", "keratosis"}));
    QVERIFY(model.index(0, 1).data(ProbabilityModel::TopClassRole).toBool());
    QVERIFY(!model.index(1, 1).data(ProbabilityModel::TopClassRole).toBool());
    QCOMPARE(model.index(0, 1).data(ProbabilityModel::ProbabilityRole).toDouble(), 0.7);
    QCOMPARE(model.index(0, 1).data(ProbabilityModel::ClassIndexRole).toInt(), 1);
    QVERIFY(model.index(0, 0).data(Qt::FontRole).value<QFont>().bold());
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestProbabilityModel::viewsSwitchAndAMissingViewFallsBack() {
    ProbabilityModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setResult(sample());
    model.setView(ProbabilityModel::View::FamOnly);
    QCOMPARE(classOrder(model), (QStringList{"nevus", "keratosis", "melanoma"}));
    model.setView(ProbabilityModel::View::MlpOnly);
    QCOMPARE(classOrder(model), (QStringList{"keratosis", "nevus", "melanoma"}));  // ties keep class order
    // An untrained model has no MLP view: the ensemble is shown.
    model.setResult(sample(false));
    QVERIFY(!model.hasView(ProbabilityModel::View::MlpOnly));
    QCOMPARE(model.view(), ProbabilityModel::View::Ensemble);
    QCOMPARE(classOrder(model).first(), QStringLiteral("melanoma"));
}

void TestProbabilityModel::percentagesAddUpToOneHundred() {
    ProbabilityModel model;
    model.setResult(sample());
    double total = 0;
    for (int row = 0; row < model.rowCount(); ++row) total += model.index(row, 1).data(ProbabilityModel::ProbabilityRole).toDouble();
    QCOMPARE(total, 1.0);
    QLocale::setDefault(QLocale::c());
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("70.0\u00a0%"));
    QCOMPARE(ProbabilityModel::formatPercent(0.0004), QStringLiteral("0.0\u00a0%"));
}

// Each view has its own set; caution is the page's verdict and reaches every row.
void TestProbabilityModel::predictionSetAndCautionFollowTheView() {
    ProbabilityModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto result = sample();
    result.ensembleSet = {1, 0};
    result.famOnlySet = {0};
    model.setResult(result);
    QCOMPARE(model.predictionSet(), (QVector<int>{1, 0}));
    QVERIFY(model.index(0, 1).data(ProbabilityModel::InPredictionSetRole).toBool());   // melanoma
    QVERIFY(model.index(1, 1).data(ProbabilityModel::InPredictionSetRole).toBool());   // nevus
    QVERIFY(!model.index(2, 1).data(ProbabilityModel::InPredictionSetRole).toBool());  // keratosis
    model.setView(ProbabilityModel::View::FamOnly);
    QCOMPARE(model.predictionSet(), (QVector<int>{0}));
    QVERIFY(model.index(0, 1).data(ProbabilityModel::InPredictionSetRole).toBool());  // nevus first now
    QVERIFY(!model.index(1, 1).data(ProbabilityModel::InPredictionSetRole).toBool());
    model.setView(ProbabilityModel::View::MlpOnly);
    QVERIFY(model.predictionSet().isEmpty());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(!model.index(0, 1).data(ProbabilityModel::CautionRole).toBool());
    model.setCaution(true);
    QCOMPARE(changed.count(), 1);
    for (int row = 0; row < model.rowCount(); ++row)
        QVERIFY(model.index(row, 1).data(ProbabilityModel::CautionRole).toBool());
    model.setCaution(true);
    QCOMPARE(changed.count(), 1);  // no change, no signal
}

QTEST_MAIN(TestProbabilityModel)
#include "tst_probabilitymodel.moc"
