// HistoryPage: the charts' series are exactly the workspace's rounds (through the one
// HistoryModel the table shows too), also the per-class recall of runs the site store
// trained itself; new rounds appear live, and both exports work.
#include "widgets/history_chart_binder.h"
#include "models/history_model.h"
#include "pages/history_page.h"
#include "workspace/task_runner.h"
#include "ui_test_support.h"
#include "workspace/site_store_workspace.h"

#include "widgets/chart_legend.h"
#include "site/site_store.h"
#include "shell/translations.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>
#include <QTranslator>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestHistoryPage : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void chartSeriesMatchTheStoredRounds();
    void recallChartMatchesTheSiteStoreRows();
    void newRoundsAndRunsAppearLive();
    void exportsPngAndCsv();
    void hoverReportsTheRoundAndValue();
    void roundAxisTicksAreWholeRounds_data();
    void roundAxisTicksAreWholeRounds();
    void nineClassesGetDistinctColoursAndFullNames();
    void interruptionsAreMarkedOnTheRun();
    // Last: it leaves the French translation installed.
    void runNamesFollowTheLanguage();

private:
    std::unique_ptr<SiteStoreWorkspace> makeWorkspace(const QString& root, int rounds);
    QString fedRun_;  // the federated run makeWorkspace() added
};

std::unique_ptr<SiteStoreWorkspace> TestHistoryPage::makeWorkspace(const QString& root, int rounds) {
    auto workspace = SiteStoreWorkspace::create(root);
    // The site store names the run itself.
    fedRun_ = workspace->addRun({QStringLiteral("fed"), kRunFederated, QDateTime::currentDateTime(),
                       {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, QStringLiteral("three sites")});
    for (int round = 1; round <= rounds; ++round) {
        HistoryRow row;
        row.runId = fedRun_;
        row.runKind = kRunFederated;
        row.round = round;
        row.loss = 3.0 / round;
        row.accuracy = 0.3 + 0.04 * round;
        row.balancedAccuracy = 0.25 + 0.04 * round;
        row.macroF1 = 0.2 + 0.04 * round;
        row.federationAccuracy = 0.35 + 0.03 * round;
        row.bytesSent = 50'000 + round;
        row.bytesReceived = 60'000;
        row.perClassRecall = {0.1 * round, round % 2 ? std::nan("") : 0.5, 1.0};
        workspace->appendHistory(row);
    }
    return workspace;
}

void TestHistoryPage::chartSeriesMatchTheStoredRounds() {
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), 6);
    HistoryPage page;
    page.setWorkspace(workspace.get());
    const auto rows = workspace->history(fedRun_);
    QCOMPARE(page.model()->rowCount(), rows.size());
    QCOMPARE(page.table()->model(), page.model());
    const auto charts = page.charts();
    QCOMPARE(charts.size(), 4);

    // Loss: one series, one point per round, exactly the stored values.
    const auto loss = charts.at(0)->series();
    QCOMPARE(loss.size(), 1);
    QCOMPARE(loss.first()->count(), rows.size());
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(loss.first()->at(i), QPointF(rows[i].round, rows[i].loss));
    }
    // Metrics in percent: accuracy, balanced accuracy, macro F1 and the federation's.
    const auto metrics = charts.at(1)->series();
    QCOMPARE(metrics.size(), 4);
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(metrics.at(0)->at(i).y(), 100 * rows[i].accuracy);
        QCOMPARE(metrics.at(1)->at(i).y(), 100 * rows[i].balancedAccuracy);
        QCOMPARE(metrics.at(2)->at(i).y(), 100 * rows[i].macroF1);
        QCOMPARE(metrics.at(3)->at(i).y(), 100 * rows[i].federationAccuracy);
    }
    // Bytes in KiB.
    const auto bytes = charts.at(2)->series();
    QCOMPARE(bytes.size(), 2);
    QCOMPARE(bytes.at(0)->at(2).y(), rows[2].bytesSent / 1024.0);
    QCOMPARE(bytes.at(1)->at(2).y(), rows[2].bytesReceived / 1024.0);
    // Recall per class, one series per class; rounds without a value leave gaps.
    const auto recall = charts.at(3)->series();
    QCOMPARE(recall.size(), 3);
    QCOMPARE(recall.at(0)->name(), QStringLiteral("a"));
    QCOMPARE(recall.at(0)->count(), 6);
    QCOMPARE(recall.at(1)->count(), 3);  // only even rounds have a value
    QCOMPARE(recall.at(1)->at(0), QPointF(2, 50));
    QCOMPARE(recall.at(2)->at(5), QPointF(6, 100));
}

