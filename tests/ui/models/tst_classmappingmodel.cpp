// ClassMappingModel: local labels -> federation classes, pre-filled by name.
#include "models/class_mapping_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace fmc::ui;

class TestClassMappingModel : public QObject {
    Q_OBJECT
private slots:
    void matchingNamesAreMappedAndOthersAreNot();
    void editingValidatesTheChoice();
    void aPreviousMappingIsKept();
};

namespace {
const QStringList kClasses{QStringLiteral("Melanoma"), QStringLiteral("Nevus"), QStringLiteral("Keratosis")};
const QMap<QString, int> kCounts{{QStringLiteral("melanoma"), 12}, {QStringLiteral("mole"), 30}, {QStringLiteral("other"), 4}};
}  // namespace

void TestClassMappingModel::matchingNamesAreMappedAndOthersAreNot() {
    ClassMappingModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLabels(kCounts, kClasses);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.mapping().value(QStringLiteral("melanoma")), QStringLiteral("Melanoma"));
    QCOMPARE(model.mapping().value(QStringLiteral("mole")), QString());
    QCOMPARE(model.index(1, ClassMappingModel::FederationClassColumn).data().toString(), model.tr("(not used)"));
    QCOMPARE(model.index(1, ClassMappingModel::ImagesColumn).data().toInt(), 30);
    QCOMPARE(model.index(0, ClassMappingModel::FederationClassColumn).data(ClassMappingModel::ChoicesRole).toStringList(), kClasses);
    QCOMPARE(model.coveredClasses(), QStringList{QStringLiteral("Melanoma")});
}

void TestClassMappingModel::editingValidatesTheChoice() {
    ClassMappingModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setLabels(kCounts, kClasses);
    QSignalSpy changed(&model, &ClassMappingModel::mappingChanged);
    const auto mole = model.index(1, ClassMappingModel::FederationClassColumn);
    QVERIFY(model.flags(mole) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(1, ClassMappingModel::LocalLabelColumn)) & Qt::ItemIsEditable));
    QVERIFY(model.setData(mole, QStringLiteral("Nevus")));
    QVERIFY(!model.setData(mole, QStringLiteral("Not a federation class")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.coveredClasses(), (QStringList{QStringLiteral("Melanoma"), QStringLiteral("Nevus")}));
    QCOMPARE(model.imagesPerClass().value(QStringLiteral("Nevus")), 30);
    QVERIFY(model.setData(model.index(2, ClassMappingModel::FederationClassColumn), QStringLiteral("Nevus")));
    QCOMPARE(model.imagesPerClass().value(QStringLiteral("Nevus")), 34);
    QVERIFY(model.setData(mole, QString()));
    QCOMPARE(model.imagesPerClass().value(QStringLiteral("Nevus")), 4);
}

void TestClassMappingModel::aPreviousMappingIsKept() {
    ClassMappingModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // "melanoma" was deliberately left out before; "mole" meant Nevus; a stale class is dropped.
    model.setLabels(kCounts, kClasses,
                    {{QStringLiteral("melanoma"), QString()}, {QStringLiteral("mole"), QStringLiteral("Nevus")},
                     {QStringLiteral("other"), QStringLiteral("Removed class")}});
    QCOMPARE(model.mapping().value(QStringLiteral("melanoma")), QString());
    QCOMPARE(model.mapping().value(QStringLiteral("mole")), QStringLiteral("Nevus"));
    QCOMPARE(model.mapping().value(QStringLiteral("other")), QString());
}

QTEST_GUILESS_MAIN(TestClassMappingModel)
#include "tst_classmappingmodel.moc"
