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