// A run trained by the site store (core/site's trainLocal records every round's recall per
// class) and one recorded straight into the store: the recall chart draws exactly the store's
// rows, one series per class, with a gap where a class had no evaluation images.
void TestHistoryPage::recallChartMatchesTheSiteStoreRows() {
    QTemporaryDir dir;
    const QStringList classes{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    writeClassFolders(dir.filePath(QStringLiteral("data")), classes, 12);
    auto workspace = SiteStoreWorkspace::create(dir.filePath(QStringLiteral("ws")));
    workspace->setBundleDirectory(makeTinyBundle(dir.filePath(QStringLiteral("bundle"))));
    workspace->setClassNames(classes);
    ImportRequest request;
    request.paths = {dir.filePath(QStringLiteral("data"))};
    QCOMPARE(workspace->importImages(request, {}, {}, nullptr).imported, 36);
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::succeeded);
    QSignalSpy failed(&runner, &TaskRunner::failed);
    TrainingConfig config;
    config.bundleDirectory = workspace->bundleDirectory();
    config.rounds = 4;
    runner.start(QStringLiteral("train"), [&](TaskContext& context) {
        return QVariant::fromValue(workspace->trainLocally(config, context));
    });
    QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    const auto outcome = done.first().first().value<TrainingOutcome>();
    const auto trainedRun = outcome.runId;
    // The Train page's summary: the kept model once on the test images, chosen on validation.
    int testImages = 0, validationImages = 0;
    for (const auto& image : workspace->images()) {
        testImages += image.split == kSplitTest;
        validationImages += image.split == kSplitValidation;
    }
    QVERIFY2(testImages > 0 && validationImages > 0, "the import's hash split left a split empty");
    QCOMPARE(outcome.testImages, testImages);
    QVERIFY(!outcome.chosenOnTestSplit);
    QVERIFY(outcome.testAccuracy >= 0 && outcome.testAccuracy <= 1);

    // A second run, recorded as the federated site recorder does: one class never evaluated.
    auto store = fmc::SiteStore::open(
        QDir(workspace->rootPath()).filePath(QLatin1String(fmc::kWorkspaceDatabaseFileName)).toStdString());
    fmc::TrainingRunInfo info;
    info.kind = "federated";
    info.classes = {"a", "b", "c"};
    const auto recordedRun = store.beginTrainingRun(info);
    for (int round = 1; round <= 3; ++round) {
        fmc::RoundMetrics metrics;
        metrics.round = round;
        metrics.loss = 1.0 / round;
        metrics.perClassRecall = {0.2 * round, std::nullopt, round == 2 ? std::optional<double>() : 1.0};
        store.recordRound(recordedRun, metrics);
    }
    store.finishTrainingRun(recordedRun, "finished");

    HistoryPage page;
    page.setWorkspace(workspace.get());
    for (const auto& runId : {trainedRun, QString::number(recordedRun)}) {
        page.showRun(runId);
        QCOMPARE(page.model()->run().id, runId);
        const auto rounds = store.trainingRun(runId.toLongLong())->rounds;
        QCOMPARE(page.model()->rowCount(), int(rounds.size()));
        const auto recall = page.charts().at(3)->series();
        QCOMPARE(recall.size(), classes.size());
        int points = 0;
        for (int c = 0; c < classes.size(); ++c) {
            QCOMPARE(recall.at(c)->name(), classes.at(c));
            QList<QPointF> expected;
            for (const auto& metrics : rounds) {
                QCOMPARE(int(metrics.perClassRecall.size()), classes.size());
                if (metrics.perClassRecall[size_t(c)])
                    expected << QPointF(metrics.round, 100 * *metrics.perClassRecall[size_t(c)]);
            }
            QCOMPARE(recall.at(c)->points(), expected);
            points += expected.size();
        }
        qInfo("run %s: %d recall points over %zu rounds", qPrintable(runId), points, rounds.size());
        QVERIFY(points > 0);
    }
    QCOMPARE(page.charts().at(3)->series().at(1)->count(), 0);  // class "b" of the recorded run
    QCOMPARE(page.charts().at(3)->series().at(2)->count(), 2);
}

