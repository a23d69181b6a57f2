// TaskRunner: jobs run off the GUI thread, which keeps processing events; progress,
// partial results, errors and cancellation arrive on the GUI thread.
#include "common/types.h"
#include "workspace/task_runner.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

using namespace fmc::ui;

class TestTaskRunner : public QObject {
    Q_OBJECT
private slots:
    void guiThreadKeepsProcessingEventsWhileAJobRuns();
    void cancelStopsAJobAndReportsCancelled();
    void failureReportsTheMessage();
    void progressAndPartialResultsArriveOnTheGuiThread();
    void aSecondJobIsRefusedWhileOneRuns();
};

void TestTaskRunner::guiThreadKeepsProcessingEventsWhileAJobRuns() {
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::succeeded);
    int ticks = 0;
    QTimer timer;
    timer.setInterval(10);
    connect(&timer, &QTimer::timeout, [&] { ++ticks; });
    timer.start();
    QThread* jobThread = nullptr;
    QVERIFY(runner.start(QStringLiteral("busy"), [&](TaskContext&) {
        jobThread = QThread::currentThread();
        // 600 ms of real CPU work on the worker.
        QElapsedTimer clock;
        clock.start();
        volatile double sink = 0;
        while (clock.elapsed() < 600) sink = sink + 1.0;
        return QVariant(42);
    }));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
    QCOMPARE(done.first().first().toInt(), 42);
    QVERIFY(jobThread != QThread::currentThread());
    // 600 ms at 10 ms would be 60 ticks; a blocked GUI thread would give 0 or 1.
    QVERIFY2(ticks >= 20, qPrintable(QStringLiteral("only %1 timer ticks while the job ran").arg(ticks)));
}

void TestTaskRunner::cancelStopsAJobAndReportsCancelled() {
    TaskRunner runner;
    QSignalSpy cancelled(&runner, &TaskRunner::cancelled);
    QSignalSpy succeeded(&runner, &TaskRunner::succeeded);
    QSignalSpy finished(&runner, &TaskRunner::finished);
    std::atomic<int> iterations{0};
    QVERIFY(runner.start(QStringLiteral("endless"), [&](TaskContext& context) {
        for (;;) {
            context.throwIfCancelled();
            ++iterations;
            QThread::msleep(5);
        }
        return QVariant();
    }));
    QTRY_VERIFY(iterations.load() > 3);
    runner.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 2000);
    QCOMPARE(succeeded.count(), 0);
    QCOMPARE(finished.count(), 1);
    QVERIFY(!runner.isRunning());
}

void TestTaskRunner::failureReportsTheMessage() {
    TaskRunner runner;
    QSignalSpy failed(&runner, &TaskRunner::failed);
    runner.start(QStringLiteral("failing"), [](TaskContext&) -> QVariant {
        throw fmc::Error("/data/x.png: not a supported image");
    });
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.first().first().toString(), QStringLiteral("/data/x.png: not a supported image"));
}

void TestTaskRunner::progressAndPartialResultsArriveOnTheGuiThread() {
    TaskRunner runner;
    QList<int> progress;
    QList<int> partials;
    bool onGuiThread = true;
    connect(&runner, &TaskRunner::progressChanged, [&](int done, int, const QString&) {
        onGuiThread = onGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
        progress << done;
    });
    connect(&runner, &TaskRunner::partialResult, [&](const QVariant& value) {
        onGuiThread = onGuiThread && QThread::currentThread() == QCoreApplication::instance()->thread();
        partials << value.toInt();
    });
    QSignalSpy done(&runner, &TaskRunner::finished);
    runner.start(QStringLiteral("steps"), [](TaskContext& context) {
        for (int i = 1; i <= 5; ++i) {
            QThread::msleep(60);  // longer than the progress throttle
            context.reportProgress(i, 5);
            context.reportPartial(i * 10);
        }
        return QVariant();
    });
    QTRY_COMPARE(done.count(), 1);
    QVERIFY(onGuiThread);
    QCOMPARE(partials, (QList<int>{10, 20, 30, 40, 50}));
    QCOMPARE(progress.last(), 5);
}

void TestTaskRunner::aSecondJobIsRefusedWhileOneRuns() {
    TaskRunner runner;
    QSignalSpy done(&runner, &TaskRunner::finished);
    QVERIFY(runner.start(QStringLiteral("first"), [](TaskContext&) {
        QThread::msleep(100);
        return QVariant();
    }));
    QVERIFY(!runner.start(QStringLiteral("second"), [](TaskContext&) { return QVariant(); }));
    QTRY_COMPARE(done.count(), 1);
    QVERIFY(runner.start(QStringLiteral("third"), [](TaskContext&) { return QVariant(); }));
    QTRY_COMPARE(done.count(), 2);
}

QTEST_GUILESS_MAIN(TestTaskRunner)
#include "tst_taskrunner.moc"
