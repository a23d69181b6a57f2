// ClassifyPage with a real (random-weight) demo bundle, a site model trained on real
// dermoscopy images from ../shared/data, and a real image: the bars add up to 100 % and
// are exactly the engine's probabilities, in every view; saving stores them with the model
// in words (also for the untrained zero-shot model) and lists them; a DICOM CT gets an exact
// display window from its modality values.
#include "pages/classify_page.h"
#include "widgets/image_view.h"
#include "shell/app_settings.h"
#include "engine/fedmedclip_site.h"
#include "engine/model_bundle.h"
#include "models/prediction_list_model.h"
#include "models/probability_model.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"
#include "ui_test_support.h"
#include "dicom/dicom_reader.h"
#include "site/prediction_details.h"
#include "site/site_workspace.h"
#include "workspace/site_store_workspace.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDirIterator>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <QDialog>

#include <cmath>
#include <set>

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
    void untrainedModelPredictionIsSavedWithItsDescription();
    void brokenFileReportsThePath();
    void aLongFileNameFitsASmallWindow();
    void dicomWindowRevealsWhatTheFileWindowClipped();
    void dicomWindowWithoutPresetsForOtherModalities();
    void dicomOverlayStaysInOtherWindows();
    void rightDragAndTheWindowBoxesAreOneWindow();
    void aDicomWithoutExtensionIsShownWithoutABundle();
    void headlineIsGreenOnlyForAResultToRelyOn_data();
    void headlineIsGreenOnlyForAResultToRelyOn();
    void uncertaintyAndSetFollowTheView();
    void calibratedSiteFlagsADicomCtAndShowsTheModelCard();
    void notCalibratedSaysWhyAndIsNeverGreen_data();
    void notCalibratedSaysWhyAndIsNeverGreen();
    void aSiteWithoutValidationImagesShowsAndSavesRawScores();

private:
    QString dataDir() const { return QStringLiteral(FMC_SHARED_DATA_DIR "/dermoscopy-isic9"); }
    QString testImage() const { return dataDir() + QStringLiteral("/Test/melanoma/ISIC_0000002.jpg"); }
    // The first `perClass` training images of each class, in file-name order.
    QStringList firstTrainingImages(int perClass) const {
        QStringList paths;
        for (const auto& name : classes_) {
            QStringList files;
            QDirIterator it(dataDir() + QStringLiteral("/Train/") + name, {QStringLiteral("*.jpg")}, QDir::Files);
            while (it.hasNext()) files << it.next();
            files.sort();
            paths << files.mid(0, perClass);
        }
        return paths;
    }
    QString dicomFile(const QString& relative) const {
        return QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/") + relative;
    }
    QString bundleHash() const {
        return QString::fromStdString(
            fmc::readManifestFile((bundle_ + QStringLiteral("/manifest.json")).toStdString()).bundleHash);
    }
    QVector<double> rows(const ProbabilityModel& model) const;
    // The page with the application's style sheet, so colours are the ones users see.
    static void applyAppStyle(QWidget& page);
    static bool looksGreen(const QColor& color) {
        return color.green() > color.red() + 30 && color.green() > color.blue() + 20;
    }
    static QLabel* visibleLabel(const QWidget& page, const QString& objectName);
    fmc::SitePrediction engineView(const QString& imagePath) const;

    QTemporaryDir dir_;
    std::unique_ptr<SiteStoreWorkspace> workspace_;
    int keptRound_ = 0;  // the round of the model the fixture's training kept
    QString bundle_;
    const QStringList classes_{QStringLiteral("melanoma"), QStringLiteral("nevus"), QStringLiteral("vascular lesion")};
};

void TestClassifyPage::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    if (!QFileInfo::exists(dataDir()))
        QSKIP("../shared/data/dermoscopy-isic9 is not present (a clone without the shared data)");
    bundle_ = makeTinyBundle(dir_.filePath(QStringLiteral("bundle")));
    workspace_ = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("ws")));
    workspace_->setBundleDirectory(bundle_);
    workspace_->setClassNames(classes_);
    ImportRequest request;
    // The first 12 training images of each class, imported with their folder as label.
    request.paths = firstTrainingImages(12);
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
    keptRound_ = trained.first().first().value<TrainingOutcome>().bestRound;
}

void TestClassifyPage::applyAppStyle(QWidget& page) {
    QFile style(QStringLiteral(FMC_SOURCE_DIR "/resources/ui/style.qss"));
    QVERIFY(style.open(QIODevice::ReadOnly));
    page.setStyleSheet(QString::fromUtf8(style.readAll()));
}

QLabel* TestClassifyPage::visibleLabel(const QWidget& page, const QString& objectName) {
    for (auto* label : page.findChildren<QLabel*>(objectName))
        if (label->isVisible() && !label->text().isEmpty()) return label;
    return nullptr;
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
    auto prediction = site.predict(bundle.encodeImages(input.data(), 1));
    // What the page shows: each view at the temperature stored with the model version.
    if (const auto calibration = workspace_->siteModelCalibration()) {
        prediction.ensemble = fmc::applyTemperature(prediction.ensemble, calibration->ensemble.temperature.temperature);
        prediction.famOnly = fmc::applyTemperature(prediction.famOnly, calibration->famOnly.temperature.temperature);
        prediction.mlpOnly = fmc::applyTemperature(prediction.mlpOnly, calibration->mlpOnly.temperature.temperature);
    }
    return prediction;
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
}

