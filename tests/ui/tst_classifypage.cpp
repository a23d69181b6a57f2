// ClassifyPage with a real (random-weight) demo bundle, a site model trained on real
// dermoscopy images from ../shared/data, and a real image: the bars add up to 100 % and
// are exactly the engine's probabilities, in every view; saving stores them.
#include "classify_page.h"
#include "image_view.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "probability_model.h"
#include "site_training.h"
#include "task_runner.h"
#include "ui_test_support.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestClassifyPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void barsSumToOneHundredAndMatchTheEngine();
    void viewsShowEachBranch();
    void secondImageIsQuick();
    void savedPredictionHasTheProbabilities();
    void brokenFileReportsThePath();
    void dicomImagesGetADisplayWindow();

private:
    QString dataDir() const { return QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9"); }
    QString testImage() const { return dataDir() + QStringLiteral("/Test/melanoma/ISIC_0000002.jpg"); }
    QVector<double> rows(const ProbabilityModel& model) const;
    fmc::SitePrediction engineView(const QString& imagePath) const;

    QTemporaryDir dir_;
    std::unique_ptr<FolderWorkspace> workspace_;
    QString bundle_;
    const QStringList classes_{QStringLiteral("melanoma"), QStringLiteral("nevus"), QStringLiteral("vascular lesion")};
};

void TestClassifyPage::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    if (!QFileInfo::exists(dataDir()))
        QSKIP("../shared/data/dermoscopy-isic9 is not present (a clone without the shared data)");
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    workspace_ = FolderWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    workspace_->setBundleDirectory(bundle_);
    workspace_->setClassNames(classes_);
    ImportRequest request;
    for (const auto& name : classes_) {
        // The first 12 training images of each class, imported with their folder as label.
        QStringList files;
        QDirIterator it(dataDir() + QStringLiteral("/Train/") + name, {QStringLiteral("*.jpg")}, QDir::Files);
        while (it.hasNext()) files << it.next();
        files.sort();
        request.paths << files.mid(0, 12);
    }
    const auto report = workspace_->importImages(request, {}, {}, nullptr);
    QCOMPARE(report.imported, 36);
    // Files imported one by one carry no folder label: label them as a person would.
    for (const auto& image : workspace_->images())
        workspace_->setLabel(image.id, QFileInfo(image.path).dir().dirName());
    TaskRunner runner;
    QSignalSpy trained(&runner, &TaskRunner::succeeded);
    QSignalSpy failed(&runner, &TaskRunner::failed);
    TrainingConfig config;
    config.bundleDirectory = bundle_;
    config.rounds = 3;
    runner.start(QStringLiteral("train"), [&](TaskContext& context) {
        return QVariant::fromValue(workspace_->trainLocally(config, context));
    });
    QTRY_VERIFY_WITH_TIMEOUT(trained.count() + failed.count() == 1, 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    QVERIFY(!workspace_->siteModelVersion().isEmpty());
}

QVector<double> TestClassifyPage::rows(const ProbabilityModel& model) const {
    // Back into class order, from the sorted rows.
    QVector<double> values(model.rowCount());
    for (int row = 0; row < model.rowCount(); ++row)
        values[model.index(row, 0).data(ProbabilityModel::ClassIndexRole).toInt()] =
            model.index(row, 1).data(ProbabilityModel::ProbabilityRole).toDouble();
    return values;
}

fmc::SitePrediction TestClassifyPage::engineView(const QString& imagePath) const {
    auto bundle = fmc::ModelBundle::load(bundle_.toStdString());
    fmc::FedMedClipSite site(classTextFeatures(bundle, classes_, kDefaultPromptTemplate),
                             static_cast<float>(bundle.manifest().logitScale), fmc::FedMedClipOptions{}, kModelSeed);
    site.setFullState(workspace_->siteModel());
    std::vector<float> input;
    fmc::imageToTensor(fmc::loadImageFile(imagePath.toStdString()), preprocessingFor(bundle.manifest()), input);
    return site.predict(bundle.encodeImages(input.data(), 1));
}

