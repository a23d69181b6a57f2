// The main window as people see it at 1024 x 700 (and, run with QT_SCALE_FACTOR=2, at scale 2):
// the DICOM browser with a real CT in a lung window, the recall chart of nine dermoscopy
// classes, the federated status panel mid-round. Each fits the window and shows its content
// uncut; with FMC_SCREENSHOT_DIR set the window is also saved as PNG there.
#include "widgets/chart_legend.h"
#include "models/dicom_browser_model.h"
#include "federation/federation_service.h"
#include "pages/history_page.h"
#include "widgets/image_view.h"
#include "pages/images_page.h"
#include "shell/main_window.h"
#include "shell/translations.h"
#include "workspace/task_runner.h"
#include "pages/train_page.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"
#include "workspace/site_store_workspace.h"

#include <QComboBox>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTreeView>

using namespace fmc::ui;
using namespace fmc::ui::test;

namespace {

// A coordinator mid-round: round 3 of 8, this site's update sent, 1 of 2 sites counted.
class MidRoundCoordinator : public FederationService {
public:
    RoundStatus roundStatus(const FederationSetup& setup) override {
        RoundStatus status;
        status.state = RoundStatus::State::Collecting;
        status.round = 3;
        status.totalRounds = 8;
        status.sitesUploaded = 1;
        status.sitesExpected = 2;
        status.minimumSites = 2;
        status.thisSiteUploaded = true;
        status.deadline = QDateTime::currentDateTimeUtc().addSecs(600);
        status.coordinator = setup.coordinatorUrl;
        return status;
    }
    TrainingOutcome runFederatedTraining(WorkspaceService&, const TrainingConfig&, TaskContext& context) override {
        for (;;) {
            context.throwIfCancelled();
            QThread::msleep(10);
        }
    }
    CoordinatorIdentity fetchIdentity(const QUrl&) override { throw fmc::Error("not used"); }
    QString verifyAuthority(const QUrl&, const QList<QSslCertificate>&) override { throw fmc::Error("not used"); }
    FederationTask enroll(const QUrl&, const QString&, const CoordinatorTrust&) override { throw fmc::Error("not used"); }
    void testConnection(const FederationSetup&) override {}
};

QString suffix() {
    const auto scale = qEnvironmentVariable("QT_SCALE_FACTOR");
    return scale.isEmpty() || scale == QLatin1String("1") ? QString() : QStringLiteral("-scale") + scale;
}

void saveIfAsked(QWidget* window, const QString& name) {
    const auto dir = qEnvironmentVariable("FMC_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    QVERIFY(window->grab().save(QDir(dir).filePath(name + suffix() + QStringLiteral(".png"))));
}

}  // namespace

class TestScreens : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        installTranslations(QStringLiteral("en"));  // as the app does: plurals in words
    }
    void dicomBrowserWithACtInALungWindow();
    void recallChartOfNineClasses();
    void statusPanelMidRound();

private:
    void showAt1024x700(MainWindow& window);
    QTemporaryDir dir_;
};

void TestScreens::showAt1024x700(MainWindow& window) {
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.size(), QSize(1024, 700));
}

void TestScreens::dicomBrowserWithACtInALungWindow() {
    const QString data = QStringLiteral(FMC_SHARED_DATA_DIR "/dicom/pylibjpeg-ds");
    if (!QFileInfo::exists(data)) QSKIP("../shared/data/dicom is absent (the shared test data)");
    const auto root = dir_.filePath(QStringLiteral("dicom-ws"));
    {
        auto workspace = SiteStoreWorkspace::create(root);
        ImportRequest request;
        request.paths = {data};
        request.labelSource = LabelSource::None;
        QVERIFY(workspace->importImages(request, {}, {}, nullptr).imported > 10);
    }
    MainWindow window;
    QVERIFY(window.openWorkspace(root));
    showAt1024x700(window);
    auto* images = window.imagesPage();
    images->setView(ImagesPage::View::Browser);
    // The CT1_JLSN series: found by its file, selected as a person would.
    auto* tree = images->browserTree();
    tree->expandAll();
    QModelIndex ct;
    std::function<void(const QModelIndex&)> find = [&](const QModelIndex& parent) {
        for (int row = 0; row < tree->model()->rowCount(parent) && !ct.isValid(); ++row) {
            const auto index = tree->model()->index(row, 0, parent);
            if (index.data(DicomBrowserModel::PathRole).toString().endsWith(QLatin1String("CT1_JLSN.dcm"))) ct = index;
            find(index);
        }
    };
    find({});
    QVERIFY(ct.isValid());
    tree->setCurrentIndex(ct);
    auto* viewer = images->viewer();
    QTRY_VERIFY(viewer->hasDicom());
    auto* preset = images->findChild<QComboBox*>(QStringLiteral("windowPreset"));
    const int lung = preset->findText(QStringLiteral("Lung"), Qt::MatchContains);
    QVERIFY(lung > 0);
    preset->setCurrentIndex(lung);
    emit preset->activated(lung);
    QCOMPARE(viewer->windowCenter(), -600.0);
    QCOMPARE(viewer->windowWidth(), 1500.0);
    QVERIFY(viewer->isVisible() && viewer->width() >= 200 && viewer->height() >= 200);
    QApplication::processEvents();
    saveIfAsked(&window, QStringLiteral("browser-ct-lung-1024x700"));
}

