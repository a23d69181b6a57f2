// Device choice, thread scoping and the BLAS check.
#include "engine/runtime.h"

#include "common/types.h"

#include <torch/torch.h>

#include <QtTest>

using namespace fmc;

class TestRuntime : public QObject {
    Q_OBJECT
private slots:
    void cpuRuntimeFindsTheRealBlas() {
        const auto info = configureRuntime("cpu", 2);
        QCOMPARE(QString::fromStdString(info.device), QStringLiteral("cpu"));
        QCOMPARE(info.threads, 2);
        QCOMPARE(torch::get_num_threads(), 2);
        QVERIFY2(!info.blasLibrary.empty(), "no BLAS library mapped into the process");
        // The project installs libopenblas0-openmp; the reference BLAS would be ~25x slower.
        QVERIFY2(!info.referenceBlas, info.blasLibrary.c_str());
        // OpenBLAS names its kernel set; another BLAS has none.
        if (info.blasLibrary.find("openblas") != std::string::npos) QVERIFY(!info.blasKernels.empty());
    }

    void threadChoice_data() {
        QTest::addColumn<int>("work");
        QTest::addColumn<int>("hardware");
        QTest::addColumn<int>("busy");
        QTest::addColumn<int>("reserved");
        QTest::addColumn<int>("requested");
        QTest::addColumn<int>("expected");
        const int features = int(ComputeWork::FeatureSpace), encoder = int(ComputeWork::Encoder);
        QTest::newRow("features, idle 8 cores") << features << 8 << 0 << 0 << 0 << 1;
        QTest::newRow("features, explicit 4") << features << 8 << 0 << 0 << 4 << 4;
        QTest::newRow("encoder, idle 2 cores") << encoder << 2 << 0 << 0 << 0 << 2;
        QTest::newRow("encoder, 2 cores, one busy") << encoder << 2 << 1 << 0 << 0 << 1;
        QTest::newRow("encoder, 8 cores, 3 busy, GUI") << encoder << 8 << 3 << 1 << 0 << 4;
        QTest::newRow("encoder, desktop on 2 idle cores") << encoder << 2 << 0 << 1 << 0 << 1;
        QTest::newRow("encoder, overloaded") << encoder << 2 << 12 << 1 << 0 << 1;
        QTest::newRow("encoder, explicit beats load") << encoder << 2 << 12 << 1 << 3 << 3;
    }

    void threadChoice() {
        QFETCH(int, work);
        QFETCH(int, hardware);
        QFETCH(int, busy);
        QFETCH(int, reserved);
        QFETCH(int, requested);
        QFETCH(int, expected);
        QCOMPARE(chooseComputeThreads(ComputeWork(work), hardware, busy, reserved, requested), expected);
    }

    void explicitThreadsApplyToAllWork() {
        configureRuntime("cpu", 3);
        QCOMPARE(featureSpaceThreads(), 3);
        QCOMPARE(encoderThreads(), 3);
        configureRuntime("cpu", 0);
        QCOMPARE(featureSpaceThreads(), 1);
        QVERIFY(encoderThreads() >= 1 && encoderThreads() <= hardwareThreads());
    }

    void autoPicksCudaOnlyWhenVisible() {
        const auto info = configureRuntime("auto", 0);
        QCOMPARE(info.device == "cuda", info.cudaAvailable);
        QVERIFY(info.threads >= 1);
    }

    void badPreferencesAreClearErrors() {
        QVERIFY_THROWS_EXCEPTION(Error, configureRuntime("tpu", 0));
        if (!torch::cuda::is_available()) {
            try {
                configureRuntime("cuda", 0);
                QFAIL("expected an error");
            } catch (const Error& error) {
                QVERIFY(QString(error.what()).contains("CUDA"));
            }
        }
    }

    void scopedThreadsRestore() {
        torch::set_num_threads(2);
        {
            ScopedComputeThreads single(1);
            QCOMPARE(torch::get_num_threads(), 1);
        }
        QCOMPARE(torch::get_num_threads(), 2);
    }

    void gemmThroughputIsMeasured() {
        const double gflops = measureGemmGflops("cpu", 256, 0.05);
        QVERIFY(gflops > 0.1);
        QVERIFY(peakResidentBytes() > 1 << 20);
    }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