void TestClassifyPage::barsSumToOneHundredAndMatchTheEngine() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto& model = *page.probabilityModel();
    QCOMPARE(model.rowCount(), classes_.size());
    double total = 0, shownPercent = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        total += model.index(row, 1).data(ProbabilityModel::ProbabilityRole).toDouble();
        auto text = model.index(row, 1).data().toString();
        text.remove(QStringLiteral("\u00a0%"));
        shownPercent += QLocale().toDouble(text);
        if (row > 0)
            QVERIFY(model.index(row - 1, 1).data(ProbabilityModel::ProbabilityRole).toDouble() >=
                    model.index(row, 1).data(ProbabilityModel::ProbabilityRole).toDouble());
    }
    QVERIFY2(std::abs(total - 1.0) < 1e-5, qPrintable(QString::number(total, 'g', 10)));
    // Each shown value is rounded to 0.1 %.
    QVERIFY2(std::abs(shownPercent - 100.0) <= 0.05 * classes_.size(), qPrintable(QString::number(shownPercent)));

    const auto engine = engineView(testImage());
    const auto shown = rows(model);
    for (int c = 0; c < classes_.size(); ++c) QVERIFY(std::abs(shown[c] - engine.ensemble.at(0, c)) < 1e-5);
    const auto& result = page.lastOutcome().result;
    QCOMPARE(result.topClass, engine.predictedClass().front());
    QCOMPARE(model.index(0, 1).data(ProbabilityModel::ClassIndexRole).toInt(), result.topClass);
    QCOMPARE(result.uncertain, normalizedEntropy(result.ensemble) >= kUncertainNormalizedEntropy);
    QVERIFY(result.demoModel);
    QCOMPARE(result.modelVersion, workspace_->siteModelVersion());
}

void TestClassifyPage::viewsShowEachBranch() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto engine = engineView(testImage());
    auto* choice = page.findChild<QComboBox*>(QStringLiteral("viewChoice"));
    QVERIFY(choice);
    choice->setCurrentIndex(choice->findData(int(ProbabilityModel::View::FamOnly)));
    auto shown = rows(*page.probabilityModel());
    for (int c = 0; c < classes_.size(); ++c) QVERIFY(std::abs(shown[c] - engine.famOnly.at(0, c)) < 1e-5);
    choice->setCurrentIndex(choice->findData(int(ProbabilityModel::View::MlpOnly)));
    shown = rows(*page.probabilityModel());
    for (int c = 0; c < classes_.size(); ++c) QVERIFY(std::abs(shown[c] - engine.mlpOnly.at(0, c)) < 1e-5);
}

void TestClassifyPage::secondImageIsQuick() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    page.classifyFile(dataDir() + QStringLiteral("/Test/nevus/") +
                      QDir(dataDir() + QStringLiteral("/Test/nevus")).entryList({QStringLiteral("*.jpg")}).first());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 2, 10000);
    qInfo("second image: %.1f ms from request to bars (model %.1f ms)", page.lastLatencyMs(),
          page.lastOutcome().result.milliseconds);
    // "A fraction of a second after the first load", on the CPU.
    QVERIFY2(page.lastLatencyMs() < 500, qPrintable(QString::number(page.lastLatencyMs())));
}

void TestClassifyPage::savedPredictionHasTheProbabilities() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    const auto image = workspace_->images().first();
    page.classifyFile(image.path, image.id);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const int before = workspace_->predictions().size();
    QVERIFY(page.savePrediction());
    const auto predictions = workspace_->predictions();
    QCOMPARE(predictions.size(), before + 1);
    QCOMPARE(predictions.last().imageId, image.id);
    QCOMPARE(predictions.last().classNames, classes_);
    QCOMPARE(predictions.last().probabilities, page.lastOutcome().result.ensemble);
    QCOMPARE(predictions.last().modelVersion, workspace_->siteModelVersion());
}

void TestClassifyPage::brokenFileReportsThePath() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy failed(&page, &ClassifyPage::classificationFailed);
    const auto broken = dir_.filePath(QStringLiteral("broken.jpg"));
    writeBytes(broken, "\xff\xd8\xff\xe0 truncated");
    page.classifyFile(broken);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
    QVERIFY2(failed.first().first().toString().contains(broken), qPrintable(failed.first().first().toString()));
}

void TestClassifyPage::dicomImagesGetADisplayWindow() {
#ifndef FMC_HAVE_DICOM
    QSKIP("this build has no DICOM component");
#else
    const auto ct = QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/pydicom-test-files/CT_small.dcm");
    if (!QFileInfo::exists(ct)) QSKIP("../shared/data/dicom is not present");
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    page.show();
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(ct);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto& outcome = page.lastOutcome();
    QVERIFY(outcome.dicom);
    QVERIFY(outcome.fileWindow.isValid());
    auto* center = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowCenter"));
    auto* width = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowWidth"));
    QVERIFY(center && width && center->isVisible());
    QCOMPARE(center->value(), std::round(outcome.fileWindow.center));
    auto* view = page.findChild<ImageView*>(QStringLiteral("classifyImage"));
    const QImage shownBefore = view->image();
    const QImage modelInput = outcome.image;
    width->setValue(outcome.fileWindow.width / 4);
    QVERIFY(view->image() != shownBefore);
    // The model's input stays the file's own rendering, whatever the display shows.
    QCOMPARE(page.lastOutcome().image, modelInput);
#endif
}

QTEST_MAIN(TestClassifyPage)
#include "tst_classifypage.moc"
