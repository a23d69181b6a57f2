// prepareDemoWorkspace: the demo bundle, the demo site's images, a local run and a finished
// demo federation, all in place; a second call reuses them.
#include "workspace/demo_workspace.h"
#include "workspace/site_training.h"
#include "workspace/task_runner.h"
#include "ui_test_support.h"
#include "workspace/workspace_factory.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace fmc::ui;
using namespace fmc::ui::test;

class TestDemoWorkspace : public QObject {
    Q_OBJECT
private slots:
    void preparesAFinishedDemoAndReusesIt();

private:
    QString prepare(const QString& workDir, const DemoWorkspaceOptions& options);
};

QString TestDemoWorkspace::prepare(const QString& workDir, const DemoWorkspaceOptions& options) {
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::succeeded);
    QSignalSpy failed(&runner, &TaskRunner::failed);
    runner.start(QStringLiteral("demo"), [&](TaskContext& context) {
        return QVariant(prepareDemoWorkspace(workDir, vocabularyFile(), options, context));
    });
    [&] { QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 600000); }();
    if (!failed.isEmpty()) qWarning() << failed.first().first().toString();
    return done.isEmpty() ? QString() : done.first().first().toString();
}

void TestDemoWorkspace::preparesAFinishedDemoAndReusesIt() {
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    DemoWorkspaceOptions options;
    options.localRounds = 2;
    options.federatedRounds = 3;
    QElapsedTimer clock;
    clock.start();
    const auto path = prepare(dir.path(), options);
    qInfo("demo workspace prepared in %lld ms", clock.elapsed());
    QVERIFY(!path.isEmpty());
    QVERIFY(isFinishedDemoWorkspace(path));
    auto workspace = openWorkspaceAt(path);
    QVERIFY(workspace->isDemo());
    QCOMPARE(workspace->images().size(), 200);  // demo-site-1
    QCOMPARE(workspace->classNames().size(), 4);
    QVERIFY(QFileInfo::exists(workspace->bundleDirectory() + QStringLiteral("/manifest.json")));
    const auto runs = workspace->runs();
    QCOMPARE(runs.size(), 2);
    QCOMPARE(runs.at(0).kind, kRunLocal);
    QCOMPARE(runs.at(1).kind, kRunFederated);
    QCOMPARE(workspace->history(runs.at(1).id).size(), 3);
    QVERIFY(!workspace->siteModelVersion().isEmpty());
    QCOMPARE(demoPeerSites(*workspace).siteNames.size(), 2);

    // Reused, not made again: the same runs (their ids are unique per run made).
    QCOMPARE(prepare(dir.path(), options), path);
    const auto reused = openWorkspaceAt(path)->runs();
    QCOMPARE(reused.size(), 2);
    QCOMPARE(reused.at(0).id, runs.at(0).id);
    QCOMPARE(reused.at(1).id, runs.at(1).id);
}

QTEST_GUILESS_MAIN(TestDemoWorkspace)
#include "tst_demoworkspace.moc"
