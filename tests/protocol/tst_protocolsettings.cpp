// Federation settings (core/protocol): a delta federation's codecs (the upload's reference
// each round, the codec of its globals).
#include "common/codec.h"
#include "protocol/protocol.h"

#include <QtTest>

#include <random>

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
    // A delta federation is accepted by both ends; its globals travel in mask-fp16-zlib.
    void deltaCodecFederationRoundTrips() {
        auto s = valid();
        s.codec = CodecKind::MaskAwareInt8DeltaZlib;
        validateSettings(s);
        FederationTask task;
        task.federationId = "f1";
        task.settings = s;
        QCOMPARE(taskFromJson(taskToJson(task), "task").settings.codec, CodecKind::MaskAwareInt8DeltaZlib);
        QCOMPARE(globalCodec(CodecKind::MaskAwareInt8DeltaZlib), CodecKind::MaskAwareFp16Zlib);
        for (const auto kind : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib,
                                CodecKind::MaskAwareInt8Zlib})
            QCOMPARE(globalCodec(kind), kind);
    }

    // Round 1's reference is the zero FAM of the federation's layout; later rounds', the
    // previous global as given.
    void uploadReferenceIsZeroInRoundOneThenThePreviousGlobal() {
        auto s = valid();
        s.embeddingDim = 4;
        auto previous = famLayout(4, true);
        for (auto& tensor : previous) tensor.values.assign(static_cast<size_t>(tensor.numel()), 0.25f);
        const auto first = uploadReference(1, s, previous);
        QCOMPARE(first.size(), size_t(6));
        for (size_t t = 0; t < first.size(); ++t) {
            QCOMPARE(first[t].shape, previous[t].shape);
            QCOMPARE(first[t].values, std::vector<float>(previous[t].values.size(), 0.0f));
        }
        const auto second = uploadReference(2, s, previous);
        for (size_t t = 0; t < second.size(); ++t) QCOMPARE(second[t].values, previous[t].values);
        // Without thresholds in the layout, none in the reference.
        s.shareThresholds = false;
        QCOMPARE(uploadReference(1, s, {}).size(), size_t(4));
    }

    // encodeUpload / decodeUpload: a delta against the round's reference for the delta codec,
    // the plain codec otherwise (the reference is not read).
    void uploadCodecFollowsTheFederation() {
        auto s = valid();
        s.embeddingDim = 4;
        auto fam = famLayout(4, true);
        float value = 0.01f;
        for (auto& tensor : fam)
            for (std::int64_t i = 0; i < tensor.numel(); ++i) tensor.values.push_back(value += 0.01f);
        const auto zero = uploadReference(1, s, {});
        s.codec = CodecKind::MaskAwareInt8DeltaZlib;
        const auto delta = encodeUpload(fam, s, 1, {});
        QCOMPARE(delta, encodeDelta(fam, zero));
        QCOMPARE(decodeUpload(delta, s, zero, {}).size(), fam.size());
        auto previous = fam;  // round 2: against the previous global
        for (auto& tensor : previous)
            for (auto& v : tensor.values) v *= 0.5f;
        QCOMPARE(encodeUpload(fam, s, 2, previous), encodeDelta(fam, previous));
        // With error feedback: the coarse step and the residual, against the same references.
        ParameterSet residual, expectedResidual;
        QCOMPARE(encodeUploadWithFeedback(fam, s, 1, {}, residual),
                 encodeDeltaWithFeedback(fam, zero, kDeltaStepPerRms, expectedResidual));
        QCOMPARE(encodeUploadWithFeedback(fam, s, 2, previous, residual),
                 encodeDeltaWithFeedback(fam, previous, kDeltaStepPerRms, expectedResidual));
        for (size_t t = 0; t < fam.size(); ++t) QCOMPARE(residual[t].values, expectedResidual[t].values);
        s.codec = CodecKind::Fp32Raw;
        const auto plain = encodeUpload(fam, s, 1, {});
        QCOMPARE(plain, encodeParameters(fam, CodecKind::Fp32Raw));
        const auto kept = residual;  // another codec neither reads nor changes the residual
        QCOMPARE(encodeUploadWithFeedback(fam, s, 1, {}, residual), plain);
        for (size_t t = 0; t < fam.size(); ++t) QCOMPARE(residual[t].values, kept[t].values);
        const auto decoded = decodeUpload(plain, s, {}, {});
        for (size_t t = 0; t < fam.size(); ++t) QCOMPARE(decoded[t].values, fam[t].values);
    }

    // A byte budget: the codec's rate control, from the near-lossless step (or the coarse one
    // with feedback). A D = 64 FAM of random values, whose near-lossless delta does not fit.
    void uploadBudgetIsTheCodecsRateControl() {
        auto s = valid();
        s.embeddingDim = 64;
        s.codec = CodecKind::MaskAwareInt8DeltaZlib;
        auto fam = famLayout(64, true), previous = famLayout(64, true);
        std::mt19937 random(3);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (size_t t = 0; t < fam.size(); ++t)
            for (std::int64_t i = 0; i < fam[t].numel(); ++i) {
                const bool threshold = fam[t].name.find("threshold") != std::string::npos;
                fam[t].values.push_back(threshold ? 0.0f : normal(random));
                previous[t].values.push_back(threshold ? 0.0f : fam[t].values.back() + 0.1f * normal(random));
            }
        const std::size_t budget = encodeDelta(fam, previous, 2.0).size();
        QVERIFY(budget < encodeDelta(fam, previous).size());
        const auto budgeted = encodeUpload(fam, s, 2, previous, budget);
        QVERIFY(budgeted.size() <= budget);
        QCOMPARE(budgeted, encodeDeltaWithinBudget(fam, previous, 0, budget).payload);
        ParameterSet residual, expectedResidual;
        QCOMPARE(encodeUploadWithFeedback(fam, s, 2, previous, residual, budget),
                 encodeDeltaWithinBudget(fam, previous, kDeltaStepPerRms, budget, &expectedResidual).payload);
        for (size_t t = 0; t < fam.size(); ++t) QCOMPARE(residual[t].values, expectedResidual[t].values);
        // Round 1 codes against the zero FAM under the same budget.
        QCOMPARE(encodeUpload(fam, s, 1, {}, budget),
                 encodeDeltaWithinBudget(fam, uploadReference(1, s, {}), 0, budget).payload);
    }

    // uploadFromJson cuts the payload string out before parsing the rest: whatever the layout
    // of the body, it reads what a JSON parser reads, or refuses as it did.
    // JSON written with ' for " (readable here, and moc reads no raw strings).
    static QByteArray json(const char* text) { return QByteArray(text).replace('\'', '"'); }

    void uploadPayloadIsReadAsAJsonParserReadsIt_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");  // empty: accepted
        const QByteArray fields = json("'federation_id':'f1','round':2,'site_id':'s1','idempotency_key':'key-0001',"
                                       "'sample_count':5,'codec':'fp32','metrics':{'train_loss':0.5}");
        const QByteArray payload = json("'payload':'AAEC/w=='");  // 00 01 02 ff
        QTest::newRow("payload last") << "{" + fields + "," + payload + "}" << "";
        QTest::newRow("payload first") << "{" + payload + "," + fields + "}" << "";
        QTest::newRow("white space") << " {\n " + payload + " ,\r\n\t" + fields + " }\n" << "";
        QTest::newRow("escaped slash") << "{" + fields + json(",'payload':'AAEC\\/w=='}") << "";
        QTest::newRow("payload text inside a string")
            << json("{'codec':'\\'payload\\':\\'AAAA\\'','metrics':{'train_loss':0.5},'federation_id':'f1',"
                    "'round':2,'site_id':'s1','idempotency_key':'key-0001','sample_count':5,'payload':'AAEC/w=='}")
            << "";
        QTest::newRow("escaped key") << "{" + fields + json(",'p\\u0061yload':'AAEC/w=='}") << "";
        QTest::newRow("escaped key beside the plain one")
            << "{" + fields + "," + payload + json(",'p\\u0061yload':'AAAA'}") << "";
        QTest::newRow("payload twice") << "{" + fields + "," + payload + "," + payload + "}" << "";
        QTest::newRow("payload not a string") << "{" + fields + json(",'payload':12}")
                                              << "payload: missing or not a base64 string";
        QTest::newRow("bad base64") << "{" + fields + json(",'payload':'AA*C'}") << "payload: not valid base64";
        QTest::newRow("base64: a lone last character") << "{" + fields + json(",'payload':'AAECA'}")
                                                       << "payload: not valid base64";
        QTest::newRow("base64: padding inside") << "{" + fields + json(",'payload':'AA=C'}") << "payload: not valid base64";
        QTest::newRow("base64: three padding characters") << "{" + fields + json(",'payload':'A==='}")
                                                          << "payload: not valid base64";
        QTest::newRow("base64: bits beyond the last byte") << "{" + fields + json(",'payload':'AB=='}")
                                                           << "payload: not valid base64";
        QTest::newRow("no closing brace") << "{" + fields + "," + payload << "body: not a JSON object";
        QTest::newRow("trailing garbage") << "{" + fields + "," + payload + "}x" << "body: not a JSON object";
        QTest::newRow("missing comma") << "{" + fields + payload + "}" << "body: not a JSON object";
        QTest::newRow("unterminated payload") << "{" + fields + json(",'payload':'AAEC") << "body: not a JSON object";
        QTest::newRow("an array") << "[" + payload + "]" << "body: not a JSON object";
    }

    // The payload's base64 decoder against Qt's encoder: every length, padded or not.
    void payloadBase64RoundTripsEveryLength() {
        std::uint32_t state = 12345;
        for (int n = 0; n <= 70; ++n) {
            QByteArray bytes(n, Qt::Uninitialized);
            for (auto& b : bytes) b = static_cast<char>((state = state * 1664525u + 1013904223u) >> 24);
            for (const QByteArray::Base64Options options :
                 {QByteArray::Base64Options(QByteArray::Base64Encoding), QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals}) {
                const QByteArray body = json("{'federation_id':'f1','round':2,'site_id':'s1','idempotency_key':'key-0001',"
                                             "'sample_count':5,'codec':'fp32','metrics':{},'payload':'") +
                                        bytes.toBase64(options) + json("'}");
                const auto upload = uploadFromJson(body);
                QCOMPARE(QByteArray(reinterpret_cast<const char*>(upload.payload.data()), upload.payload.size()), bytes);
            }
        }
    }

    void uploadPayloadIsReadAsAJsonParserReadsIt() {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        try {
            const auto upload = uploadFromJson(body);
            QVERIFY2(error.isEmpty(), qPrintable("accepted, expected: " + error));
            // What Qt's parser alone reads (for a key given twice, the last).
            const auto json = QJsonDocument::fromJson(body).object();
            const auto expected = QByteArray::fromBase64(json.value("payload").toString().toLatin1());
            QCOMPARE(QByteArray(reinterpret_cast<const char*>(upload.payload.data()), upload.payload.size()), expected);
            QVERIFY(!expected.isEmpty());
            QCOMPARE(upload.siteId, std::string("s1"));
            QCOMPARE(upload.metrics.at("train_loss"), 0.5);
        } catch (const ApiError& refused) {
            QVERIFY2(!error.isEmpty(), refused.what());
            QVERIFY2(QString(refused.what()).startsWith(error), refused.what());
            QCOMPARE(refused.status(), 400);
        }
    }
};

QTEST_GUILESS_MAIN(TestProtocolSettings)
#include "tst_protocolsettings.moc"