void TestHistoryPage::newRoundsAndRunsAppearLive() {
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), 2);
    HistoryPage page;
    page.setWorkspace(workspace.get());
    HistoryRow row;
    row.runId = fedRun_;
    row.round = 3;
    row.perClassRecall = {0.5, 0.5, 0.5};
    workspace->appendHistory(row);
    QCOMPARE(page.model()->rowCount(), 3);
    QCOMPARE(page.charts().at(0)->series().first()->count(), 3);
    // A new run is shown as soon as it starts.
    const auto localRun =
        workspace->addRun({QStringLiteral("local"), kRunLocal, QDateTime::currentDateTime(), {QStringLiteral("a")}, {}});
    QCOMPARE(page.model()->run().id, localRun);
    QCOMPARE(page.model()->rowCount(), 0);
    // A local run has no federation figure: that line is left out.
    row.runId = localRun;
    row.round = 1;
    row.federationAccuracy = -1;
    workspace->appendHistory(row);
    QCOMPARE(page.charts().at(1)->series().size(), 3);
}

void TestHistoryPage::exportsPngAndCsv() {
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), 4);
    HistoryPage page;
    page.resize(1000, 700);
    page.setWorkspace(workspace.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    const auto png = dir.filePath(QStringLiteral("charts.png"));
    page.exportPng(png);
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), page.chartArea()->size() * page.chartArea()->devicePixelRatioF());
    const auto csv = dir.filePath(QStringLiteral("rounds.csv"));
    page.exportCsv(csv);
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QVERIFY(lines.at(0).startsWith(QStringLiteral("round,loss,")));
    QVERIFY(lines.at(4).startsWith(QStringLiteral("4,0.75,")));
    QVERIFY_THROWS_EXCEPTION(fmc::Error, page.exportPng(dir.filePath(QStringLiteral("missing/charts.png"))));
}

void TestHistoryPage::hoverReportsTheRoundAndValue() {
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), 5);
    HistoryPage page;
    page.setWorkspace(workspace.get());
    auto* binder = page.charts().at(1);
    QString text;
    connect(binder, &HistoryChartBinder::hoverTextChanged, [&](const QString& t) { text = t; });
    QLocale::setDefault(QLocale::c());
    emit binder->series().at(0)->hovered(QPointF(2.8, 41), true);
    QCOMPARE(text, binder->tr("Round %1 · %2: %3").arg(3).arg(page.model()->headerData(HistoryModel::AccuracyColumn, Qt::Horizontal).toString(),
                                                            QStringLiteral("42.0 %")));
    emit binder->series().at(0)->hovered(QPointF(2.8, 41), false);
    QVERIFY(text.isEmpty());
}