void TestClassifyPage::savedPredictionHasTheProbabilities() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QAbstractItemModelTester tester(page.savedPredictions(), QAbstractItemModelTester::FailureReportingMode::QtTest);
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
    // The site store describes the model version with its kind, round and bundle.
    QCOMPARE(predictions.last().modelDescription,
             QStringLiteral("model version %1 (local-checkpoint, round %2, bundle %3)")
                 .arg(workspace_->siteModelVersion())
                 .arg(keptRound_)
                 .arg(bundleHash().left(12)));
    // The list shows it first, with the model in words.
    const auto* saved = page.savedPredictions();
    QCOMPARE(saved->rowCount(), before + 1);
    QCOMPARE(saved->index(0, PredictionListModel::ImageColumn).data().toString(), QFileInfo(image.path).fileName());
    QCOMPARE(saved->index(0, PredictionListModel::ModelColumn).data().toString(), predictions.last().modelDescription);
    QCOMPARE(page.findChild<QTableView*>(QStringLiteral("savedPredictions"))->model(), saved);
}

// A site that has not trained predicts with the zero-shot shared FAM; its predictions are
// saved in the site store too, described with the bundle they came from.
void TestClassifyPage::untrainedModelPredictionIsSavedWithItsDescription() {
    auto store = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("untrained-store")));
    store->setBundleDirectory(bundle_);
    store->setClassNames(classes_);
    ClassifyPage page;
    page.setWorkspace(store.get());
    QAbstractItemModelTester tester(page.savedPredictions(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    QVERIFY(page.lastOutcome().result.modelVersion.isEmpty());
    QVERIFY(page.lastOutcome().result.mlpOnly.isEmpty());
    QVERIFY(page.savePrediction());
    const auto predictions = store->predictions();
    QCOMPARE(predictions.size(), 1);
    const auto expected = QStringLiteral("zero-shot shared FAM, bundle %1").arg(bundleHash().left(12));
    QCOMPARE(predictions.first().modelDescription, expected);
    QVERIFY(predictions.first().modelVersion.isEmpty());
    QCOMPARE(predictions.first().probabilities, page.lastOutcome().result.ensemble);
    // Reopened, the store still says which model it was.
    QCOMPARE(SiteStoreWorkspace::open(store->rootPath())->predictions().first().modelDescription, expected);
    const auto* saved = page.savedPredictions();
    QCOMPARE(saved->rowCount(), 1);
    QCOMPARE(saved->index(0, PredictionListModel::ModelColumn).data().toString(), expected);
    const auto tooltip = saved->index(0, PredictionListModel::PredictionColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tooltip.contains(expected) && tooltip.contains(testImage()), qPrintable(tooltip));
    page.setWorkspace(nullptr);
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

// A clinician's half-screen window leaves the page about 600 px beside the navigation: the
// caption under the image never widens the page past it (a scroll bar would hide the
// probabilities), even a file name with nowhere to break.
void TestClassifyPage::aLongFileNameFitsASmallWindow() {
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    // Named as PACS exports name files, by a UID: nowhere to break the line.
    const auto longName = dir_.filePath(QStringLiteral("1.2.826.0.1.3680043.8.498.10254399218713385924077123") +
                                        QStringLiteral("45097834119.jpg"));
    QVERIFY(QFile::copy(testImage(), longName));
    page.classifyFile(longName);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const QLabel* caption = nullptr;
    for (const auto* label : page.findChildren<QLabel*>())
        if (label->text().contains(QFileInfo(longName).fileName())) caption = label;
    QVERIFY(caption);
    QVERIFY2(caption->toolTip().contains(QFileInfo(longName).fileName()), qPrintable(caption->toolTip()));
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QVERIFY2(page.minimumSizeHint().width() <= 600, qPrintable(QString::number(page.minimumSizeHint().width())));
}

// A CT whose own window (40 / 100 HU) clips most of the body: the page re-renders the file's
// modality values, so a wider window shows differences among pixels the file rendering made
// black or white; the reset shows the file rendering again, byte for byte; the model's input
// never changes.
void TestClassifyPage::dicomWindowRevealsWhatTheFileWindowClipped() {
    const auto ct = dicomFile(QStringLiteral("pylibjpeg-ds/JPEG2000/693_J2KI.dcm"));
    if (!QFileInfo::exists(ct)) QSKIP("../shared/data/dicom is not present");
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    page.show();
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(ct);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto outcome = page.lastOutcome();
    QVERIFY(outcome.dicom);
    QCOMPARE(outcome.dicomModality, QStringLiteral("CT"));
    QVERIFY(outcome.modalityFrame);
    const auto& frame = *outcome.modalityFrame;
    QCOMPARE(frame.width * frame.height, 512 * 512);
    const QImage fileRendering = outcome.image;
    QCOMPARE(page.displayedImage(), fileRendering);

    auto* center = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowCenter"));
    auto* width = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowWidth"));
    QVERIFY(center && width && center->isVisible());
    QCOMPARE(center->value(), std::round(frame.windowCenter));
    QCOMPARE(width->value(), std::round(frame.windowWidth));
    const auto range = page.findChild<QLabel*>(QStringLiteral("windowRange"))->text();
    QVERIFY2(range.contains(QLocale().toString(frame.minimum, 'f', 0)) &&
                 range.contains(QLocale().toString(frame.maximum, 'f', 0)) && range.contains(QStringLiteral("HU")),
             qPrintable(range));
    QVERIFY(page.findChild<QGroupBox*>(QStringLiteral("windowBox"))
                ->findChild<QLabel*>(QStringLiteral("hint"))
                ->text()
                .contains(QStringLiteral("file's own rendering")));
    QVERIFY(page.findChild<QPushButton*>(QStringLiteral("presetLung"))->isVisible());

    // Wider than the file's window: values it clipped to black or white differ again.
    page.findChild<QPushButton*>(QStringLiteral("windowWholeRange"))->click();
    QCOMPARE(width->value(), frame.maximum - frame.minimum + 1);
    const QImage wide = page.displayedImage().convertToFormat(QImage::Format_RGB888);
    const QImage file = fileRendering.convertToFormat(QImage::Format_RGB888);
    QCOMPARE(wide.size(), file.size());
    std::set<int> underBlack, overWhite;
    int black = 0, white = 0;
    for (int y = 0; y < file.height(); ++y)
        for (int x = 0; x < file.width(); ++x) {
            const int before = qRed(file.pixel(x, y)), after = qRed(wide.pixel(x, y));
            if (before == 0) ++black, underBlack.insert(after);
            if (before == 255) ++white, overWhite.insert(after);
        }
    qInfo(
        "file window %.0f / %.0f: %d black and %d white pixels; whole range %.0f..%.0f: %zu and %zu grey levels there",
        frame.windowCenter, frame.windowWidth, black, white, frame.minimum, frame.maximum, underBlack.size(),
        overWhite.size());
    QVERIFY(black > 1000 && white > 1000);
    QVERIFY(underBlack.size() > 10 && overWhite.size() > 10);

    // A preset, then spin box steps: each re-render is timed on the GUI thread.
    page.findChild<QPushButton*>(QStringLiteral("presetLung"))->click();
    QCOMPARE(center->value(), -600.0);
    QCOMPARE(width->value(), 1500.0);
    QVERIFY(page.displayedImage() != wide);
    double slowest = 0, total = 0;
    constexpr int kSteps = 20;
    for (int i = 0; i < kSteps; ++i) {
        const QImage before = page.displayedImage();
        width->stepUp();
        QCoreApplication::processEvents();  // the coalescing zero-timer renders
        QVERIFY(page.displayedImage() != before);
        slowest = std::max(slowest, page.lastWindowRenderMs());
        total += page.lastWindowRenderMs();
    }
    qInfo("512 x 512 CT re-window on the GUI thread: %.2f ms mean, %.2f ms slowest of %d", total / kSteps, slowest,
          kSteps);
    QCOMPARE(width->value(), 1500 + kSteps * width->singleStep());

    // Back to the file's window: the file rendering exactly.
    page.findChild<QPushButton*>(QStringLiteral("windowReset"))->click();
    QCOMPARE(page.displayedImage(), fileRendering);
    QCOMPARE(center->value(), std::round(frame.windowCenter));
    // The model's input stays the file's own rendering, whatever the display shows.
    QCOMPARE(page.lastOutcome().image, fileRendering);
    QCOMPARE(page.lastOutcome().result.ensemble, outcome.result.ensemble);
}

// MR: the window works on its own values, without the CT presets or Hounsfield units; a
// photo has no window.
void TestClassifyPage::dicomWindowWithoutPresetsForOtherModalities() {
    const auto mr = dicomFile(QStringLiteral("pydicom-test-files/MR_small.dcm"));
    if (!QFileInfo::exists(mr)) QSKIP("../shared/data/dicom is not present");
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    page.show();
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(mr);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    QCOMPARE(page.lastOutcome().dicomModality, QStringLiteral("MR"));
    auto* box = page.findChild<QGroupBox*>(QStringLiteral("windowBox"));
    QVERIFY(box->isVisible());
    QVERIFY(!page.findChild<QPushButton*>(QStringLiteral("presetLung"))->isVisible());
    QVERIFY(!page.findChild<QLabel*>(QStringLiteral("windowRange"))->text().contains(QStringLiteral("HU")));
    const QImage fileRendering = page.displayedImage();
    auto* width = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowWidth"));
    width->setValue(width->value() / 4);
    QTRY_VERIFY(page.displayedImage() != fileRendering);
    page.resetDisplayWindow();
    QCOMPARE(page.displayedImage(), fileRendering);

    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 2, 60000);
    QVERIFY(!page.lastOutcome().modalityFrame);
    QVERIFY(!box->isVisible());
}

// A file with an annotation overlay plane: the annotation the file rendering shows stays, in
// white, when the user changes the window, while the image under it changes.
void TestClassifyPage::dicomOverlayStaysInOtherWindows() {
    const auto annotated = dicomFile(QStringLiteral("pydicom-test-files/examples_overlay.dcm"));
    if (!QFileInfo::exists(annotated)) QSKIP("../shared/data/dicom is not present");
    ClassifyPage page;
    page.setWorkspace(workspace_.get());
    page.show();
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(annotated);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto outcome = page.lastOutcome();
    QVERIFY(outcome.modalityFrame);
    const auto& frame = *outcome.modalityFrame;
    QVERIFY(!frame.overlay.empty());
    const QImage file = outcome.image.convertToFormat(QImage::Format_RGB888);
    std::vector<bool> annotation(std::size_t(frame.width) * std::size_t(frame.height), false);
    for (const auto& pixel : frame.overlay) {
        QCOMPARE(int(pixel.effect), int(fmc::OverlayPixel::Effect::Replace));
        QCOMPARE(qRed(file.pixel(int(pixel.index) % frame.width, int(pixel.index) / frame.width)), 255);
        annotation[pixel.index] = true;
    }

    page.findChild<QPushButton*>(QStringLiteral("windowWholeRange"))->click();
    const QImage wide = page.displayedImage().convertToFormat(QImage::Format_RGB888);
    QCOMPARE(wide.size(), file.size());
    int changed = 0;
    for (int y = 0; y < wide.height(); ++y)
        for (int x = 0; x < wide.width(); ++x) {
            if (annotation[std::size_t(y) * std::size_t(frame.width) + std::size_t(x)])
                QCOMPARE(wide.pixel(x, y), qRgb(255, 255, 255));
            else if (wide.pixel(x, y) != file.pixel(x, y))
                ++changed;
        }
    qInfo("%zu annotation pixels stay white in the whole-range window; %d of the other pixels changed",
          frame.overlay.size(), changed);
    QVERIFY(changed > wide.width() * wide.height() / 2);
    page.findChild<QPushButton*>(QStringLiteral("windowReset"))->click();
    QCOMPARE(page.displayedImage(), outcome.image);
}

// The right-button drag in the view (as in PACS viewers) and the Center/Width boxes change
// one window: dragging moves the boxes, typing in the boxes re-renders the view.
void TestClassifyPage::rightDragAndTheWindowBoxesAreOneWindow() {
    const auto ct = dicomFile(QStringLiteral("pydicom-test-files/CT_small.dcm"));
    if (!QFileInfo::exists(ct)) QSKIP("../shared/data/dicom is not present");
    ClassifyPage page;
    page.resize(900, 700);
    page.setWorkspace(workspace_.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(ct);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto& frame = *page.lastOutcome().modalityFrame;
    auto* view = page.findChild<ImageView*>(QStringLiteral("classifyImage"));
    auto* center = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowCenter"));
    auto* width = page.findChild<QDoubleSpinBox*>(QStringLiteral("windowWidth"));
    QVERIFY(view && view->canWindow());
    QCOMPARE(center->value(), std::round(view->windowCenter()));
    QCOMPARE(width->value(), std::round(view->windowWidth()));

    // Right button down, 40 px right (wider) and 20 px up (lower centre), as a user drags.
    const QImage before = page.displayedImage();
    const double step = std::max(1.0, (frame.maximum - frame.minimum) / 256.0);
    const double startCenter = view->windowCenter(), startWidth = view->windowWidth();
    const QPoint start = view->rect().center();
    QTest::mousePress(view, Qt::RightButton, {}, start);
    QTest::mouseMove(view, start + QPoint(20, -10));
    QTest::mouseMove(view, start + QPoint(40, -20));
    QTest::mouseRelease(view, Qt::RightButton, {}, start + QPoint(40, -20));
    QCOMPARE(view->windowCenter(), std::round(startCenter - 20 * step));
    QCOMPARE(view->windowWidth(), std::round(startWidth + 40 * step));
    QCOMPARE(center->value(), view->windowCenter());
    QCOMPARE(width->value(), view->windowWidth());
    QVERIFY(page.displayedImage() != before);
    QVERIFY2(view->overlayText(Qt::BottomLeftCorner).join(QLatin1Char(' ')).contains(
                 QStringLiteral("W %1").arg(QLocale().toString(width->value(), 'f', 0))),
             qPrintable(view->overlayText(Qt::BottomLeftCorner).join(QLatin1Char(' '))));

    // Typed into the boxes: the view takes it.
    const QImage dragged = page.displayedImage();
    width->setValue(300);
    center->setValue(40);
    QTRY_COMPARE(view->windowWidth(), 300.0);
    QTRY_COMPARE(view->windowCenter(), 40.0);
    QVERIFY(page.displayedImage() != dragged);
    // A preset goes to both.
    page.findChild<QPushButton*>(QStringLiteral("presetLung"))->click();
    QCOMPARE(view->windowCenter(), -600.0);
    QCOMPARE(center->value(), -600.0);
    QCOMPARE(width->value(), 1500.0);
    // A drag far beyond the boxes' range ends at their limit, in both.
    QTest::mousePress(view, Qt::RightButton, {}, start);
    QTest::mouseMove(view, start + QPoint(-5000, 0));
    QTest::mouseRelease(view, Qt::RightButton, {}, start + QPoint(-5000, 0));
    QCOMPARE(view->windowWidth(), width->value());
    QCOMPARE(width->value(), width->minimum());
    // Back to the file's window: its rendering and its values, in both.
    page.findChild<QPushButton*>(QStringLiteral("windowReset"))->click();
    QCOMPARE(page.displayedImage(), page.lastOutcome().image);
    QCOMPARE(center->value(), std::round(frame.windowCenter));
    QCOMPARE(view->windowCenter(), frame.windowCenter);
}

// No model bundle: nothing classifies, but a DICOM file (here one without an extension,
// recognised by its content) is still shown, and there is no prediction to save.
void TestClassifyPage::aDicomWithoutExtensionIsShownWithoutABundle() {
    const auto source = dicomFile(QStringLiteral("pydicom-test-files/CT_small.dcm"));
    if (!QFileInfo::exists(source)) QSKIP("../shared/data/dicom is not present");
    const auto file = dir_.filePath(QStringLiteral("no-extension/IM000001"));
    QDir().mkpath(QFileInfo(file).absolutePath());
    QVERIFY(QFile::copy(source, file));
    auto bare = SiteStoreWorkspace::create(dir_.filePath(QStringLiteral("no-bundle-ws")));
    const auto savedBundle = AppSettings::bundleDirectory();
    AppSettings::setBundleDirectory({});
    ClassifyPage page;
    page.setWorkspace(bare.get());
    page.show();
    page.classifyFile(file);
    QTRY_VERIFY_WITH_TIMEOUT(!page.displayedImage().isNull(), 30000);
    QCOMPARE(page.displayedImage().size(), QSize(128, 128));
    auto* save = page.findChild<QPushButton*>(QStringLiteral("savePredictionButton"));
    QVERIFY(save);
    QVERIFY(!save->isEnabled());
    AppSettings::setBundleDirectory(savedBundle);
}

namespace {

// A made-up result: a confident ensemble and FAM, an MLP that agrees, no warning of any kind.
ClassifyOutcome confidentOutcome() {
    ClassifyOutcome outcome;
    outcome.path = QStringLiteral("/images/confident.jpg");
    auto& r = outcome.result;
    r.classNames = {QStringLiteral("melanoma"), QStringLiteral("nevus"), QStringLiteral("vascular lesion"),
                    QStringLiteral("dermatofibroma")};
    r.ensemble = {0.97, 0.01, 0.01, 0.01};
    r.famOnly = {0.96, 0.02, 0.01, 0.01};
    r.mlpOnly = {0.98, 0.01, 0.005, 0.005};
    r.ensembleSet = r.famOnlySet = r.mlpOnlySet = {0};
    r.calibrated = true;
    r.coverage = 0.9;
    r.topClass = 0;
    r.normalizedEntropy = normalizedEntropy(r.ensemble);
    r.modelVersion = QStringLiteral("7");
    return outcome;
}

}  // namespace

// Green is kept for a result that may be read: any warning turns the headline and the top bar grey.
void TestClassifyPage::headlineIsGreenOnlyForAResultToRelyOn_data() {
    QTest::addColumn<QString>("warning");
    QTest::addColumn<bool>("green");
    QTest::newRow("nothing to warn about") << QString() << true;
    QTest::newRow("out of distribution (attributes)") << QStringLiteral("mismatch") << false;
    QTest::newRow("out of distribution (features)") << QStringLiteral("novel") << false;
    QTest::newRow("no better than chance") << QStringLiteral("chance") << false;
    QTest::newRow("unsure") << QStringLiteral("unsure") << false;
    QTest::newRow("large prediction set") << QStringLiteral("large set") << false;
    QTest::newRow("not calibrated (raw scores)") << QStringLiteral("uncalibrated") << false;
    QTest::newRow("branches disagree (a caution, not a do-not-rely)") << QStringLiteral("disagree") << true;
}

void TestClassifyPage::headlineIsGreenOnlyForAResultToRelyOn() {
    QFETCH(QString, warning);
    QFETCH(bool, green);
    auto outcome = confidentOutcome();
    auto& r = outcome.result;
    auto card = std::make_shared<fmc::ModelCalibration>();
    card->validation = fmc::SplitFigures{50, 0.26, 0.25, 0.2};
    r.calibration = card;
    if (warning == QLatin1String("mismatch")) {
        r.mismatches = {{"modality", "CT", {"photo"}}};
        r.outOfDistribution = true;
    } else if (warning == QLatin1String("novel")) {
        r.novelFeature = r.outOfDistribution = true;
        r.noveltyScore = 0.4;
        r.noveltyThreshold = 0.1;
        r.noveltyPercentile = 95;
    } else if (warning == QLatin1String("chance")) {
        r.noBetterThanChance = true;
    } else if (warning == QLatin1String("unsure")) {
        r.ensemble = {0.3, 0.25, 0.25, 0.2};
    } else if (warning == QLatin1String("large set")) {
        r.ensembleSet = {0, 1, 2};
    } else if (warning == QLatin1String("uncalibrated")) {
        r.calibrated = false;
        r.ensembleSet = r.famOnlySet = r.mlpOnlySet = {};
        r.coverage = 0;
    } else if (warning == QLatin1String("disagree")) {
        r.mlpOnly = {0.1, 0.85, 0.03, 0.02};
        r.branchDisagreement = true;
    }
    ClassifyPage page;
    applyAppStyle(page);
    page.resize(1100, 700);
    page.show();
    page.showOutcome(outcome);
    auto* headline = visibleLabel(page, green ? QStringLiteral("topClass") : QStringLiteral("topClassCaution"));
    QVERIFY2(headline, "the headline has the wrong style");
    QCOMPARE(looksGreen(headline->palette().color(QPalette::WindowText)), green);
    QCOMPARE(page.resultNeedsCaution(), !green);
    QCOMPARE(page.probabilityModel()->index(0, 1).data(ProbabilityModel::CautionRole).toBool(), !green);
    if (warning == QLatin1String("mismatch") || warning == QLatin1String("novel")) {
        const auto* box = visibleLabel(page, QStringLiteral("outOfDistributionWarning"));
        QVERIFY(box);
        QVERIFY2(box->text().startsWith(QStringLiteral("This image does not look like the images the model was trained on")),
                 qPrintable(box->text()));
        QVERIFY(box->text().contains(warning == QLatin1String("mismatch") ? QStringLiteral("its modality is CT")
                                                                          : QStringLiteral("distance 0.400")));
        // The warning sits above the result it qualifies.
        QVERIFY(box->y() < headline->y());
    } else {
        QVERIFY(!visibleLabel(page, QStringLiteral("outOfDistributionWarning")));
    }
    QCOMPARE(visibleLabel(page, QStringLiteral("chanceWarning")) != nullptr, warning == QLatin1String("chance"));
    const auto* disagreement = visibleLabel(page, QStringLiteral("branchDisagreement"));
    QCOMPARE(disagreement != nullptr, warning == QLatin1String("disagree"));
    if (disagreement)
        QVERIFY2(disagreement->text().contains(QStringLiteral("FAM (shared) says melanoma, the MLP (this site's) says nevus")),
                 qPrintable(disagreement->text()));
    if (warning == QLatin1String("large set"))
        QVERIFY(visibleLabel(page, QStringLiteral("uncertaintyWarning"))->text().contains(QStringLiteral("This set is large")));
}

// Switching Show changes the bars, the uncertainty line, the set and the colours together.
void TestClassifyPage::uncertaintyAndSetFollowTheView() {
    auto outcome = confidentOutcome();
    auto& r = outcome.result;
    r.famOnly = {0.35, 0.3, 0.2, 0.15};
    r.famOnlySet = {0, 1, 2};
    ClassifyPage page;
    applyAppStyle(page);
    page.show();
    page.showOutcome(outcome);
    auto* set = visibleLabel(page, QStringLiteral("predictionSet"));
    QVERIFY(set);
    QCOMPARE(set->text(), QStringLiteral("90 % prediction set: one of: melanoma"));
    QVERIFY(!visibleLabel(page, QStringLiteral("uncertaintyWarning")));
    QVERIFY(visibleLabel(page, QStringLiteral("topClass")));

    auto* choice = page.findChild<QComboBox*>(QStringLiteral("viewChoice"));
    choice->setCurrentIndex(choice->findData(int(ProbabilityModel::View::FamOnly)));
    const auto famEntropy = QLocale().toString(100.0 * normalizedEntropy(r.famOnly), 'f', 0);
    const auto warnings = page.findChildren<QLabel*>(QStringLiteral("uncertaintyWarning"));
    QStringList texts;
    for (auto* label : warnings)
        if (label->isVisible()) texts << label->text();
    QVERIFY2(texts.join('|').contains(QStringLiteral("uncertainty %1 %").arg(famEntropy)), qPrintable(texts.join('|')));
    QVERIFY2(texts.join('|').contains(QStringLiteral("one of: melanoma, nevus, vascular lesion")), qPrintable(texts.join('|')));
    QVERIFY(visibleLabel(page, QStringLiteral("topClassCaution")));

    choice->setCurrentIndex(choice->findData(int(ProbabilityModel::View::MlpOnly)));
    QVERIFY(visibleLabel(page, QStringLiteral("topClass")));
    QVERIFY(!visibleLabel(page, QStringLiteral("uncertaintyWarning")));
}

// End to end: a site store trained on dermoscopy photos (calibrated on its validation
// split) classifies a DICOM CT: flagged before anything else, never green; the model card
// shows the version's figures. The screenshot is kept for a person to look at.
void TestClassifyPage::calibratedSiteFlagsADicomCtAndShowsTheModelCard() {
    const auto folder = dir_.filePath(QStringLiteral("calibrated-store"));
    {
        auto site = fmc::SiteWorkspace::open(folder.toStdString());
        std::vector<std::string> paths;
        for (const auto& file : firstTrainingImages(40)) paths.push_back(file.toStdString());
        fmc::ImportOptions options;
        options.labelSource = fmc::LabelSource::FolderNames;
        site.importPaths(paths, options);
        fmc::LocalTrainingConfig config;
        config.bundleDir = bundle_.toStdString();
        config.rounds = 3;
        const auto trained = site.trainLocal(config);
        QVERIFY(trained.calibration && trained.calibration->ensemble.fitted);
    }
    auto store = SiteStoreWorkspace::open(folder);
    QVERIFY(store->siteModelCalibration());
    ClassifyPage page;
    applyAppStyle(page);
    page.resize(1200, 760);
    page.show();
    page.setWorkspace(store.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    const auto ct = dicomFile(QStringLiteral("pydicom-test-files/CT_small.dcm"));
    page.classifyFile(ct);
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    const auto& result = page.lastOutcome().result;
    QVERIFY(result.calibrated);
    QVERIFY(result.outOfDistribution);
    QCOMPARE(result.mismatches.front().value, std::string("CT"));
    const auto* box = visibleLabel(page, QStringLiteral("outOfDistributionWarning"));
    QVERIFY(box);
    QVERIFY(box->text().contains(QStringLiteral("its modality is CT, the model is for photo (not DICOM)")));
    QVERIFY(box->text().contains(QStringLiteral("it is a grey image, the model is for colour images")));
    QVERIFY(!visibleLabel(page, QStringLiteral("topClass")));
    const auto* headline = visibleLabel(page, QStringLiteral("topClassCaution"));
    QVERIFY(headline);
    QVERIFY(!looksGreen(headline->palette().color(QPalette::WindowText)));
    QVERIFY(visibleLabel(page, QStringLiteral("predictionSet")) || visibleLabel(page, QStringLiteral("uncertaintyWarning")));

    // Saved from the page, the store keeps what the page showed, as the CLI's predict does.
    QVERIFY(page.savePrediction());
    {
        auto site = fmc::SiteWorkspace::open(folder.toStdString());
        const auto stored = site.store().predictions();
        QCOMPARE(stored.size(), size_t(1));
        const auto details = fmc::predictionDetailsFromJson(stored.back().probabilitiesJson, "test");
        QVERIFY(details.calibrated);
        QVERIFY(details.outOfDistribution);
        QCOMPARE(details.domainMismatches,
                 (std::vector<std::string>{"modality CT, expected photo", "photometric grey, expected colour"}));
        QVERIFY(!details.outOfDistributionReasons.empty());
        QCOMPARE(details.outOfDistributionReasons.front(), std::string("modality CT, expected photo"));
        QCOMPARE(details.novelFeature, result.novelFeature);
        QCOMPARE(int(details.predictionSet.size()), result.ensembleSet.size());
        for (int i = 0; i < result.ensembleSet.size(); ++i)
            QCOMPARE(QString::fromStdString(details.predictionSet[size_t(i)]), result.classNames.value(result.ensembleSet[i]));
        QCOMPARE(details.coverage, result.coverage);
        QCOMPARE(details.branchDisagreement, result.branchDisagreement);
        QCOMPARE(QVector<double>(details.famOnly.begin(), details.famOnly.end()), result.famOnly);
        QCOMPARE(QVector<double>(details.mlpOnly.begin(), details.mlpOnly.end()), result.mlpOnly);
    }
    const auto saved = SiteStoreWorkspace::open(folder)->predictions();
    QCOMPARE(saved.size(), 1);
    QVERIFY(saved.first().calibrated && saved.first().outOfDistribution);
    QVERIFY(saved.first().domainMismatches.contains(QStringLiteral("photometric grey, expected colour")));
    const auto checks = page.savedPredictions()->index(0, PredictionListModel::ChecksColumn).data().toString();
    QStringList setNames;
    for (int c : result.ensembleSet) setNames << result.classNames.value(c);
    QVERIFY2(checks.startsWith(QStringLiteral("not like the training images; ")), qPrintable(checks));
    QVERIFY2(checks.contains(QStringLiteral("%1 set: %2")
                                 .arg(ProbabilityModel::formatPercent(result.coverage), setNames.join(QStringLiteral(", ")))),
             qPrintable(checks));
    QCOMPARE(checks.contains(QStringLiteral("model no better than chance")), result.noBetterThanChance);
    QCOMPARE(saved.first().noBetterThanChance, result.noBetterThanChance);
    const auto screenshot = qEnvironmentVariable("FMC_SCREENSHOT_DIR", dir_.path()) + QStringLiteral("/classify-ood-ct.png");
    QVERIFY(page.grab().save(screenshot));
    qInfo("screenshot: %s", qPrintable(screenshot));

    // The model card: the version's figures, on request.
    const auto card = page.modelCardText();
    QVERIFY(card.contains(QStringLiteral("Model version %1").arg(result.modelVersion)));
    QVERIFY(card.contains(QStringLiteral("Training images per class")));
    QVERIFY(card.contains(QStringLiteral("DEMO bundle")));
    QVERIFY2(card.contains(QStringLiteral("prediction sets covered the true class in")), qPrintable(card));
    auto* button = page.findChild<QPushButton*>(QStringLiteral("modelCardButton"));
    QVERIFY(button && button->isEnabled());
    button->click();
    auto* dialog = page.findChild<QDialog*>(QStringLiteral("modelCardDialog"));
    QVERIFY(dialog && dialog->isVisible());
    dialog->close();
    page.setWorkspace(nullptr);
}

// Raw scores are said to be raw scores wherever the number is shown, with the reason.
void TestClassifyPage::notCalibratedSaysWhyAndIsNeverGreen_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("why");
    QTest::newRow("no validation images") << QStringLiteral("no validation")
                                          << QStringLiteral("this model had no validation images to calibrate on");
    QTest::newRow("saved without a calibration") << QStringLiteral("no calibration")
                                                 << QStringLiteral("this model version was saved without a calibration");
    QTest::newRow("not trained") << QStringLiteral("untrained") << QStringLiteral("this site has not trained a model yet");
}

void TestClassifyPage::notCalibratedSaysWhyAndIsNeverGreen() {
    QFETCH(QString, model);
    QFETCH(QString, why);
    auto outcome = confidentOutcome();
    auto& r = outcome.result;
    r.calibrated = false;
    r.ensembleSet = r.famOnlySet = r.mlpOnlySet = {};
    r.coverage = 0;
    if (model == QLatin1String("no validation")) r.calibration = std::make_shared<fmc::ModelCalibration>();
    if (model == QLatin1String("untrained")) {
        r.modelVersion.clear();
        r.mlpOnly.clear();
    }
    ClassifyPage page;
    applyAppStyle(page);
    page.show();
    page.showOutcome(outcome);
    const auto* headline = visibleLabel(page, QStringLiteral("topClassCaution"));
    QVERIFY(headline);
    QCOMPARE(headline->text(), QStringLiteral("Most likely: melanoma (raw score %1, not calibrated)")
                                   .arg(ProbabilityModel::formatPercent(0.97)));
    QVERIFY(!looksGreen(headline->palette().color(QPalette::WindowText)));
    const auto* box = visibleLabel(page, QStringLiteral("notCalibratedWarning"));
    QVERIFY(box);
    QVERIFY2(box->text().startsWith(QStringLiteral("Not calibrated: ") + why), qPrintable(box->text()));
    QVERIFY(box->text().contains(QStringLiteral("There is no prediction set")));
    QCOMPARE(page.probabilityModel()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Raw score (not calibrated)"));
    QVERIFY(!visibleLabel(page, QStringLiteral("predictionSet")));
    bool saysRaw = false;
    for (auto* label : page.findChildren<QLabel*>())
        saysRaw |= label->isVisible() && label->text().contains(QStringLiteral("Raw scores, not calibrated."));
    QVERIFY(saysRaw);
    // A calibrated result keeps the word probability.
    page.showOutcome(confidentOutcome());
    QCOMPARE(page.probabilityModel()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("Probability"));
    QVERIFY(!visibleLabel(page, QStringLiteral("notCalibratedWarning")));
}

// End to end: a site that imported without a validation share trains a model that cannot be
// calibrated; the page shows raw scores as such, and the saved prediction says so.
void TestClassifyPage::aSiteWithoutValidationImagesShowsAndSavesRawScores() {
    const auto folder = dir_.filePath(QStringLiteral("no-validation-store"));
    {
        auto site = fmc::SiteWorkspace::open(folder.toStdString());
        std::vector<std::string> paths;
        for (const auto& file : firstTrainingImages(16)) paths.push_back(file.toStdString());
        fmc::ImportOptions options;
        options.labelSource = fmc::LabelSource::FolderNames;
        options.validationShare = 0;
        site.importPaths(paths, options);
        fmc::LocalTrainingConfig config;
        config.bundleDir = bundle_.toStdString();
        config.rounds = 2;
        const auto trained = site.trainLocal(config);
        QVERIFY(trained.calibration && !trained.calibration->ensemble.fitted);
    }
    auto store = SiteStoreWorkspace::open(folder);
    ClassifyPage page;
    applyAppStyle(page);
    page.resize(1200, 760);
    page.show();
    page.setWorkspace(store.get());
    QSignalSpy classified(&page, &ClassifyPage::classified);
    page.classifyFile(testImage());
    QTRY_COMPARE_WITH_TIMEOUT(classified.count(), 1, 60000);
    QVERIFY(!page.lastOutcome().result.calibrated);
    QVERIFY(page.lastOutcome().result.ensembleSet.isEmpty());
    QVERIFY(visibleLabel(page, QStringLiteral("topClassCaution"))->text().contains(QStringLiteral("not calibrated")));
    QVERIFY2(visibleLabel(page, QStringLiteral("notCalibratedWarning"))
                 ->text()
                 .startsWith(QStringLiteral("Not calibrated: this model had no validation images")),
             qPrintable(visibleLabel(page, QStringLiteral("notCalibratedWarning"))->text()));
    QVERIFY(page.savePrediction());
    const auto screenshot =
        qEnvironmentVariable("FMC_SCREENSHOT_DIR", dir_.path()) + QStringLiteral("/classify-not-calibrated.png");
    QVERIFY(page.grab().save(screenshot));
    qInfo("screenshot: %s", qPrintable(screenshot));
    const auto saved = store->predictions();
    QCOMPARE(saved.size(), 1);
    QVERIFY(!saved.first().calibrated);
    QVERIFY(saved.first().predictionSet.isEmpty());
    QVERIFY(page.savedPredictions()->index(0, PredictionListModel::PredictionColumn).data().toString().contains(
        QStringLiteral("raw score")));
    page.setWorkspace(nullptr);
}

QTEST_MAIN(TestClassifyPage)
#include "tst_classifypage.moc"
