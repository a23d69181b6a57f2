// Tests for the parameter transmission codec (core/common/codec.h).
#include "common/codec.h"

#include <QtTest>

#include <zlib.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>

using namespace fmc;

Q_DECLARE_METATYPE(fmc::CodecKind)

namespace {

constexpr std::int64_t kD = 512;

// Message of the fmc::Error `f` throws, or "" when it does not throw.
QString errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const fmc::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

#define EXPECT_ERROR(call, fragment)                                                                        \
    do {                                                                                                  \
        const QString msg_ = errorOf([&] { (void)(call); });                                             \
        QVERIFY2(!msg_.isEmpty(), "expected fmc::Error containing: " fragment);                           \
        QVERIFY2(msg_.contains(QStringLiteral(fragment)), qPrintable("got: " + msg_ + " | wanted: " fragment)); \
    } while (0)

float pow2(int e) { return std::ldexp(1.0f, e); }

// The FAM a site sends: two masked linear layers of width D, values ~ N(0, 1).
// Thresholds: 0 for every row (all kept) unless pruneEvenRows, which gives even rows a
// threshold of 2.0 (mean |N(0,1)| is ~0.80, so they are pruned) and odd rows 0.5 (kept).
ParameterSet makeFam(std::uint32_t seed, bool pruneEvenRows) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    ParameterSet fam;
    for (const char* layer : {"fc1", "fc2"}) {
        NamedTensor w{std::string(layer) + ".weight", {kD, kD}, std::vector<float>(kD * kD)};
        NamedTensor b{std::string(layer) + ".bias", {kD}, std::vector<float>(kD)};
        NamedTensor t{std::string(layer) + ".threshold", {kD}, std::vector<float>(kD)};
        for (auto& v : w.values) v = normal(rng);
        for (auto& v : b.values) v = normal(rng);
        for (std::int64_t r = 0; r < kD; ++r) t.values[r] = pruneEvenRows ? (r % 2 == 0 ? 2.0f : 0.5f) : 0.0f;
        fam.push_back(std::move(w));
        fam.push_back(std::move(b));
        fam.push_back(std::move(t));
    }
    return fam;
}

ParameterSet smallSet() {
    ParameterSet s;
    s.push_back({"proj.weight", {2, 3}, {0.5f, -1.25f, 3.0f, 1e-3f, -7.75f, 100.0f}});
    s.push_back({"proj.bias", {2}, {0.1f, -0.2f}});
    s.push_back({"scale", {}, {2.5f}});
    s.push_back({"tiny", {3}, {pow2(-20), -pow2(-24), 0.0f}});
    return s;
}

// Builds a payload by hand (format version 1) so tests can craft hostile but well-formed
// inputs. rawBodySize/storedBody are written as given; the checksum is valid.
struct CraftTensor {
    std::string name;
    std::vector<std::uint64_t> shape;
    std::uint8_t layout = 0;
};