namespace {

// The values the axis draws tick labels at, computed from its settings as QtCharts does.
QList<double> tickValues(const QValueAxis* axis) {
    QList<double> ticks;
    if (axis->tickType() == QValueAxis::TicksFixed) {
        for (int i = 0; i < axis->tickCount(); ++i)
            ticks << axis->min() + i * (axis->max() - axis->min()) / (axis->tickCount() - 1);
        return ticks;
    }
    const double interval = axis->tickInterval(), anchor = axis->tickAnchor();
    double first = anchor + std::ceil((axis->min() - anchor) / interval) * interval;
    for (double value = first; value <= axis->max() + 1e-9; value += interval) ticks << value;
    return ticks;
}

const QStringList kDermoscopyClasses{
    QStringLiteral("actinic keratosis"), QStringLiteral("basal cell carcinoma"), QStringLiteral("dermatofibroma"),
    QStringLiteral("melanoma"), QStringLiteral("nevus"), QStringLiteral("pigmented benign keratosis"),
    QStringLiteral("seborrheic keratosis"), QStringLiteral("squamous cell carcinoma"), QStringLiteral("vascular lesion")};

std::unique_ptr<SiteStoreWorkspace> nineClassWorkspace(const QString& root, int rounds) {
    auto workspace = SiteStoreWorkspace::create(root);
    const auto runId = workspace->addRun({QStringLiteral("isic"), kRunLocal, QDateTime::currentDateTime(), kDermoscopyClasses,
                       QStringLiteral("local training, 2000 training and 118 evaluation images")});
    for (int round = 1; round <= rounds; ++round) {
        HistoryRow row;
        row.runId = runId;
        row.runKind = kRunLocal;
        row.round = round;
        row.loss = 1.0 / round;
        for (int c = 0; c < kDermoscopyClasses.size(); ++c) row.perClassRecall << std::fmod(0.1 * c + 0.03 * round, 1.0);
        workspace->appendHistory(row);
    }
    return workspace;
}

}  // namespace

void TestHistoryPage::roundAxisTicksAreWholeRounds_data() {
    QTest::addColumn<int>("rounds");
    for (int rounds : {1, 3, 8, 9, 13, 30, 100, 257}) QTest::newRow(qPrintable(QString::number(rounds))) << rounds;
}

void TestHistoryPage::roundAxisTicksAreWholeRounds() {
    QFETCH(int, rounds);
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), rounds);
    HistoryPage page;
    page.setWorkspace(workspace.get());
    for (auto* binder : page.charts()) {
        const auto ticks = tickValues(binder->roundAxis());
        QVERIFY(ticks.size() >= 2);
        QVERIFY2(ticks.size() <= 13, qPrintable(QString::number(ticks.size())));
        for (double tick : ticks) QVERIFY2(tick == std::round(tick), qPrintable(QString::number(tick)));
        // Every round's point sits on a whole-number x, within the axis.
        for (auto* series : binder->series())
            for (const auto& point : series->points()) {
                QCOMPARE(point.x(), std::round(point.x()));
                QVERIFY(point.x() >= binder->roundAxis()->min() && point.x() <= binder->roundAxis()->max());
            }
    }
    page.setWorkspace(nullptr);
}

void TestHistoryPage::nineClassesGetDistinctColoursAndFullNames() {
    QTemporaryDir dir;
    auto workspace = nineClassWorkspace(dir.filePath(QStringLiteral("ws")), 5);
    HistoryPage page;
    page.resize(1024, 700);
    page.setWorkspace(workspace.get());
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    auto* recall = page.findChild<ChartLegend*>(QStringLiteral("recallChartLegend"));
    QVERIFY(recall);
    // Distinct colours, far apart (RGB distance), for up to 12 curves.
    const auto& palette = HistoryChartBinder::palette();
    QCOMPARE(palette.size(), 12);
    for (int i = 0; i < palette.size(); ++i)
        for (int j = i + 1; j < palette.size(); ++j) {
            const double distance = std::hypot(std::hypot(palette[i].red() - palette[j].red(), palette[i].green() - palette[j].green()),
                                               palette[i].blue() - palette[j].blue());
            QVERIFY2(distance >= 70, qPrintable(QStringLiteral("%1 and %2: %3").arg(i).arg(j).arg(distance)));
        }
    const auto colours = recall->colours();
    QCOMPARE(colours.size(), 9);
    QCOMPARE(QSet<QRgb>({colours[0].rgb(), colours[1].rgb(), colours[2].rgb(), colours[3].rgb(), colours[4].rgb(),
                         colours[5].rgb(), colours[6].rgb(), colours[7].rgb(), colours[8].rgb()})
                 .size(),
             9);
    // Full names, each fully visible: not elided, not cut by its height.
    const auto names = recall->nameLabels();
    QCOMPARE(names.size(), 9);
    for (int i = 0; i < names.size(); ++i) {
        QCOMPARE(names[i]->text(), kDermoscopyClasses[i]);
        QCOMPARE(names[i]->toolTip(), kDermoscopyClasses[i]);
        QVERIFY(names[i]->isVisible());
        QVERIFY2(names[i]->height() >= names[i]->heightForWidth(names[i]->width()),
                 qPrintable(kDermoscopyClasses[i]));
        QVERIFY(recall->rect().contains(names[i]->geometry()));
    }
    // The chart's own legend, which elides, is not used.
    auto* chart = page.findChild<QChartView*>(QStringLiteral("recallChart"));
    QVERIFY(chart && !chart->chart()->legend()->isVisible());
    page.setWorkspace(nullptr);
}

