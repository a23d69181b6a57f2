// Federation settings (core/protocol): the delta codec is refused until the coordinator
// decodes it against each round's global FAM.
#include "common/codec.h"
#include "protocol/protocol.h"

#include <QtTest>

using namespace fmc;
using namespace fmc::federation;

class TestProtocolSettings : public QObject {
    Q_OBJECT

    static FederationSettings valid() {
        FederationSettings s;
        s.name = "isic";
        s.classNames = {"nevus", "melanoma"};
        s.bundleName = "demo";
        s.bundleHash = std::string(64, 'a');
        s.embeddingDim = 512;
        return s;
    }

private slots:
    void deltaCodecIsNotYetAccepted() {
        auto s = valid();
        s.codec = CodecKind::MaskAwareInt8Zlib;
        validateSettings(s);  // the reference-free codecs are accepted
        s.codec = CodecKind::MaskAwareInt8DeltaZlib;
        try {
            validateSettings(s);
            QFAIL("the delta codec was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("codec: mask-int8-delta-zlib (a delta from the global FAM) is not yet "
                                                    "accepted by the coordinator"),
                     error.what());
        }
        // A task announcing it is refused by a site too.
        FederationTask task;
        task.federationId = "f1";
        task.settings = valid();
        auto json = taskToJson(task);
        json["codec"] = "mask-int8-delta-zlib";
        try {
            taskFromJson(json, "task");
            QFAIL("a task with the delta codec was accepted");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("not yet accepted by the coordinator"), error.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestProtocolSettings)
#include "tst_protocolsettings.moc"