void put(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> craftPayload(std::uint8_t kind, const std::vector<CraftTensor>& tensors,
                                       std::uint64_t rawBodySize, const std::vector<std::uint8_t>& storedBody) {
    std::vector<std::uint8_t> p = {'F', 'M', 'C', 'P'};
    put(p, 1, 2);
    put(p, kind, 1);
    put(p, 0, 1);
    const std::size_t lengthAt = p.size();
    put(p, 0, 8);
    put(p, tensors.size(), 4);
    for (const auto& t : tensors) {
        put(p, t.name.size(), 2);
        p.insert(p.end(), t.name.begin(), t.name.end());
        put(p, t.shape.size(), 1);
        for (auto d : t.shape) put(p, d, 8);
        put(p, t.layout, 1);
    }
    put(p, rawBodySize, 8);
    put(p, storedBody.size(), 8);
    p.insert(p.end(), storedBody.begin(), storedBody.end());
    const std::uint64_t total = p.size() + 4;
    for (int i = 0; i < 8; ++i) p[lengthAt + i] = static_cast<std::uint8_t>(total >> (8 * i));
    put(p, payloadCrc32(p.data(), p.size()), 4);
    return p;
}

// A delta payload (kind 4) naming `reference` by its digest, built as craftPayload does.
std::vector<std::uint8_t> craftDeltaPayload(const ParameterSet& reference, const std::vector<CraftTensor>& tensors,
                                            std::uint64_t rawBodySize, const std::vector<std::uint8_t>& storedBody) {
    auto p = craftPayload(4, tensors, rawBodySize, storedBody);
    p.resize(p.size() - 4);
    const auto digest = referenceDigest(reference);
    p.insert(p.begin() + 20, digest.begin(), digest.end());
    const std::uint64_t total = p.size() + 4;
    for (int i = 0; i < 8; ++i) p[8 + i] = static_cast<std::uint8_t>(total >> (8 * i));
    put(p, payloadCrc32(p.data(), p.size()), 4);
    return p;
}

std::vector<std::uint8_t> zlibOf(const std::vector<std::uint8_t>& raw) {
    uLongf n = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> out(n);
    if (compress2(out.data(), &n, raw.data(), static_cast<uLong>(raw.size()), 9) != Z_OK) qFatal("compress2 failed");
    out.resize(n);
    return out;
}

void refreshChecksum(std::vector<std::uint8_t>& p) {
    const std::uint32_t crc = payloadCrc32(p.data(), p.size() - 4);
    for (int i = 0; i < 4; ++i) p[p.size() - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
}

// Exact header size of a payload for `set` (pins the documented layout).
std::size_t headerBytes(const ParameterSet& set) {
    std::size_t n = 20 + 16 + 4;  // fixed header, raw/stored body sizes, checksum
    for (const auto& t : set) n += 2 + t.name.size() + 1 + 8 * t.shape.size() + 1;
    return n;
}

struct FeedbackRun {
    std::vector<double> sentSum = std::vector<double>(4, 0.0), trueSum = std::vector<double>(4, 0.0);
    ParameterSet residual;
    bool masksKept = true;  // the site's mask in every round's payload
};
// The rounds of TestCodec::feedbackSumTracksTheTrueDeltasWithinOneStep.
FeedbackRun runFeedbackRounds(bool feedback) {
    const float e = pow2(-4);
    const std::vector<float> d = {4 * e, e, -e, 0};
    ParameterSet reference;
    reference.push_back({"a.weight", {2, 4}, std::vector<float>(8, 0.0f)});
    reference.push_back({"a.bias", {2}, {0.25f, 0.5f}});
    reference.push_back({"a.threshold", {2}, {0.0f, 0.5f}});
    FeedbackRun run;
    for (int round = 1; round <= 5; ++round) {
        ParameterSet update = reference;
        for (std::size_t j = 0; j < 4; ++j) update[0].values[j] += d[j];
        for (std::size_t j = 4; j < 8; ++j) update[0].values[j] = 0.1f;  // row 1: 0.1 <= 0.5, pruned
        const auto payload = feedback ? encodeDeltaWithFeedback(update, reference, kDeltaStepPerRms, run.residual)
                                      : encodeDelta(update, reference, kDeltaStepPerRms);
        const ParameterSet decoded = decodeDelta(payload, reference);
        for (std::size_t j = 0; j < 4; ++j) {
            run.sentSum[j] += double(decoded[0].values[j]) - double(reference[0].values[j]);
            run.trueSum[j] += d[j];
        }
        run.masksKept = run.masksKept && keptRowsOf(decoded).at(0) == std::vector<bool>{true, false};
        reference = decoded;
    }
    return run;
}

}  // namespace

class TestCodec : public QObject {
    Q_OBJECT

private slots:
    // ---- half precision ---------------------------------------------------------------
    void floatToHalfKnown_data() {
        QTest::addColumn<float>("value");
        QTest::addColumn<int>("bits");
        QTest::newRow("zero") << 0.0f << 0x0000;
        QTest::newRow("negative zero") << -0.0f << 0x8000;
        QTest::newRow("one") << 1.0f << 0x3c00;
        QTest::newRow("minus two") << -2.0f << 0xc000;
        QTest::newRow("0.1") << 0.1f << 0x2e66;
        QTest::newRow("1/3") << (1.0f / 3.0f) << 0x3555;
        QTest::newRow("max half") << 65504.0f << 0x7bff;
        QTest::newRow("below overflow tie") << 65519.99f << 0x7bff;
        QTest::newRow("overflow tie to even -> inf") << 65520.0f << 0x7c00;
        QTest::newRow("huge") << 1e9f << 0x7c00;
        QTest::newRow("-huge") << -1e9f << 0xfc00;
        QTest::newRow("+inf") << std::numeric_limits<float>::infinity() << 0x7c00;
        QTest::newRow("-inf") << -std::numeric_limits<float>::infinity() << 0xfc00;
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to even (mantissa 0).
        QTest::newRow("tie down to even") << (1.0f + pow2(-11)) << 0x3c00;
        // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even).
        QTest::newRow("tie up to even") << (1.0f + 3 * pow2(-11)) << 0x3c02;
        QTest::newRow("just above tie") << (1.0f + pow2(-11) + pow2(-20)) << 0x3c01;
        QTest::newRow("smallest normal") << pow2(-14) << 0x0400;
        QTest::newRow("smallest subnormal") << pow2(-24) << 0x0001;
        QTest::newRow("half smallest subnormal ties to 0") << pow2(-25) << 0x0000;
        QTest::newRow("just above half smallest subnormal") << std::nextafter(pow2(-25), 1.0f) << 0x0001;
        QTest::newRow("1.5 subnormal ulps ties to 2") << 3 * pow2(-25) << 0x0002;
        QTest::newRow("2.5 subnormal ulps ties to 2") << 5 * pow2(-25) << 0x0002;
        QTest::newRow("largest subnormal") << 1023 * pow2(-24) << 0x03ff;
        QTest::newRow("subnormal rounds up into normal") << 1023.5f * pow2(-24) << 0x0400;
        QTest::newRow("-subnormal") << -3 * pow2(-24) << 0x8003;
        QTest::newRow("float denormal -> 0") << std::numeric_limits<float>::denorm_min() << 0x0000;
        QTest::newRow("-tiny -> -0") << -1e-30f << 0x8000;
    }
    void floatToHalfKnown() {
        QFETCH(float, value);
        QFETCH(int, bits);
        QCOMPARE(int(floatToHalf(value)), bits);
    }

    void halfToFloatKnown_data() {
        QTest::addColumn<int>("bits");
        QTest::addColumn<float>("value");
        QTest::newRow("max") << 0x7bff << 65504.0f;
        QTest::newRow("one") << 0x3c00 << 1.0f;
        QTest::newRow("1/3 rounded") << 0x3555 << 0.333251953125f;
        QTest::newRow("-2") << 0xc000 << -2.0f;
        QTest::newRow("smallest subnormal") << 0x0001 << pow2(-24);
        QTest::newRow("largest subnormal") << 0x03ff << 1023 * pow2(-24);
        QTest::newRow("smallest normal") << 0x0400 << pow2(-14);
        QTest::newRow("+inf") << 0x7c00 << std::numeric_limits<float>::infinity();
        QTest::newRow("-inf") << 0xfc00 << -std::numeric_limits<float>::infinity();
    }
    void halfToFloatKnown() {
        QFETCH(int, bits);
        QFETCH(float, value);
        QCOMPARE(halfToFloat(static_cast<std::uint16_t>(bits)), value);
    }

    void halfSignedZeroAndNaN() {
        QVERIFY(std::signbit(halfToFloat(0x8000)));
        QCOMPARE(halfToFloat(0x8000), 0.0f);
        QVERIFY(std::isnan(halfToFloat(0x7e00)));
        QVERIFY(std::isnan(halfToFloat(0xfc01)));
        const std::uint16_t h = floatToHalf(std::numeric_limits<float>::quiet_NaN());
        QCOMPARE(h & 0x7c00, 0x7c00);
        QVERIFY((h & 0x03ff) != 0);
    }

    // Every half value survives half -> float -> half unchanged (NaNs stay NaN).
    void halfRoundTripsAllBitPatterns() {
        for (int i = 0; i < 65536; ++i) {
            const auto h = static_cast<std::uint16_t>(i);
            const float f = halfToFloat(h);
            const std::uint16_t back = floatToHalf(f);
            if ((h & 0x7c00) == 0x7c00 && (h & 0x03ff)) {
                QVERIFY2(std::isnan(f), qPrintable(QString::number(i, 16)));
                QVERIFY((back & 0x7c00) == 0x7c00 && (back & 0x03ff));
            } else {
                QVERIFY2(back == h, qPrintable(QString("0x%1 -> %2 -> 0x%3").arg(i, 0, 16).arg(f).arg(back, 0, 16)));
            }
        }
    }

    // For random floats, the chosen half is a nearest one and wins ties by an even mantissa.
    void halfIsNearestTiesToEven() {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> exponent(-28, 16);
        std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
        std::uniform_int_distribution<int> coin(0, 1);
        for (int n = 0; n < 200000; ++n) {
            float f = std::ldexp(mantissa(rng), exponent(rng)) * (coin(rng) ? -1.0f : 1.0f);
            if (n % 4 == 0) {  // force exact ties: a half value plus half its ulp
                const std::uint16_t base = floatToHalf(f) & 0x7fff;
                if (base >= 0x7bff) continue;
                const float lo = halfToFloat(base);
                const float hi = halfToFloat(static_cast<std::uint16_t>(base + 1));
                f = std::copysign((lo + hi) / 2, f);
            }
            if (std::fabs(f) >= 65520.0f) continue;
            const std::uint16_t h = floatToHalf(f);
            QVERIFY(std::signbit(halfToFloat(h)) == std::signbit(f));
            const double err = std::fabs(double(f) - double(halfToFloat(h)));
            const std::uint16_t mag = h & 0x7fff;
            for (int step : {-1, 1}) {
                const int nmag = int(mag) + step;
                if (nmag < 0 || nmag > 0x7bff) continue;
                const std::uint16_t nb = static_cast<std::uint16_t>((h & 0x8000) | nmag);
                const double nerr = std::fabs(double(f) - double(halfToFloat(nb)));
                QVERIFY2(err <= nerr, qPrintable(QString("f=%1 h=0x%2").arg(double(f), 0, 'g', 12).arg(h, 0, 16)));
                if (err == nerr) QVERIFY2((mag & 1) == 0, qPrintable(QString("tie not even: f=%1").arg(double(f), 0, 'g', 12)));
            }
        }
    }

    // ---- names --------------------------------------------------------------------------
    void codecNames() {
        for (CodecKind k : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib})
            QCOMPARE(codecFromName(codecName(k)), k);
        QCOMPARE(codecName(CodecKind::Fp32Raw), std::string("fp32"));
        QCOMPARE(codecName(CodecKind::Fp16Zlib), std::string("fp16-zlib"));
        QCOMPARE(codecName(CodecKind::MaskAwareFp16Zlib), std::string("mask-fp16-zlib"));
        QCOMPARE(codecFromName("mask-int8-delta-zlib"), CodecKind::MaskAwareInt8DeltaZlib);
        QVERIFY(codecNeedsReference(CodecKind::MaskAwareInt8DeltaZlib));
        QVERIFY(!codecNeedsReference(CodecKind::MaskAwareInt8Zlib));
        EXPECT_ERROR(codecFromName("fp8"), "unknown codec name 'fp8'");
    }

    // ---- round trips --------------------------------------------------------------------
    void roundTrip_data() {
        QTest::addColumn<CodecKind>("kind");
        QTest::newRow("fp32") << CodecKind::Fp32Raw;
        QTest::newRow("fp16-zlib") << CodecKind::Fp16Zlib;
        QTest::newRow("mask-fp16-zlib (no thresholds: all dense)") << CodecKind::MaskAwareFp16Zlib;
    }
    void roundTrip() {
        QFETCH(CodecKind, kind);
        const ParameterSet in = smallSet();
        const auto payload = encodeParameters(in, kind);
        QCOMPARE(payload[6], static_cast<std::uint8_t>(kind));
        const ParameterSet out = decodeParameters(payload, in);
        QCOMPARE(out.size(), in.size());
        for (std::size_t t = 0; t < in.size(); ++t) {
            QCOMPARE(out[t].name, in[t].name);
            QCOMPARE(out[t].shape, in[t].shape);
            QCOMPARE(out[t].values.size(), in[t].values.size());
            for (std::size_t i = 0; i < in[t].values.size(); ++i) {
                const float v = in[t].values[i];
                const float d = out[t].values[i];
                if (kind == CodecKind::Fp32Raw) {
                    QCOMPARE(d, v);
                } else {
                    QCOMPARE(d, halfToFloat(floatToHalf(v)));  // exactly the fp16 rounding
                    // within half precision: relative 2^-11 for normals, 2^-25 absolute below
                    QVERIFY(std::fabs(d - v) <= std::max(std::fabs(v) * pow2(-11), pow2(-25)));
                }
            }
        }
        QCOMPARE(out[0].values[5], 100.0f);
        if (kind != CodecKind::Fp32Raw) QCOMPARE(out[1].values[0], 0.0999755859375f);  // 0.1 in fp16
    }

    void emptySetRoundTrips_data() { roundTrip_data(); }
    void emptySetRoundTrips() {
        QFETCH(CodecKind, kind);
        const auto payload = encodeParameters({}, kind);
        QCOMPARE(decodeParameters(payload).size(), std::size_t(0));
    }

    void fp32PayloadLayoutIsExact() {
        const ParameterSet in = smallSet();
        const auto p = encodeParameters(in, CodecKind::Fp32Raw);
        QCOMPARE(p.size(), headerBytes(in) + 4 * std::size_t(12));
        QCOMPARE(std::string(p.begin(), p.begin() + 4), std::string("FMCP"));
        QCOMPARE(int(p[4] | (p[5] << 8)), int(kCodecFormatVersion));
        // total length field, little-endian
        std::uint64_t len = 0;
        for (int i = 0; i < 8; ++i) len |= std::uint64_t(p[8 + i]) << (8 * i);
        QCOMPARE(len, std::uint64_t(p.size()));
        // first value of the body: 0.5f = 0x3f000000 little-endian, right before 11 more floats + CRC
        const std::size_t body = p.size() - 4 - 48;
        QCOMPARE(int(p[body + 3]), 0x3f);
        QCOMPARE(int(p[body + 0]), 0x00);
    }

    void maskAwareRoundTrip() {
        // Layer "a": 4 rows x 4 cols.
        //   row 0: mean |w| = 1.0, threshold 1.0  -> pruned (strict >)
        //   row 1: mean |w| = 1.0, threshold 0.999 -> kept
        //   row 2: mean |w| = 0.25, threshold 0.5 -> pruned
        //   row 3: all zero, threshold -1        -> kept (0 > -1)
        ParameterSet in;
        in.push_back({"a.weight", {4, 4}, {1, -1, 1, -1, 0.5f, -1.5f, 1, 1, 0.25f, -0.25f, 0.25f, 0.25f, 0, 0, 0, 0}});
        in.push_back({"a.bias", {4}, {1, 2, 3, 4}});
        in.push_back({"a.threshold", {4}, {1.0f, 0.999f, 0.5f, -1.0f}});
        // "b.weight" has no sibling threshold, "c.weight" a threshold of the wrong length: dense.
        in.push_back({"b.weight", {2, 2}, {0.1f, 0.2f, 0.3f, 0.4f}});
        in.push_back({"c.weight", {2, 2}, {5, 6, 7, 8}});
        in.push_back({"c.threshold", {3}, {100, 100, 100}});

        const auto payload = encodeParameters(in, CodecKind::MaskAwareFp16Zlib);
        const ParameterSet out = decodeParameters(payload, in);
        const std::vector<float> expectedA = {0, 0, 0, 0, 0.5f, -1.5f, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        QCOMPARE(out[0].values, expectedA);
        QCOMPARE(out[1].values, in[1].values);
        QCOMPARE(out[2].values[0], 1.0f);
        QCOMPARE(out[2].values[1], halfToFloat(floatToHalf(0.999f)));
        for (std::size_t i = 0; i < 4; ++i) QCOMPARE(out[3].values[i], halfToFloat(floatToHalf(in[3].values[i])));
        QCOMPARE(out[4].values, in[4].values);
        QCOMPARE(out[5].values, in[5].values);
    }

    void int8RoundTripWithinHalfAScale() {
        // The same masked layer as above, plus a dense rank-2 tensor and a rank-1 one.
        ParameterSet in;
        in.push_back({"a.weight", {4, 4}, {1, -1, 1, -1, 0.5f, -1.5f, 1, 1, 0.25f, -0.25f, 0.25f, 0.25f, 0, 0, 0, 0}});
        in.push_back({"a.bias", {4}, {1, 2, 3, 4}});
        in.push_back({"a.threshold", {4}, {1.0f, 0.999f, 0.5f, -1.0f}});
        in.push_back({"b.weight", {2, 3}, {0.1f, -0.2f, 0.3f, 1e-3f, 2e-3f, -4e-3f}});
        const auto payload = encodeParameters(in, CodecKind::MaskAwareInt8Zlib);
        const ParameterSet out = decodeParameters(payload, in);
        // Pruned rows 0 and 2 decode as zeros; kept rows within scale / 2 = max|row| / 254.
        for (std::size_t r = 0; r < 4; ++r) {
            float largest = 0;
            for (std::size_t j = 0; j < 4; ++j) largest = std::max(largest, std::fabs(in[0].values[r * 4 + j]));
            for (std::size_t j = 0; j < 4; ++j) {
                const float decoded = out[0].values[r * 4 + j];
                if (r == 0 || r == 2)
                    QCOMPARE(decoded, 0.0f);
                else
                    QVERIFY(std::fabs(decoded - in[0].values[r * 4 + j]) <= largest / 254 + 1e-7f);
            }
        }
        QCOMPARE(out[1].values, in[1].values);  // rank 1 stays fp16 (exact for these)
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t j = 0; j < 3; ++j) {
                float largest = 0;
                for (std::size_t k = 0; k < 3; ++k) largest = std::max(largest, std::fabs(in[3].values[r * 3 + k]));
                QVERIFY(std::fabs(out[3].values[r * 3 + j] - in[3].values[r * 3 + j]) <= largest / 254 + 1e-9f);
            }
        QCOMPARE(codecFromName("mask-int8-zlib"), CodecKind::MaskAwareInt8Zlib);
    }

    void int8PayloadOfTheFamIsHalfOfFp16() {
        const ParameterSet fam = makeFam(42, false);
        const auto fp16 = encodeParameters(fam, CodecKind::Fp16Zlib);
        const auto int8 = encodeParameters(fam, CodecKind::MaskAwareInt8Zlib);
        qInfo("FAM payload bytes: fp16-zlib %zu | mask-int8-zlib, no rows pruned %zu", fp16.size(), int8.size());
        QVERIFY(int8.size() < fp16.size() * 6 / 10);
        const ParameterSet back = decodeParameters(int8, fam);
        QCOMPARE(back.size(), fam.size());
    }

    void int8RejectsAnInvalidScale() {
        ParameterSet in{{"b.weight", {1, 2}, {0.5f, -0.25f}}};
        auto payload = encodeParameters(in, CodecKind::MaskAwareInt8Zlib);
        // Rebuild the body with a NaN scale and valid framing: the decoder must refuse it.
        std::vector<std::uint8_t> raw = {0x00, 0x00, 0xc0, 0x7f, 127, 0xc0};
        const auto stored = zlibOf(raw);
        const std::size_t bodyAt = headerBytes(in) - 4 - 16;
        std::vector<std::uint8_t> forged(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(bodyAt));
        put(forged, raw.size(), 8);
        put(forged, stored.size(), 8);
        forged.insert(forged.end(), stored.begin(), stored.end());
        const std::uint64_t total = forged.size() + 4;
        for (int i = 0; i < 8; ++i) forged[8 + i] = static_cast<std::uint8_t>(total >> (8 * i));
        put(forged, payloadCrc32(forged.data(), forged.size()), 4);
        try {
            decodeParameters(forged);
            QFAIL("expected an error");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("scale"), error.what());
        }
    }

    // ---- sizes of the real FAM (D = 512, 526,336 floats) --------------------------------
    void famPayloadSizes() {
        const ParameterSet fam = makeFam(42, false);
        std::int64_t floats = 0;
        for (const auto& t : fam) floats += t.numel();
        QCOMPARE(floats, std::int64_t(526336));

        const auto fp32 = encodeParameters(fam, CodecKind::Fp32Raw);
        const auto fp16 = encodeParameters(fam, CodecKind::Fp16Zlib);
        const auto maskAll = encodeParameters(fam, CodecKind::MaskAwareFp16Zlib);  // thresholds 0: all kept
        const ParameterSet halfPruned = makeFam(42, true);
        const auto maskHalf = encodeParameters(halfPruned, CodecKind::MaskAwareFp16Zlib);
        const auto fp16Half = encodeParameters(halfPruned, CodecKind::Fp16Zlib);

        qInfo("FAM payload bytes (526,336 floats ~ N(0,1)): fp32 %zu | fp16-zlib %zu | mask-fp16-zlib, no rows "
              "pruned %zu | fp16-zlib, half the rows pruned %zu | mask-fp16-zlib, half the rows pruned %zu",
              fp32.size(), fp16.size(), maskAll.size(), fp16Half.size(), maskHalf.size());

        QCOMPARE(fp32.size(), headerBytes(fam) + 4 * std::size_t(526336));
        // fp16 is 1,052,672 bytes before zlib; random mantissas compress only a little.
        QVERIFY(fp16.size() > 800000 && fp16.size() < 1052672);
        // No row pruned: only the 2 x 64-byte bitmaps extra (zlib noise aside).
        QVERIFY(maskAll.size() < fp16.size() + 1024);
        // Half the rows of both weights pruned: 262,144 of 526,336 values not sent.
        QVERIFY(maskHalf.size() < fp16Half.size() * 6 / 10);
        QVERIFY(maskHalf.size() > fp16Half.size() * 4 / 10);

        const ParameterSet back = decodeParameters(maskHalf, halfPruned);
        for (int layer = 0; layer < 2; ++layer) {
            const auto& w = halfPruned[3 * layer].values;
            const auto& d = back[3 * layer].values;
            for (std::int64_t r = 0; r < kD; ++r)
                for (std::int64_t j = 0; j < kD; ++j) {
                    const std::size_t i = static_cast<std::size_t>(r * kD + j);
                    if (r % 2 == 0)
                        QCOMPARE(d[i], 0.0f);
                    else if (std::fabs(d[i] - w[i]) > std::fabs(w[i]) * pow2(-11) + pow2(-25))
                        QFAIL(qPrintable(QString("kept row %1 col %2 off by more than fp16 precision").arg(r).arg(j)));
                }
            QCOMPARE(back[3 * layer + 1].values[7], halfToFloat(floatToHalf(halfPruned[3 * layer + 1].values[7])));
        }
        const ParameterSet full = decodeParameters(fp32, fam);
        QCOMPARE(full[0].values, fam[0].values);
    }

    // ---- the delta codec ----------------------------------------------------------------
    // Reference and update chosen so that every delta, RMS and step is a power-of-two
    // multiple and every decoded value is exact in float: the outcome is computed by hand
    // for kDeltaStepPerRms = 1 (step = max(RMS, max |delta| / 127) of the row's delta).
    static ParameterSet deltaReference() {
        ParameterSet r;
        r.push_back({"a.weight", {2, 4}, {1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f}});
        r.push_back({"a.bias", {2}, {0.2f, -7.0f}});
        r.push_back({"a.threshold", {2}, {0.5f, 0.5f}});
        r.push_back({"b.weight", {1, 3}, {0, 0, 0}});
        return r;
    }
    static ParameterSet deltaUpdate() {
        const float e = pow2(-10);
        ParameterSet u = deltaReference();
        // row 0: deltas e, -e, 3e, 5e: RMS sqrt(36 e^2 / 4) = 3e > 5e / 127, so step 3e and
        // q = round(1/3, -1/3, 1, 5/3) = 0, 0, 1, 2; mean |w| ~1.002 > 0.5: kept.
        u[0].values = {1 + e, 1 - e, 1 + 3 * e, 1 + 5 * e, 0.1f, 0.1f, -0.1f, 0.1f};  // row 1: 0.1 <= 0.5: pruned
        u[1].values = {0.3f, -7.1f};
        u[2].values = {0.5f, 0.625f};
        // No threshold: int8 rows. RMS sqrt((6.25 + 0.25 + 0.25) / 3) = 1.5 = step, q = round(5/3, -1/3, 1/3) = 2, 0, 0.
        u[3].values = {2.5f, -0.5f, 0.5f};
        return u;
    }

    void deltaRoundTripIsTheHandComputedOne() {
        QCOMPARE(kDeltaStepPerRms, 1.0);  // the hand computation below assumes it
        const float e = pow2(-10);
        const ParameterSet reference = deltaReference(), update = deltaUpdate();
        const auto payload = encodeDelta(update, reference, kDeltaStepPerRms);
        QCOMPARE(payload[6], static_cast<std::uint8_t>(CodecKind::MaskAwareInt8DeltaZlib));
        const auto digest = referenceDigest(reference);
        QVERIFY(std::equal(digest.begin(), digest.end(), payload.begin() + 20));  // the reference's identity
        const ParameterSet out = decodeDelta(payload, reference);
        // Kept row: reference + q * 3e, each within 3e / 2 of the update; pruned row: zeros.
        const std::vector<float> expectedA = {1, 1, 1 + 3 * e, 1 + 6 * e, 0, 0, 0, 0};
        QCOMPARE(out[0].values, expectedA);
        for (std::size_t j = 0; j < 4; ++j) QVERIFY(std::fabs(out[0].values[j] - update[0].values[j]) <= 1.5f * e);
        // Biases and thresholds are lossless (XOR planes), bit for bit.
        QCOMPARE(out[1].values, update[1].values);
        QCOMPARE(out[2].values, update[2].values);
        // The pruned row stays pruned under the exact threshold; the kept row stays kept.
        QCOMPARE(keptRowsOf(out).at(0), (std::vector<bool>{true, false}));
        // Dense rank 2: 2 steps of 1.5, then zeros; each within 0.75.
        QCOMPARE(out[3].values, (std::vector<float>{3, 0, 0}));
        // An unchanged set decodes to itself but for its pruned rows: the reference's row 1
        // (mean 0.5, threshold 0.5) is pruned by the strict rule and decodes as zeros.
        QCOMPARE(decodeDelta(encodeDelta(reference, reference), reference)[0].values,
                 (std::vector<float>{1, 1, 1, 1, 0, 0, 0, 0}));
    }

    // The step's second term: a row whose delta is one outlier among zeros has an RMS far
    // below max / 127, so the step is max / 127 and the outlier is q = 127, not clamped;
    // where max / 127 is below the smallest float (a subnormal delta) the step rounds up to
    // it instead of to zero.
    void deltaStepNeverClampsAndNeverRoundsToZero() {
        const std::int64_t cols = 32768;  // RMS = max / sqrt(32768) = max / 181 < max / 127
        ParameterSet reference{{"w", {2, cols}, std::vector<float>(2 * cols, 0.0f)}};
        std::fill(reference[0].values.begin(), reference[0].values.begin() + cols, 0.5f);  // row 1 stays zeros
        ParameterSet update = reference;
        update[0].values[7] = 0.5f + 127;  // row 0: step exactly 1, q = 127
        update[0].values[cols + 3] = pow2(-149);  // row 1: step 2^-149 / 127 rounds to 0 in float
        const ParameterSet out = decodeDelta(encodeDelta(update, reference, kDeltaStepPerRms), reference);
        // Exact comparisons (QCOMPARE on floats is fuzzy near zero).
        QVERIFY(out[0].values[7] == 127.5f);
        QVERIFY(out[0].values[8] == 0.5f);
        QVERIFY(out[0].values[cols + 3] == pow2(-149));  // step 2^-149, q = 1
        QVERIFY(out[0].values[cols + 4] == 0.0f);
    }

    // Random FAM-sized deltas, Gaussian and with outliers: every kept value within step / 2
    // (step = max(k * RMS, max / 127) of its row's delta) plus half a float ulp of the
    // decoded value, pruned rows zero, rank-1 tensors exact; with the coarse step the peaked
    // symbols cost at most 3 bits each.
    void deltaOfTheFamWithinHalfAStep_data() {
        QTest::addColumn<double>("k");
        QTest::newRow("near-lossless") << 0.0;
        QTest::newRow("coarse") << kDeltaStepPerRms;
    }
    void deltaOfTheFamWithinHalfAStep() {
        QFETCH(double, k);
        const ParameterSet reference = makeFam(5, false);
        ParameterSet update = makeFam(5, true);  // same weights, even rows pruned
        std::mt19937 rng(9);
        std::normal_distribution<float> step(0.0f, 1e-3f);
        for (auto& tensor : update)
            for (auto& v : tensor.values) v += step(rng);
        for (std::int64_t row = 1; row < kD; row += 8) update[0].values[row * kD + row] += 0.5f;  // outliers
        const auto payload = encodeDelta(update, reference, k);
        const ParameterSet out = decodeDelta(payload, reference);
        for (std::size_t layer = 0; layer < 2; ++layer) {
            const auto& u = update[3 * layer].values;
            const auto& r = reference[3 * layer].values;
            const auto& d = out[3 * layer].values;
            for (std::int64_t row = 0; row < kD; ++row) {
                double largest = 0, sumSquares = 0;
                for (std::int64_t j = 0; j < kD; ++j) {
                    const double delta = double(u[row * kD + j]) - double(r[row * kD + j]);
                    largest = std::max(largest, std::fabs(delta));
                    sumSquares += delta * delta;
                }
                // The step as sent is this one rounded to float (relative 2^-24).
                const double halfStep = std::max(k * std::sqrt(sumSquares / kD), largest / 127) / 2 * (1 + pow2(-23));
                for (std::int64_t j = 0; j < kD; ++j) {
                    const std::size_t i = static_cast<std::size_t>(row * kD + j);
                    const double halfUlp = (double(std::nextafter(std::fabs(d[i]), 1e30f)) - std::fabs(d[i])) / 2;
                    if (row % 2 == 0) {
                        if (d[i] != 0.0f) QFAIL("a pruned row does not decode as zeros");
                    } else if (std::fabs(double(d[i]) - double(u[i])) > halfStep + halfUlp) {
                        QFAIL(qPrintable(QString("row %1 col %2 off by more than step / 2").arg(row).arg(j)));
                    }
                }
            }
            QCOMPARE(out[3 * layer + 1].values, update[3 * layer + 1].values);
            QCOMPARE(out[3 * layer + 2].values, update[3 * layer + 2].values);
        }
        const std::size_t keptValues = 2 * (kD / 2) * kD;
        qInfo("delta (k = %g) of a D=512 FAM, half the rows pruned, N(0, 1e-3) steps: %zu bytes, %.2f bits per kept "
              "value (mask-int8-zlib %zu)",
              k, payload.size(), 8.0 * double(payload.size()) / double(keptValues),
              encodeParameters(update, CodecKind::MaskAwareInt8Zlib).size());
        if (k > 0) QVERIFY(payload.size() * 8 < 3 * keptValues);
    }

    // ---- error feedback -------------------------------------------------------------
    // One site, 5 rounds, the same true delta d = (4, 1, -1, 0) e of row 0 each round, the
    // server taking the decoded upload as the next reference. Coarse step: RMS(d) = sqrt(4.5) e
    // ~ 2.12 e, so without feedback q = (2, 0, 0, 0) every round and the 1 e and -1 e values
    // never arrive (5 e off after 5 rounds); with feedback the sum of the decoded deltas stays
    // within one step of the sum of the true ones, the gap being the final residual.
    void feedbackSumTracksTheTrueDeltasWithinOneStep() {
        const double e = pow2(-4), step = std::sqrt(4.5) * e;
        const FeedbackRun plain = runFeedbackRounds(false);
        QCOMPARE(plain.trueSum[1] - plain.sentSum[1], 5 * e);  // q = 0 every round: nothing of it arrives
        QVERIFY(plain.trueSum[1] - plain.sentSum[1] > step);
        const FeedbackRun fed = runFeedbackRounds(true);
        QVERIFY(plain.masksKept && fed.masksKept);
        for (std::size_t j = 0; j < 4; ++j) {
            const double gap = fed.trueSum[j] - fed.sentSum[j];
            if (std::fabs(gap) > step) QFAIL(qPrintable(QString("value %1 is %2 steps off").arg(j).arg(gap / step)));
            // The gap is what the site still holds back (float rounding aside).
            QVERIFY(std::fabs(gap - double(fed.residual[0].values[j])) < 1e-6 * e);
        }
        // Nothing is held for the pruned row or the lossless tensors.
        for (std::size_t j = 4; j < 8; ++j) QVERIFY(fed.residual[0].values[j] == 0.0f);
        QCOMPARE(fed.residual[1].values, (std::vector<float>{0, 0}));
        QCOMPARE(fed.residual[2].values, (std::vector<float>{0, 0}));
    }

    // The residual changes no mask: a pruned row does not take it (the row stays unsent), a
    // kept row it would push under its threshold is sent without it (as encodeDelta sends
    // it); a residual of another layout is refused.
    void feedbackKeepsTheUpdatesMaskAndRefusesAnotherLayout() {
        const ParameterSet reference = deltaReference();
        const ParameterSet update = deltaUpdate();  // a.weight row 0 kept (mean ~1.002 > 0.5), row 1 pruned
        ParameterSet residual = update;
        for (auto& tensor : residual) std::fill(tensor.values.begin(), tensor.values.end(), 0.0f);
        for (std::size_t j = 0; j < 4; ++j) {
            residual[0].values[j] = -0.9f;     // row 0 plus it: mean ~0.1, under 0.5
            residual[0].values[4 + j] = 5.0f;  // row 1 plus it: mean 5.1, over 0.625
        }
        const ParameterSet out = decodeDelta(encodeDeltaWithFeedback(update, reference, kDeltaStepPerRms, residual), reference);
        QCOMPARE(keptRowsOf(out).at(0), (std::vector<bool>{true, false}));
        QCOMPARE(out[0].values, decodeDelta(encodeDelta(update, reference, kDeltaStepPerRms), reference)[0].values);
        // The next residual is this upload's own error: the rounding of row 0, nothing for row 1.
        for (std::size_t j = 0; j < 4; ++j) QCOMPARE(residual[0].values[j], update[0].values[j] - out[0].values[j]);
        for (std::size_t j = 4; j < 8; ++j) QVERIFY(residual[0].values[j] == 0.0f);
        // A residual that keeps the row above its threshold is carried: row 0 minus 0.25.
        for (std::size_t j = 0; j < 4; ++j) residual[0].values[j] = -0.25f;
        const ParameterSet carried = decodeDelta(encodeDeltaWithFeedback(update, reference, kDeltaStepPerRms, residual), reference);
        QCOMPARE(keptRowsOf(carried).at(0), (std::vector<bool>{true, false}));
        QVERIFY(carried[0].values[0] < 0.8f);
        ParameterSet wrong = reference;
        wrong.pop_back();
        EXPECT_ERROR(encodeDeltaWithFeedback(update, reference, kDeltaStepPerRms, wrong),
                     "the update holds 4 tensors, the reference 3 (the residual's layout is not the update's)");
    }

    // ---- byte budget -----------------------------------------------------------------
    // A D = 512 FAM, every row kept, moved by N(0, 0.01) from its reference: at k = 1 the int8
    // symbols cost ~2 bits each (~134 kB), so a 100 kB budget needs a coarser step.
    static ParameterSet movedFrom(const ParameterSet& reference, std::uint32_t seed) {
        std::mt19937 rng(seed);
        std::normal_distribution<float> normal(0.0f, 0.01f);
        ParameterSet update = reference;
        for (std::size_t t = 0; t < update.size(); t += 3)
            for (auto& v : update[t].values) v += normal(rng);
        return update;
    }

    void budgetThatFitsKeepsTheStartingStep() {
        const ParameterSet reference = makeFam(7, false);
        const ParameterSet update = movedFrom(reference, 8);
        const auto atOne = encodeDelta(update, reference, 1.0);
        const auto fitted = encodeDeltaWithinBudget(update, reference, 1.0, atOne.size());
        QCOMPARE(fitted.stepPerRms, 1.0);
        QVERIFY(fitted.payload == atOne);
        // No budget (0): the codec's own payload at the step, with feedback too.
        const auto unbounded = encodeDeltaWithinBudget(update, reference, 0.0, 0);
        QCOMPARE(unbounded.stepPerRms, 0.0);
        QVERIFY(unbounded.payload == encodeDelta(update, reference));
        ParameterSet residual = movedFrom(reference, 9), expected;
        for (std::size_t t = 0; t < residual.size(); ++t)
            for (std::size_t i = 0; i < residual[t].values.size(); ++i)
                residual[t].values[i] = t % 3 == 0 ? residual[t].values[i] - reference[t].values[i] : 0.0f;
        expected = residual;
        QVERIFY(encodeDeltaWithinBudget(update, reference, 1.0, 0, &residual).payload ==
                encodeDeltaWithFeedback(update, reference, 1.0, expected));
        for (std::size_t t = 0; t < residual.size(); ++t) QVERIFY2(residual[t].values == expected[t].values, residual[t].name.c_str());
    }

    void budgetCoarsensTheStepUntilTheUploadFits() {
        const ParameterSet reference = makeFam(7, false);
        const ParameterSet update = movedFrom(reference, 8);
        const std::size_t budget = 100'000;
        QVERIFY(encodeDelta(update, reference, 1.0).size() > budget);
        const auto fitted = encodeDeltaWithinBudget(update, reference, 1.0, budget);
        QVERIFY(fitted.payload.size() <= budget);
        QVERIFY(fitted.stepPerRms > 1.0);
        // The payload is the codec's own at that step, and a step 1/32 finer (twice the
        // search's resolution on [1, 2]) would not have fit: the search stops near the budget.
        QVERIFY(fitted.payload == encodeDelta(update, reference, fitted.stepPerRms));
        QVERIFY(encodeDelta(update, reference, fitted.stepPerRms - 1.0 / 32).size() > budget);
        qInfo("100 kB budget: step %.4f x RMS, %zu bytes", fitted.stepPerRms, fitted.payload.size());
    }

    // With feedback every try starts from the same residual, and the residual left is that of
    // the chosen payload: as encodeDeltaWithFeedback at the chosen step.
    void budgetWithFeedbackKeepsTheChosenTrysResidual() {
        const ParameterSet reference = makeFam(7, false);
        const ParameterSet update = movedFrom(reference, 8);
        ParameterSet residual = movedFrom(reference, 9);
        for (std::size_t t = 0; t < residual.size(); ++t)
            for (std::size_t i = 0; i < residual[t].values.size(); ++i) residual[t].values[i] -= reference[t].values[i];
        for (std::size_t t = 1; t < residual.size(); t += 3) std::fill(residual[t].values.begin(), residual[t].values.end(), 0.0f);
        for (std::size_t t = 2; t < residual.size(); t += 3) std::fill(residual[t].values.begin(), residual[t].values.end(), 0.0f);
        ParameterSet expected = residual;
        const auto fitted = encodeDeltaWithinBudget(update, reference, 1.0, 100'000, &residual);
        QVERIFY(fitted.stepPerRms > 1.0);
        QVERIFY(fitted.payload == encodeDeltaWithFeedback(update, reference, fitted.stepPerRms, expected));
        for (std::size_t t = 0; t < residual.size(); ++t) QVERIFY2(residual[t].values == expected[t].values, residual[t].name.c_str());
    }

    // Under the size of the tensors sent losslessly no step fits: a clear error, not an upload
    // over the budget.
    void budgetNoStepCanMeetIsRefused() {
        const ParameterSet reference = makeFam(7, false);
        const ParameterSet update = movedFrom(reference, 8);
        EXPECT_ERROR(encodeDeltaWithinBudget(update, reference, 1.0, 500), "no step fits the upload in the budget of 500 bytes");
    }

    void deltaRefusesTheWrongReference() {
        const ParameterSet reference = deltaReference();
        const auto payload = encodeDelta(deltaUpdate(), reference);
        ParameterSet other = reference;
        other[1].values[0] = std::nextafter(0.2f, 1.0f);  // one bit of one bias
        EXPECT_ERROR(decodeDelta(payload, other), "decodeDelta: reference mismatch: the payload is a delta from the global FAM with SHA-256");
        EXPECT_ERROR(decodeParameters(payload), "decode it with decodeDelta and that reference");
        EXPECT_ERROR(decodeParameters(payload, reference), "decode it with decodeDelta");
        EXPECT_ERROR(decodeDelta(encodeParameters(reference, CodecKind::MaskAwareInt8Zlib), reference),
                     "decodeDelta: payload codec is mask-int8-zlib, not mask-int8-delta-zlib");
        EXPECT_ERROR(encodeParameters(reference, CodecKind::MaskAwareInt8DeltaZlib), "use encodeDelta");
    }

    // The caller's digest stands for the reference: the right one decodes exactly as without
    // it, another one is a reference mismatch.
    void deltaDecodesWithTheCallersDigest() {
        const ParameterSet reference = deltaReference();
        const auto payload = encodeDelta(deltaUpdate(), reference);
        const auto digest = referenceDigest(reference);
        const auto withDigest = decodeDelta(payload, reference, digest);
        const auto without = decodeDelta(payload, reference);
        QCOMPARE(withDigest.size(), without.size());
        for (size_t t = 0; t < without.size(); ++t) QVERIFY(withDigest[t].values == without[t].values);
        auto wrong = digest;
        wrong[31] ^= 1;
        EXPECT_ERROR(decodeDelta(payload, reference, wrong), "decodeDelta: reference mismatch");
    }

    void deltaEncoderRefuses() {
        const ParameterSet reference = deltaReference();
        ParameterSet update = deltaUpdate();
        update[3].shape = {3, 1};
        EXPECT_ERROR(encodeDelta(update, reference), "encodeDelta: tensor 'b.weight' has shape [3,1] in the update, [1,3] in the reference");
        update = deltaUpdate();
        update[3].name = "c.weight";
        EXPECT_ERROR(encodeDelta(update, reference), "update tensor 3 is 'c.weight', the reference's is 'b.weight'");
        update = deltaUpdate();
        update.pop_back();
        EXPECT_ERROR(encodeDelta(update, reference), "the update holds 3 tensors, the reference 4");
        update = deltaUpdate();
        update[1].values[1] = std::numeric_limits<float>::quiet_NaN();
        EXPECT_ERROR(encodeDelta(update, reference), "encodeDelta: update: tensor 'a.bias' value 1 is not finite");
        ParameterSet badReference = reference;
        badReference[3].values[2] = std::numeric_limits<float>::infinity();
        EXPECT_ERROR(encodeDelta(deltaUpdate(), badReference), "encodeDelta: reference: tensor 'b.weight' value 2 is not finite");
    }

    void deltaDecoderRejectsEveryMalformedField() {
        // One tensor "w" [1,2] (no threshold: int8 rows) against a reference of zeros.
        const ParameterSet reference{{"w", {1, 2}, {0, 0}}};
        const std::vector<CraftTensor> w{{"w", {1, 2}, 2}};
        auto row = [](std::uint32_t scaleBits, std::uint8_t q0, std::uint8_t q1) {
            std::vector<std::uint8_t> raw;
            put(raw, scaleBits, 4);
            raw.push_back(q0);
            raw.push_back(q1);
            return raw;
        };
        const auto good = row(0x3c000000u, 127, 0x81);  // scale 2^-7: values 127/128, -127/128
        QCOMPARE(decodeDelta(craftDeltaPayload(reference, w, 6, zlibOf(good)), reference)[0].values,
                 (std::vector<float>{127.0f / 128, -127.0f / 128}));
        {  // A payload ending 10 bytes into its digest.
            auto shortDigest = craftDeltaPayload(reference, w, 6, zlibOf(good));
            shortDigest.resize(30);
            for (int i = 0; i < 8; ++i) shortDigest[8 + i] = static_cast<std::uint8_t>(std::uint64_t{34} >> (8 * i));
            put(shortDigest, payloadCrc32(shortDigest.data(), shortDigest.size()), 4);
            EXPECT_ERROR(decodeDelta(shortDigest, reference), "reference digest at offset 20 needs 32 bytes");
        }
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 6, zlibOf(row(0x7fc00000u, 1, 1))), reference),
                     "body of tensor 'w' row 0 has an invalid scale");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 6, zlibOf(row(0xbc000000u, 1, 1))), reference),
                     "invalid scale");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 6, zlibOf(row(0x3c000000u, 1, 0x80))), reference),
                     "body of tensor 'w' row 0 value 1 is -128, outside -127..127");
        // 127 steps of the largest finite scale overflow float: refused as non-finite.
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 6, zlibOf(row(0x7f7fffffu, 127, 0))), reference),
                     "tensor 'w' value 0 is not finite");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 7, zlibOf(good)), reference),
                     "raw body size field 7 does not fit the tensor header (expected 6 bytes)");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, w, 6, std::vector<std::uint8_t>(12, 0xff)), reference),
                     "not a valid zlib stream");
        // Layouts: int8 rows on rank 1, row-masked on rank 1, an unknown layout.
        const ParameterSet vector{{"v", {2}, {1, 2}}};
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(vector, {{"v", {2}, 2}}, 6, zlibOf(good)), vector),
                     "tensor 'v' has int8 rows, which need an int8 codec and rank 2");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(vector, {{"v", {2}, 1}}, 6, zlibOf(good)), vector), "rank 2 required");
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(vector, {{"v", {2}, 7}}, 6, zlibOf(good)), vector), "unknown layout 7");
        // XOR planes: exactly 4 bytes per value; all-zero planes decode to the reference.
        QCOMPARE(decodeDelta(craftDeltaPayload(vector, {{"v", {2}, 0}}, 8, zlibOf(std::vector<std::uint8_t>(8))), vector)[0].values,
                 vector[0].values);
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(vector, {{"v", {2}, 0}}, 4, zlibOf(std::vector<std::uint8_t>(4))), vector),
                     "raw body size field 4 does not fit the tensor header (expected 8 bytes)");
        // The payload must hold the reference's layout.
        EXPECT_ERROR(decodeDelta(craftDeltaPayload(reference, {{"x", {1, 2}, 2}}, 6, zlibOf(good)), ParameterSet{{"x", {2, 1}, {0, 0}}}),
                     "reference mismatch");
        const auto real = encodeDelta(deltaUpdate(), deltaReference());
        EXPECT_ERROR(decodeDelta(real, ParameterSet{}), "reference mismatch");
        // Truncation, stray bytes, flipped bytes (checksum), over limits.
        for (std::size_t keep : {std::size_t(0), std::size_t(19), std::size_t(30), real.size() - 1}) {
            auto cut = real;
            cut.resize(keep);
            EXPECT_ERROR(decodeDelta(cut, deltaReference()), "truncated");
        }
        auto flipped = real;
        flipped[30] ^= 0x01;  // inside the digest
        EXPECT_ERROR(decodeDelta(flipped, deltaReference()), "checksum mismatch");
        CodecLimits tight;
        tight.maxElements = 10;
        EXPECT_ERROR(decodeDelta(real, deltaReference(), tight), "total element count exceeds the limit of 10");
    }

    // ---- encoder refusals ---------------------------------------------------------------
    void encodeRefuses_data() {
        QTest::addColumn<CodecKind>("kind");
        QTest::addColumn<float>("value");
        QTest::addColumn<QString>("fragment");
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const float inf = std::numeric_limits<float>::infinity();
        QTest::newRow("NaN fp32") << CodecKind::Fp32Raw << nan << "tensor 'proj.bias' value 1 is not finite";
        QTest::newRow("Inf fp16") << CodecKind::Fp16Zlib << inf << "tensor 'proj.bias' value 1 is not finite";
        QTest::newRow("-Inf mask") << CodecKind::MaskAwareFp16Zlib << -inf << "is not finite";
        QTest::newRow("half overflow fp16") << CodecKind::Fp16Zlib << 70000.0f << "overflows half precision";
        QTest::newRow("half overflow mask") << CodecKind::MaskAwareFp16Zlib << -65520.0f << "overflows half precision";
    }
    void encodeRefuses() {
        QFETCH(CodecKind, kind);
        QFETCH(float, value);
        QFETCH(QString, fragment);
        ParameterSet s = smallSet();
        s[1].values[1] = value;
        const QString msg = errorOf([&] { encodeParameters(s, kind); });
        QVERIFY2(msg.contains(fragment), qPrintable(msg));
    }

    void encodeRefusesMalformedSets() {
        ParameterSet s = smallSet();
        s[0].values.pop_back();
        EXPECT_ERROR(encodeParameters(s, CodecKind::Fp32Raw), "tensor 'proj.weight' has 5 values but shape [2,3] needs 6");
        s = smallSet();
        s[2].name = "proj.bias";
        EXPECT_ERROR(encodeParameters(s, CodecKind::Fp16Zlib), "duplicate tensor name 'proj.bias'");
        s = smallSet();
        s[2].name.clear();
        EXPECT_ERROR(encodeParameters(s, CodecKind::Fp16Zlib), "empty name");
        // fp32 carries values beyond the half range.
        s = smallSet();
        s[1].values[0] = 1e6f;
        QCOMPARE(decodeParameters(encodeParameters(s, CodecKind::Fp32Raw))[1].values[0], 1e6f);
    }

    // ---- decoder rejections -------------------------------------------------------------
    void rejectsTruncation_data() {
        QTest::addColumn<CodecKind>("kind");
        QTest::addColumn<int>("keep");  // bytes kept; negative = size + keep
        for (CodecKind k : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib}) {
            for (int keep : {0, 3, 4, 7, 15, 19, 23, 24, 40, 100, -100, -5, -4, -1}) {
                const QByteArray tag = QByteArray::fromStdString(codecName(k)) + " keep " + QByteArray::number(keep);
                QTest::newRow(tag.constData()) << k << keep;
            }
        }
    }
    void rejectsTruncation() {
        QFETCH(CodecKind, kind);
        QFETCH(int, keep);
        auto p = encodeParameters(smallSet(), kind);
        const std::size_t n = keep >= 0 ? std::size_t(keep) : p.size() + keep;
        QVERIFY(n < p.size());
        p.resize(n);
        EXPECT_ERROR(decodeParameters(p), "truncated");
    }

    void rejectsTrailingGarbage() {
        auto p = encodeParameters(smallSet(), CodecKind::Fp16Zlib);
        p.push_back(0);
        EXPECT_ERROR(decodeParameters(p), "1 trailing bytes");
    }

    void rejectsFlippedByte_data() {
        QTest::addColumn<CodecKind>("kind");
        QTest::addColumn<int>("offset");  // negative = from the end
        for (CodecKind k : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib})
            for (int off : {16, 22, 30, 60, -30, -6, -5, -1}) {
                const QByteArray tag = QByteArray::fromStdString(codecName(k)) + " at " + QByteArray::number(off);
                QTest::newRow(tag.constData()) << k << off;
            }
    }
    void rejectsFlippedByte() {
        QFETCH(CodecKind, kind);
        QFETCH(int, offset);
        auto p = encodeParameters(smallSet(), kind);
        const std::size_t at = offset >= 0 ? std::size_t(offset) : p.size() + offset;
        p[at] ^= 0x10;
        EXPECT_ERROR(decodeParameters(p), "checksum mismatch");
    }

    void rejectsHeaderFields() {
        const auto good = encodeParameters(smallSet(), CodecKind::Fp16Zlib);
        auto p = good;
        p[0] = 'X';
        EXPECT_ERROR(decodeParameters(p), "bad magic");
        p = good;
        p[4] = 2;
        EXPECT_ERROR(decodeParameters(p), "unsupported format version 2");
        p = good;
        p[6] = 5;
        EXPECT_ERROR(decodeParameters(p), "unsupported codec kind 5");
        p = good;
        p[7] = 1;
        EXPECT_ERROR(decodeParameters(p), "unsupported flags");
        EXPECT_ERROR(decodeParameters(std::vector<std::uint8_t>{}), "truncated");
        const std::vector<std::uint8_t> notOurs(200, 0x42);
        EXPECT_ERROR(decodeParameters(notOurs), "bad magic");
    }

    void rejectsNonFiniteAfterDecoding_data() {
        QTest::addColumn<std::uint32_t>("f32bits");
        QTest::newRow("NaN") << std::uint32_t(0x7fc00000);
        QTest::newRow("+Inf") << std::uint32_t(0x7f800000);
        QTest::newRow("-Inf") << std::uint32_t(0xff800000);
    }
    void rejectsNonFiniteAfterDecoding() {
        QFETCH(std::uint32_t, f32bits);
        // fp32: patch the last value of "tiny" (the body's last float) and re-sign.
        auto p = encodeParameters(smallSet(), CodecKind::Fp32Raw);
        const std::size_t at = p.size() - 4 - 4;
        for (int i = 0; i < 4; ++i) p[at + i] = static_cast<std::uint8_t>(f32bits >> (8 * i));
        refreshChecksum(p);
        EXPECT_ERROR(decodeParameters(p), "tensor 'tiny' value 2 is not finite");

        // fp16: a crafted, validly checksummed body holding the half NaN/Inf pattern.
        const std::uint16_t h = floatToHalf(bitsToFloat(f32bits));
        const std::vector<std::uint8_t> raw = {0x00, 0x3c, static_cast<std::uint8_t>(h), static_cast<std::uint8_t>(h >> 8)};
        const auto crafted = craftPayload(1, {{"x", {2}, 0}}, 4, zlibOf(raw));
        EXPECT_ERROR(decodeParameters(crafted), "tensor 'x' value 1 is not finite");
    }

    void rejectsWrongLayout() {
        const ParameterSet set = smallSet();
        const auto p = encodeParameters(set, CodecKind::Fp16Zlib);
        ParameterSet expected = set;
        expected[0].shape = {3, 2};
        EXPECT_ERROR(decodeParameters(p, expected),
                     "payload tensor 'proj.weight' has shape [2,3], the federation layout expects [3,2]");
        expected = set;
        expected[1].name = "proj.b";
        EXPECT_ERROR(decodeParameters(p, expected), "payload tensor 1 is 'proj.bias', the federation layout expects 'proj.b'");
        expected = set;
        expected.pop_back();
        EXPECT_ERROR(decodeParameters(p, expected), "payload holds 4 tensors, the federation layout expects 3");
        // The real FAM layout against a D=256 payload.
        ParameterSet small;
        small.push_back({"fc1.weight", {256, 256}, std::vector<float>(256 * 256, 0.01f)});
        const auto p256 = encodeParameters(small, CodecKind::MaskAwareFp16Zlib);
        ParameterSet famLayout;
        famLayout.push_back({"fc1.weight", {512, 512}, {}});
        EXPECT_ERROR(decodeParameters(p256, famLayout), "has shape [256,256], the federation layout expects [512,512]");
    }

    void rejectsOverLimits() {
        const ParameterSet fam = makeFam(1, false);
        const auto p = encodeParameters(fam, CodecKind::Fp32Raw);
        CodecLimits tight;
        tight.maxPayloadBytes = 1u << 20;
        EXPECT_ERROR(decodeParameters(p, tight), "exceeds the limit of 1048576 bytes");
        tight = {};
        tight.maxElements = 500000;
        EXPECT_ERROR(decodeParameters(p, tight), "total element count exceeds the limit of 500000 at tensor 'fc2.weight'");
        tight = {};
        tight.maxTensors = 5;
        EXPECT_ERROR(decodeParameters(p, tight), "tensor count 6 exceeds the limit of 5");
        QCOMPARE(decodeParameters(p).size(), std::size_t(6));  // default limits accept the FAM

        // Hostile headers with valid checksums.
        const auto huge = craftPayload(1, {{"w", {100000, 100000}, 0}}, 8, zlibOf(std::vector<std::uint8_t>(8)));
        EXPECT_ERROR(decodeParameters(huge), "tensor 'w' element count exceeds the limit of 16000000");
        const auto overflow = craftPayload(1, {{"w", {1ull << 62, 1ull << 62, 0}, 0}}, 0, zlibOf({}));
        EXPECT_ERROR(decodeParameters(overflow), "element count exceeds the limit");
        std::vector<CraftTensor> many;
        for (int i = 0; i < 65; ++i) many.push_back({"t" + std::to_string(i), {1}, 0});
        EXPECT_ERROR(decodeParameters(craftPayload(1, many, 130, zlibOf(std::vector<std::uint8_t>(130)))),
                     "tensor count 65 exceeds the limit of 64");
    }

    void rejectsDecompressionBomb() {
        // 64 MiB of zeros deflate to ~64 KB. The header declares one tensor of 4 halves (8 bytes).
        const std::vector<std::uint8_t> zeros(64u << 20, 0);
        const auto bombBody = zlibOf(zeros);
        QVERIFY(bombBody.size() < 200000);
        const auto bomb = craftPayload(1, {{"w", {4}, 0}}, 8, bombBody);
        EXPECT_ERROR(decodeParameters(bomb), "inflates beyond the declared raw body size of 8 bytes");
        // Declaring the true inflated size is caught before inflating: it does not fit the header.
        const auto honest = craftPayload(1, {{"w", {4}, 0}}, zeros.size(), bombBody);
        EXPECT_ERROR(decodeParameters(honest), "raw body size field 67108864 does not fit the tensor header (expected 8 bytes)");
        // A header big enough for the bomb but beyond the decompressed-size limit.
        CodecLimits limits;
        limits.maxPayloadBytes = 16u << 20;
        limits.maxElements = 40'000'000;
        const auto big = craftPayload(1, {{"w", {32u << 20}, 0}}, zeros.size(), bombBody);
        EXPECT_ERROR(decodeParameters(big, limits), "decompressed body of 67108864 bytes exceeds the limit");
    }

    void rejectsInconsistentBodies() {
        const std::vector<std::uint8_t> raw(8, 0);
        // Stream cut short (raw size consistent with the header).
        auto stream = zlibOf(raw);
        stream.resize(stream.size() - 6);
        EXPECT_ERROR(decodeParameters(craftPayload(1, {{"w", {4}, 0}}, 8, stream)), "ends early");
        // Not zlib at all.
        EXPECT_ERROR(decodeParameters(craftPayload(1, {{"w", {4}, 0}}, 8, std::vector<std::uint8_t>(12, 0xff))),
                     "not a valid zlib stream");
        // Stream shorter than declared: inflates to 6 bytes where 8 are declared.
        EXPECT_ERROR(decodeParameters(craftPayload(1, {{"w", {4}, 0}}, 8, zlibOf(std::vector<std::uint8_t>(6)))),
                     "inflates to 6 bytes but the raw body size field declares 8");
        // Bytes after the zlib stream inside the stored body.
        auto padded = zlibOf(raw);
        padded.push_back(0);
        EXPECT_ERROR(decodeParameters(craftPayload(1, {{"w", {4}, 0}}, 8, padded)), "stray bytes follow the zlib stream");
        // fp32 bodies are stored raw.
        EXPECT_ERROR(decodeParameters(craftPayload(0, {{"w", {2}, 0}}, 8, std::vector<std::uint8_t>(9))),
                     "stored uncompressed");
        // Row-masked layout outside the mask-aware codec, or on a non-matrix.
        EXPECT_ERROR(decodeParameters(craftPayload(1, {{"w", {2, 2}, 1}}, 8, zlibOf(raw))), "is row-masked but the codec is fp16-zlib");
        EXPECT_ERROR(decodeParameters(craftPayload(2, {{"w", {4}, 1}}, 8, zlibOf(raw))), "rank 2 required");
        // Mask bitmap promising more rows than the body holds: 2 rows kept of [2,2] need 8 bytes.
        const std::vector<std::uint8_t> masked = {0x03, 0, 0x3c, 0, 0x3c};  // bitmap + 2 halves only
        EXPECT_ERROR(decodeParameters(craftPayload(2, {{"w", {2, 2}, 1}}, masked.size(), zlibOf(masked))),
                     "body of tensor 'w' row 1");
        // Spare bitmap bits set.
        const std::vector<std::uint8_t> spare = {0x04};
        EXPECT_ERROR(decodeParameters(craftPayload(2, {{"w", {2, 2}, 1}}, 1, zlibOf(spare))), "bits set beyond row 2");
        // Mask body with bytes left over.
        const std::vector<std::uint8_t> extra = {0x00, 0x00, 0x00};
        EXPECT_ERROR(decodeParameters(craftPayload(2, {{"w", {2, 2}, 1}}, 3, zlibOf(extra))), "unused bytes");
        // A crafted all-pruned mask body decodes to zeros.
        const ParameterSet zero = decodeParameters(craftPayload(2, {{"w", {2, 2}, 1}}, 1, zlibOf({0x00})));
        QCOMPARE(zero[0].values, std::vector<float>(4, 0.0f));
    }

    // Random byte mutations with a re-computed checksum reach the structural parser: every
    // outcome must be a clean decode or an fmc::Error, never a crash or another exception.
    void randomCorruptionsFailCleanly() {
        std::mt19937 rng(1234);
        ParameterSet set = smallSet();
        set.push_back({"m.weight", {3, 4}, {1, 1, 1, 1, 0, 0, 0, 0, 2, -2, 2, -2}});
        set.push_back({"m.threshold", {3}, {0.5f, 0.5f, 0.5f}});
        int rejected = 0, decoded = 0;
        for (CodecKind kind : {CodecKind::Fp32Raw, CodecKind::Fp16Zlib, CodecKind::MaskAwareFp16Zlib}) {
            const auto good = encodeParameters(set, kind);
            for (int n = 0; n < 1500; ++n) {
                auto p = good;
                std::uniform_int_distribution<std::size_t> pos(0, p.size() - 5);
                const int flips = 1 + n % 3;
                for (int f = 0; f < flips; ++f) p[pos(rng)] = static_cast<std::uint8_t>(rng());
                refreshChecksum(p);
                try {
                    decodeParameters(p);
                    ++decoded;
                } catch (const fmc::Error&) {
                    ++rejected;
                } catch (const std::exception& e) {
                    QFAIL(qPrintable(QString("non-fmc exception: ") + e.what()));
                }
            }
        }
        QVERIFY(rejected > 1000);
        qInfo("random corruptions: %d rejected with fmc::Error, %d decoded (value bytes only)", rejected, decoded);
    }

private:
    static float bitsToFloat(std::uint32_t u) {
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
};

QTEST_GUILESS_MAIN(TestCodec)
#include "tst_codec.moc"