void TestScreens::recallChartOfNineClasses() {
    const QStringList classes{QStringLiteral("actinic keratosis"), QStringLiteral("basal cell carcinoma"),
                              QStringLiteral("dermatofibroma"), QStringLiteral("melanoma"), QStringLiteral("nevus"),
                              QStringLiteral("pigmented benign keratosis"), QStringLiteral("seborrheic keratosis"),
                              QStringLiteral("squamous cell carcinoma"), QStringLiteral("vascular lesion")};
    const auto root = dir_.filePath(QStringLiteral("isic-ws"));
    {
        auto workspace = createWorkspaceAt(root);
        const auto runId = workspace->addRun({QStringLiteral("isic"), kRunLocal, QDateTime::currentDateTime(), classes,
                                              QStringLiteral("local training, 2241 training and 118 evaluation images")});
        for (int round = 1; round <= 9; ++round) {
            HistoryRow row;
            row.runId = runId;
            row.runKind = kRunLocal;
            row.round = round;
            row.loss = 2.0 / round;
            row.accuracy = 0.3 + 0.05 * round;
            row.balancedAccuracy = 0.25 + 0.05 * round;
            row.macroF1 = 0.2 + 0.05 * round;
            row.bytesSent = 0;
            for (int c = 0; c < classes.size(); ++c) row.perClassRecall << std::min(1.0, 0.08 * c + 0.06 * round);
            workspace->appendHistory(row);
        }
        workspace->finishRun(runId);
    }
    MainWindow window;
    QVERIFY(window.openWorkspace(root));
    showAt1024x700(window);
    window.showPage(MainWindow::Page::History);
    QApplication::processEvents();
    auto* legend = window.historyPage()->findChild<ChartLegend*>(QStringLiteral("recallChartLegend"));
    QVERIFY(legend && legend->isVisible());
    for (auto* name : legend->nameLabels()) QVERIFY2(name->height() >= name->heightForWidth(name->width()), qPrintable(name->text()));
    saveIfAsked(&window, QStringLiteral("history-recall-9-classes-1024x700"));
}

void TestScreens::statusPanelMidRound() {
    const auto root = dir_.filePath(QStringLiteral("joined-ws"));
    {
        auto workspace = createWorkspaceAt(root);
        FederationSetup setup;
        setup.coordinatorUrl = QStringLiteral("https://federation.example.org:8443");
        setup.federationName = QStringLiteral("Dermoscopy 2026");
        setup.classNames = {QStringLiteral("melanoma"), QStringLiteral("nevus")};
        setup.bundleHash = QStringLiteral("abc");
        setup.completedAt = QDateTime::currentDateTime();
        workspace->saveFederationSetup(setup);
    }
    auto service = std::make_shared<MidRoundCoordinator>();
    MainWindow window([service](const QString&) { return service; });
    QVERIFY(window.openWorkspace(root));
    showAt1024x700(window);
    window.showPage(MainWindow::Page::Train);
    auto* train = window.trainPage();
    QVERIFY(train->startFederatedTraining());
    train->refreshRoundStatus();
    QTRY_VERIFY_WITH_TIMEOUT(train->roundStateText().startsWith(QStringLiteral("Round 3 of 8 — this site's update is sent")), 10000);
    auto* state = train->findChild<QLabel*>(QStringLiteral("roundState"));
    QVERIFY(state->height() >= state->heightForWidth(state->width()));
    QApplication::processEvents();
    saveIfAsked(&window, QStringLiteral("train-status-mid-round-1024x700"));
    train->cancel();
    QTRY_VERIFY(!train->runner()->isRunning());
    window.showPage(MainWindow::Page::Images);
    QTRY_VERIFY(!train->statusRunner()->isRunning());
}

QTEST_MAIN(TestScreens)
#include "tst_screens.moc"
