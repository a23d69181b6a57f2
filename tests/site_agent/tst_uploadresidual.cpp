// Error feedback's residual at a site (site_agent/upload_residual.h): valid for the next
// round only once its upload arrived, kept across restarts (a new store on the same folder),
// and none, never a wrong one, after a crash, a skipped round, a lost upload or another layout.
#include "site_agent/upload_residual.h"

#include "protocol/protocol.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace fmc;
using namespace fmc::federation;

namespace {

// The federation's FAM layout (D = 4) with every value `v` + its index / 1024.
ParameterSet residualOf(float v) {
    ParameterSet set = famLayout(4, true);
    for (auto& tensor : set) {
        tensor.values.resize(static_cast<std::size_t>(tensor.numel()));
        for (std::size_t i = 0; i < tensor.values.size(); ++i) tensor.values[i] = v + static_cast<float>(i) / 1024;
    }
    return set;
}

bool sameValues(const ParameterSet& a, const ParameterSet& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].shape != b[i].shape || a[i].values != b[i].values) return false;
    return true;
}

QStringList residualFiles(const QString& dir) { return QDir(dir).entryList({"delta-residual-*"}, QDir::Files); }

}  // namespace

class TestUploadResidual : public QObject {
    Q_OBJECT

private slots:
    // Saved by round 1's upload, valid for round 2 once that upload arrived, and after a
    // restart; not for round 1, 3 (a skipped round) or before the upload arrived.
    void validForTheNextRoundOnceItsUploadArrived() {
        QTemporaryDir dir;
        const auto layout = famLayout(4, true);
        UploadResidualStore store(dir.path());
        std::string why;
        QVERIFY(store.forRound(1, layout, &why).empty());
        QCOMPARE(why, std::string("the first round has no previous upload"));
        store.save(1, residualOf(0.5f));
        QVERIFY(store.forRound(2, layout, &why).empty());  // the upload has not arrived yet
        QCOMPARE(why, std::string("no residual of round 1"));
        store.accepted(1);
        QVERIFY(sameValues(store.forRound(2, layout), residualOf(0.5f)));
        QVERIFY(sameValues(UploadResidualStore(dir.path()).forRound(2, layout), residualOf(0.5f)));  // a restart
        QVERIFY(store.forRound(3, layout).empty());
        QVERIFY(store.forRound(1, layout).empty());
        QCOMPARE(residualFiles(dir.path()), QStringList{"delta-residual-1.fmcp"});
    }

    // A crash after round 2's residual was saved but before its upload left: round 2 is
    // encoded again from round 1's residual. Then the upload arrives (twice: a resend after a
    // lost answer): round 2's residual is the only one left.
    void aCrashBeforeTheUploadReencodesFromThePreviousResidual() {
        QTemporaryDir dir;
        const auto layout = famLayout(4, true);
        {
            UploadResidualStore store(dir.path());
            store.save(1, residualOf(0.5f));
            store.accepted(1);
            store.save(2, residualOf(-0.25f));
        }
        UploadResidualStore restarted(dir.path());
        QVERIFY(sameValues(restarted.forRound(2, layout), residualOf(0.5f)));
        restarted.save(2, residualOf(0.75f));
        restarted.accepted(2);
        restarted.accepted(2);
        QVERIFY(sameValues(restarted.forRound(3, layout), residualOf(0.75f)));
        QVERIFY(restarted.forRound(2, layout).empty());
        QCOMPARE(residualFiles(dir.path()), QStringList{"delta-residual-2.fmcp"});
    }

    // A late or rejected upload (discard), another layout or a damaged file: none.
    void noneAfterALostUploadAnotherLayoutOrADamagedFile() {
        QTemporaryDir dir;
        UploadResidualStore store(dir.path());
        store.save(1, residualOf(0.5f));
        store.accepted(1);
        std::string why;
        QVERIFY(store.forRound(2, famLayout(8, true), &why).empty());
        QVERIFY2(why.find("delta-residual-1.fmcp") != std::string::npos, why.c_str());
        QVERIFY(store.forRound(2, famLayout(4, false), &why).empty());
        QFile file(store.fileOf(1));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(file.size() - 1);
        file.write("x");
        file.close();
        QVERIFY(store.forRound(2, famLayout(4, true), &why).empty());
        QVERIFY2(why.find("payload corrupted") != std::string::npos, why.c_str());
        store.save(2, residualOf(1));
        store.discard();
        QVERIFY(residualFiles(dir.path()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestUploadResidual)
#include "tst_uploadresidual.moc"