void TestHistoryPage::runNamesFollowTheLanguage() {
    QTemporaryDir dir;
    auto workspace = SiteStoreWorkspace::create(dir.filePath(QStringLiteral("ws")));
    workspace->addRun({QStringLiteral("demo"), kRunFederated, QDateTime::currentDateTime(), {QStringLiteral("a")},
                       QStringLiteral("demo federation on this computer, 3 sites")});
    HistoryPage page;
    page.setWorkspace(workspace.get());
    QVERIFY(page.runChoiceText(0).contains(QStringLiteral("demo federation on this computer, 3 sites")));
    QVERIFY(installTranslations(QStringLiteral("fr")));
    const auto french = QCoreApplication::translate("RunDescription", "demo federation on this computer, %1 sites").arg(3);
    QVERIFY2(french != QStringLiteral("demo federation on this computer, 3 sites"), "the French translation is there");
    QTRY_VERIFY2(page.runChoiceText(0).contains(french), qPrintable(page.runChoiceText(0)));
    QVERIFY(page.runChoiceText(0).startsWith(QCoreApplication::translate("RunDescription", "Federated")));
    page.setWorkspace(nullptr);
}

void TestHistoryPage::interruptionsAreMarkedOnTheRun() {
    QTemporaryDir dir;
    auto workspace = makeWorkspace(dir.filePath(QStringLiteral("ws")), 3);
    HistoryPage page;
    page.setWorkspace(workspace.get());
    QVERIFY(page.interruptionText().isEmpty());
    workspace->interruptRun(fedRun_, RunInterruption::Reason::Cancelled);
    // The shown run gets its mark as it happens, in local time.
    QTRY_VERIFY2(page.interruptionText().contains(QStringLiteral("cancelled after round 3")),
                 qPrintable(page.interruptionText()));
    const auto at = workspace->runs().last().interruptions.value(0).at;
    QVERIFY(at.isValid() && std::abs(at.secsTo(QDateTime::currentDateTime())) < 60);
    QVERIFY(page.interruptionText().contains(QLocale().toString(at, QLocale::ShortFormat)));
    QVERIFY(page.runChoiceText(0).contains(QStringLiteral("interrupted 1 time")));
    // A run cancelled without a recorded interruption (e.g. by the CLI) says so too.
    const auto local = workspace->addRun({QStringLiteral("local"), kRunLocal, QDateTime::currentDateTime(), {QStringLiteral("a")}, {}});
    auto store = fmc::SiteStore::open(QDir(workspace->rootPath()).filePath(QStringLiteral("workspace.sqlite")).toStdString());
    store.finishTrainingRun(local.toLongLong(), "cancelled");
    page.setWorkspace(workspace.get());
    QVERIFY2(page.runChoiceText(0).endsWith(QStringLiteral(" · cancelled")), qPrintable(page.runChoiceText(0)));
    page.setWorkspace(nullptr);
}

QTEST_MAIN(TestHistoryPage)
#include "tst_historypage.moc"
