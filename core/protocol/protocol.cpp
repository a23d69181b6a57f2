#include "protocol/protocol.h"

#include "common/sha256.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

namespace fmc::federation {

QString qs(const std::string& text) { return QString::fromStdString(text); }
std::string ss(const QString& text) { return text.toStdString(); }

std::string aggregationRuleName(AggregationRule rule) {
    switch (rule) {
    case AggregationRule::FedAvg: return "fedavg";
    case AggregationRule::Median: return "median";
    case AggregationRule::TrimmedMean: return "trimmed-mean";
    }
    throw Error("aggregation: unknown rule");
}

AggregationRule aggregationRuleFromName(const std::string& name) {
    if (name == "fedavg") return AggregationRule::FedAvg;
    if (name == "median") return AggregationRule::Median;
    if (name == "trimmed-mean") return AggregationRule::TrimmedMean;
    throw Error("aggregation: '" + name + "' is not one of fedavg, median, trimmed-mean");
}

namespace {

// Modality and body part values are DICOM code strings (or "photo"): letters, digits,
// underscore and space, at most 16 characters.
void validateDomainValues(const std::vector<std::string>& values, const char* field) {
    static const QRegularExpression codeString(QStringLiteral("^[A-Za-z0-9_ ]{1,16}$"));
    if (values.size() > 64) throw Error(std::string("image_domain.") + field + ": at most 64 values");
    std::set<std::string> seen;
    for (const auto& value : values) {
        if (!codeString.match(qs(value)).hasMatch())
            throw Error(std::string("image_domain.") + field + ": '" + value +
                        "' is not a DICOM code string (1 to 16 letters, digits, '_' or spaces)");
        if (!seen.insert(value).second) throw Error(std::string("image_domain.") + field + ": '" + value + "' is listed twice");
    }
}

void validateImageDomain(const ImageDomain& domain) {
    validateDomainValues(domain.modalities, "modalities");
    validateDomainValues(domain.bodyParts, "body_parts");
    validateDomainValues(domain.photometric, "photometric");
    for (const auto& kind : domain.photometric)
        if (kind != kColourPhotometric && kind != kGreyPhotometric)
            throw Error("image_domain.photometric: '" + kind + "' is neither 'colour' nor 'grey'");
}

}  // namespace

void validateSettings(const FederationSettings& s) {
    if (s.name.empty() || s.name.size() > 200) throw Error("name: must hold 1 to 200 characters");
    if (s.classNames.size() < 2) throw Error("classes: a federation needs at least two classes");
    if (s.classNames.size() > 1000) throw Error("classes: at most 1000 classes");
    std::set<std::string> seen;
    for (const auto& name : s.classNames) {
        if (name.empty() || name.size() > 200) throw Error("classes: every class name must hold 1 to 200 characters");
        if (!seen.insert(name).second) throw Error("classes: '" + name + "' is listed twice");
    }
    if (s.promptTemplate.empty() || s.promptTemplate.size() > 500)
        throw Error("prompt_template: must hold 1 to 500 characters");
    if (s.bundleName.empty()) throw Error("bundle_name: missing");
    static const QRegularExpression hex64(QStringLiteral("^[0-9a-f]{64}$"));
    if (!hex64.match(qs(s.bundleHash)).hasMatch())
        throw Error("bundle_hash: must be 64 lowercase hex characters (the bundle's manifest bundle_hash)");
    if (s.embeddingDim < 1 || s.embeddingDim > 8192) throw Error("embedding_dim: must lie in 1..8192");
    if (s.rounds < 1 || s.rounds > 100000) throw Error("rounds: must lie in 1..100000");
    if (s.minSites < 1 || s.minSites > 10000) throw Error("min_sites: must lie in 1..10000");
    if (s.roundDeadlineSeconds < 1 || s.roundDeadlineSeconds > 30 * 24 * 3600)
        throw Error("round_deadline_s: must lie in 1 s..30 days");
    if (s.aggregation == AggregationRule::TrimmedMean && !(s.trimFraction >= 0 && s.trimFraction < 0.5))
        throw Error("trim_fraction: must lie in [0, 0.5)");
    if (!std::isfinite(s.normBound) || s.normBound < 0) throw Error("norm_bound: must be a finite number >= 0");
    validateImageDomain(s.imageDomain);
    // The codec has to carry one FAM: D*D weights twice.
    const std::int64_t elements = 2LL * s.embeddingDim * s.embeddingDim + 6LL * s.embeddingDim;
    if (elements > CodecLimits{}.maxElements) throw Error("embedding_dim: the FAM would exceed the codec's element limit");
}

QJsonObject taskToJson(const FederationTask& task) {
    const auto& s = task.settings;
    QJsonArray classes;
    for (const auto& name : s.classNames) classes.append(qs(name));
    QJsonArray layout;
    for (const auto& tensor : famLayout(s.embeddingDim, s.shareThresholds)) {
        QJsonArray shape;
        for (auto d : tensor.shape) shape.append(static_cast<qint64>(d));
        layout.append(QJsonObject{{"name", qs(tensor.name)}, {"shape", shape}});
    }
    QJsonObject json{
        {"protocol_version", kProtocolVersion},
        {"federation_id", qs(task.federationId)},
        {"name", qs(s.name)},
        {"classes", classes},
        {"prompt_template", qs(s.promptTemplate)},
        {"bundle_name", qs(s.bundleName)},
        {"bundle_hash", qs(s.bundleHash)},
        {"embedding_dim", s.embeddingDim},
        {"share_thresholds", s.shareThresholds},
        {"fam_layout", layout},
        {"rounds", s.rounds},
        {"min_sites", s.minSites},
        {"round_deadline_s", s.roundDeadlineSeconds},
        {"codec", qs(codecName(s.codec))},
        {"aggregation", qs(aggregationRuleName(s.aggregation))},
        {"mask_aware_aggregation", s.maskAwareAggregation},
        {"trim_fraction", s.trimFraction},
        {"norm_bound", s.normBound},
        // A string: JSON numbers lose integers above 2^53.
        {"init_seed", QString::number(s.initSeed)},
    };
    // Only when declared: a task without it accepts every kind of image (and reads as before).
    if (restrictsAnything(s.imageDomain)) {
        const auto list = [](const std::vector<std::string>& values) {
            QJsonArray array;
            for (const auto& value : values) array.append(qs(value));
            return array;
        };
        json.insert("image_domain", QJsonObject{{"modalities", list(s.imageDomain.modalities)},
                                                {"body_parts", list(s.imageDomain.bodyParts)},
                                                {"photometric", list(s.imageDomain.photometric)}});
    }
    return json;
}

namespace {

const QJsonValue& require(const QJsonValue& value, const std::string& origin, const char* field) {
    if (value.isUndefined() || value.isNull()) throw Error(origin + ": field '" + field + "' is missing");
    return value;
}

std::string requireString(const QJsonObject& json, const std::string& origin, const char* field) {
    const auto& value = require(json.value(QLatin1String(field)), origin, field);
    if (!value.isString()) throw Error(origin + ": field '" + std::string(field) + "' must be a string");
    return ss(value.toString());
}

int requireInt(const QJsonObject& json, const std::string& origin, const char* field) {
    const auto& value = require(json.value(QLatin1String(field)), origin, field);
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || number != std::floor(number) || std::abs(number) > 2e9)
        throw Error(origin + ": field '" + std::string(field) + "' must be an integer");
    return static_cast<int>(number);
}

double requireNumber(const QJsonObject& json, const std::string& origin, const char* field) {
    const auto& value = require(json.value(QLatin1String(field)), origin, field);
    if (!value.isDouble()) throw Error(origin + ": field '" + std::string(field) + "' must be a number");
    return value.toDouble();
}

// Absent or null: the federation declares no kind of image.
ImageDomain requireImageDomain(const QJsonObject& json, const std::string& origin) {
    ImageDomain domain;
    const auto value = json.value("image_domain");
    if (value.isUndefined() || value.isNull()) return domain;
    if (!value.isObject())
        throw Error(origin + ": field 'image_domain' must be an object with modalities, body_parts, photometric");
    const auto object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        if (it.key() != "modalities" && it.key() != "body_parts" && it.key() != "photometric")
            throw Error(origin + ": field 'image_domain." + ss(it.key()) +
                        "' is unknown (expected modalities, body_parts, photometric)");
    const auto read = [&](const char* key, std::vector<std::string>& values) {
        const auto list = object.value(QLatin1String(key));
        if (list.isUndefined() || list.isNull()) return;
        const auto field = std::string("image_domain.") + key;
        if (!list.isArray()) throw Error(origin + ": field '" + field + "' must be an array of strings");
        for (const auto& item : list.toArray()) {
            if (!item.isString()) throw Error(origin + ": field '" + field + "' must be an array of strings");
            values.push_back(ss(item.toString()));
        }
    };
    read("modalities", domain.modalities);
    read("body_parts", domain.bodyParts);
    read("photometric", domain.photometric);
    domain.declared = restrictsAnything(domain);
    return domain;
}

}  // namespace

FederationTask taskFromJson(const QJsonObject& json, const std::string& origin) {
    FederationTask task;
    const int version = requireInt(json, origin, "protocol_version");
    if (version != kProtocolVersion)
        throw Error(origin + ": protocol_version " + std::to_string(version) + " is not supported (this site speaks " +
                    std::to_string(kProtocolVersion) + "); update the site software");
    task.federationId = requireString(json, origin, "federation_id");
    auto& s = task.settings;
    s.name = requireString(json, origin, "name");
    const auto classes = require(json.value("classes"), origin, "classes");
    if (!classes.isArray()) throw Error(origin + ": field 'classes' must be an array of strings");
    for (const auto& name : classes.toArray()) {
        if (!name.isString()) throw Error(origin + ": field 'classes' must be an array of strings");
        s.classNames.push_back(ss(name.toString()));
    }
    s.promptTemplate = requireString(json, origin, "prompt_template");
    s.bundleName = requireString(json, origin, "bundle_name");
    s.bundleHash = requireString(json, origin, "bundle_hash");
    s.embeddingDim = requireInt(json, origin, "embedding_dim");
    const auto share = require(json.value("share_thresholds"), origin, "share_thresholds");
    if (!share.isBool()) throw Error(origin + ": field 'share_thresholds' must be true or false");
    s.shareThresholds = share.toBool();
    s.rounds = requireInt(json, origin, "rounds");
    s.minSites = requireInt(json, origin, "min_sites");
    s.roundDeadlineSeconds = requireInt(json, origin, "round_deadline_s");
    const auto codec = requireString(json, origin, "codec");
    const auto aggregation = requireString(json, origin, "aggregation");
    const auto maskAware = json.value("mask_aware_aggregation");
    if (!maskAware.isUndefined() && !maskAware.isBool())
        throw Error(origin + ": field 'mask_aware_aggregation' must be true or false");
    s.maskAwareAggregation = maskAware.toBool(false);
    s.trimFraction = requireNumber(json, origin, "trim_fraction");
    s.normBound = requireNumber(json, origin, "norm_bound");
    bool seedOk = false;
    s.initSeed = json.value("init_seed").toString().toULongLong(&seedOk);
    if (!seedOk) throw Error(origin + ": field 'init_seed' must be a decimal string");
    s.imageDomain = requireImageDomain(json, origin);
    try {
        s.codec = codecFromName(codec);
        s.aggregation = aggregationRuleFromName(aggregation);
        validateSettings(s);
    } catch (const Error& error) {
        throw Error(origin + ": " + error.what());
    }
    return task;
}

ParameterSet famLayout(int embeddingDim, bool shareThresholds) {
    const std::int64_t d = embeddingDim;
    ParameterSet layout;
    for (const char* layer : {"fc1", "fc2"}) {
        layout.push_back({std::string(layer) + ".weight", {d, d}, {}});
        layout.push_back({std::string(layer) + ".bias", {d}, {}});
        if (shareThresholds) layout.push_back({std::string(layer) + ".threshold", {d}, {}});
    }
    return layout;
}

CodecKind globalCodec(CodecKind uploadCodec) {
    return codecNeedsReference(uploadCodec) ? CodecKind::MaskAwareFp16Zlib : uploadCodec;
}

ParameterSet uploadReference(int round, const FederationSettings& settings, const ParameterSet& previousGlobal) {
    if (round > 1) return previousGlobal;
    auto zero = famLayout(settings.embeddingDim, settings.shareThresholds);
    for (auto& tensor : zero) tensor.values.assign(static_cast<std::size_t>(tensor.numel()), 0.0f);
    return zero;
}

std::vector<std::uint8_t> encodeUpload(const ParameterSet& fam, const FederationSettings& settings, int round,
                                       const ParameterSet& previousGlobal, std::size_t budgetBytes) {
    if (!codecNeedsReference(settings.codec)) return encodeParameters(fam, settings.codec);
    if (round > 1) return encodeDeltaWithinBudget(fam, previousGlobal, 0, budgetBytes).payload;
    return encodeDeltaWithinBudget(fam, uploadReference(1, settings, {}), 0, budgetBytes).payload;
}

std::vector<std::uint8_t> encodeUploadWithFeedback(const ParameterSet& fam, const FederationSettings& settings,
                                                   int round, const ParameterSet& previousGlobal, ParameterSet& residual,
                                                   std::size_t budgetBytes) {
    if (!codecNeedsReference(settings.codec)) return encodeParameters(fam, settings.codec);
    if (round > 1) return encodeDeltaWithinBudget(fam, previousGlobal, kDeltaStepPerRms, budgetBytes, &residual).payload;
    return encodeDeltaWithinBudget(fam, uploadReference(1, settings, {}), kDeltaStepPerRms, budgetBytes, &residual).payload;
}

ParameterSet decodeUpload(const std::vector<std::uint8_t>& payload, const FederationSettings& settings,
                          const ParameterSet& reference, const CodecLimits& limits,
                          const std::array<std::uint8_t, 32>* referenceDigest) {
    if (codecNeedsReference(settings.codec))
        return referenceDigest ? decodeDelta(payload, reference, *referenceDigest, limits)
                               : decodeDelta(payload, reference, limits);
    return decodeParameters(payload, famLayout(settings.embeddingDim, settings.shareThresholds), limits);
}

const std::vector<std::string>& allowedMetricNames() {
    static const std::vector<std::string> names{
        "train_loss",          "train_seconds",      "validation_accuracy", "validation_balanced_accuracy",
        "validation_macro_f1", "validation_samples",
    };
    return names;
}

const std::vector<std::string>& uploadBodyFields() {
    static const std::vector<std::string> fields{"federation_id", "round",   "site_id", "idempotency_key",
                                                 "sample_count",  "metrics", "codec",   "payload"};
    return fields;
}

QByteArray uploadToJson(const UploadBody& upload) {
    QJsonObject metrics;
    for (const auto& [name, value] : upload.metrics) metrics.insert(qs(name), value);
    const QJsonObject fields{
        {"federation_id", qs(upload.federationId)},
        {"round", upload.round},
        {"site_id", qs(upload.siteId)},
        {"idempotency_key", qs(upload.idempotencyKey)},
        {"sample_count", static_cast<qint64>(upload.sampleCount)},
        {"metrics", metrics},
        {"codec", qs(upload.codec)},
    };
    // The base64 needs no JSON escaping: appended as bytes, not passed through a QString and
    // Qt's serializer (a megabyte each way).
    auto body = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    body.chop(1);  // the closing brace
    body += ",\"payload\":\"";
    body += QByteArray::fromRawData(reinterpret_cast<const char*>(upload.payload.data()),
                                    static_cast<qsizetype>(upload.payload.size()))
                .toBase64();
    body += "\"}";
    return body;
}

namespace {
// Where the characters of the top-level "payload" string lie in `body` (after its opening
// quote, before its closing one), when the body is an object holding that key once with a
// string value free of escapes; otherwise nothing. The payload is nearly all of an upload's
// bytes (~1.4 MB of base64 for D = 512): cut out, it is decoded from the body's bytes and the
// JSON parser reads only the rest, which it checks as before (this scan checks no more than
// it needs to find the span).
std::optional<std::pair<qsizetype, qsizetype>> payloadSpan(const QByteArray& body) {
    const char* p = body.constData();
    const qsizetype n = body.size();
    qsizetype i = 0;
    const auto skipSpace = [&] {
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) ++i;
    };
    // From an opening quote past the closing one; false when unterminated.
    // memchr, not a loop over bytes: the payload string is a megabyte.
    const auto skipString = [&](bool& escaped) {
        escaped = false;
        for (++i; i < n;) {
            const auto* quote = static_cast<const char*>(std::memchr(p + i, '"', static_cast<std::size_t>(n - i)));
            if (!quote) return false;
            const auto* backslash = static_cast<const char*>(std::memchr(p + i, '\\', static_cast<std::size_t>(quote - (p + i))));
            if (!backslash) {
                i = quote - p + 1;
                return true;
            }
            escaped = true;
            i = backslash - p + 2;  // the escaped character, whatever it is
        }
        return false;
    };
    // A member's value, up to the ',' or '}' after it.
    const auto skipValue = [&] {
        int depth = 0;
        while (i < n) {
            const char c = p[i];
            if (c == '"') {
                bool escaped;
                if (!skipString(escaped)) return false;
                if (depth == 0) return true;
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (depth == 0) return true;
                if (--depth == 0) {
                    ++i;
                    return true;
                }
            } else if (c == ',' && depth == 0) {
                return true;
            }
            ++i;
        }
        return false;
    };
    std::optional<std::pair<qsizetype, qsizetype>> found;
    skipSpace();
    if (i >= n || p[i] != '{') return {};
    ++i;
    while (true) {
        skipSpace();
        if (i < n && p[i] == ',') {
            ++i;
            skipSpace();
        }
        if (i >= n) return {};
        if (p[i] == '}') return found;
        if (p[i] != '"') return {};
        const qsizetype keyStart = i + 1;
        bool escaped;
        if (!skipString(escaped) || escaped) return {};  // an escaped key might spell "payload"
        const bool isPayload = QByteArrayView(p + keyStart, i - 1 - keyStart) == "payload";
        skipSpace();
        if (i >= n || p[i] != ':') return {};
        ++i;
        skipSpace();
        if (i >= n) return {};
        if (isPayload) {
            if (found || p[i] != '"') return {};
            const qsizetype start = i + 1;
            if (!skipString(escaped) || escaped) return {};
            found = std::make_pair(start, i - 1);
        } else if (!skipValue()) {
            return {};
        }
    }
}
// Standard base64 (RFC 4648 section 4) with optional '=' padding, strict: any other byte,
// padding inside the text or a lone final character fails. Table-driven, four characters at
// a time: Qt's decoder takes ~13 ns per character, most of an upload's parsing.
std::optional<std::vector<std::uint8_t>> decodeBase64(const char* text, std::size_t size) {
    static const auto table = [] {
        std::array<std::int8_t, 256> t;
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
        return t;
    }();
    if (size >= 1 && text[size - 1] == '=') --size;
    if (size >= 1 && text[size - 1] == '=' && (size + 1) % 4 == 0) --size;  // "==" only completes a quad
    if (size % 4 == 1) return std::nullopt;
    std::vector<std::uint8_t> out(size / 4 * 3 + (size % 4 ? size % 4 - 1 : 0));
    const auto* in = reinterpret_cast<const unsigned char*>(text);
    std::uint8_t* o = out.data();
    std::size_t i = 0;
    for (; i + 4 <= size; i += 4) {
        const int a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
        if ((a | b | c | d) < 0) return std::nullopt;
        const std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) | (std::uint32_t(c) << 6) | std::uint32_t(d);
        *o++ = static_cast<std::uint8_t>(v >> 16);
        *o++ = static_cast<std::uint8_t>(v >> 8);
        *o++ = static_cast<std::uint8_t>(v);
    }
    if (const std::size_t rest = size - i) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < rest; ++k) {
            const int x = table[in[i + k]];
            if (x < 0) return std::nullopt;
            v |= std::uint32_t(x) << (18 - 6 * k);
        }
        *o++ = static_cast<std::uint8_t>(v >> 16);
        if (rest == 3) *o++ = static_cast<std::uint8_t>(v >> 8);
        // Bits the last character carries beyond the bytes it completes must be zero (canonical).
        if ((rest == 2 && (v & 0xffffu)) || (rest == 3 && (v & 0xffu))) return std::nullopt;
    }
    return out;
}
}  // namespace

UploadBody uploadFromJson(const QByteArray& body) {
    const auto invalid = [](const std::string& field, const std::string& message) {
        return ApiError(400, "invalid_upload", field + ": " + message, field);
    };
    const auto span = payloadSpan(body);
    QJsonParseError parseError;
    const auto document = QJsonDocument::fromJson(
        span ? body.left(span->first) + body.mid(span->second) : body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        throw ApiError(400, "invalid_json", "body: not a JSON object (" + ss(parseError.errorString()) + ")", "body");
    const auto json = document.object();
    for (auto it = json.begin(); it != json.end(); ++it) {
        const auto& fields = uploadBodyFields();
        if (std::find(fields.begin(), fields.end(), ss(it.key())) == fields.end())
            throw invalid(ss(it.key()), "unknown field; an upload carries only " +
                                            std::string("federation_id, round, site_id, idempotency_key, "
                                                        "sample_count, metrics, codec and payload"));
    }
    UploadBody upload;
    const auto string = [&](const char* field) {
        const auto value = json.value(QLatin1String(field));
        if (!value.isString()) throw invalid(field, "missing or not a string");
        return ss(value.toString());
    };
    const auto integer = [&](const char* field, double low, double high) {
        const auto value = json.value(QLatin1String(field));
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || number != std::floor(number) || number < low || number > high)
            throw invalid(field, "missing or not an integer in " + std::to_string(static_cast<long long>(low)) + ".." +
                                     std::to_string(static_cast<long long>(high)));
        return static_cast<std::int64_t>(number);
    };
    upload.federationId = string("federation_id");
    upload.round = static_cast<int>(integer("round", 1, 100000));
    upload.siteId = string("site_id");
    upload.idempotencyKey = string("idempotency_key");
    static const QRegularExpression keyPattern(QStringLiteral("^[A-Za-z0-9_-]{8,128}$"));
    if (!keyPattern.match(qs(upload.idempotencyKey)).hasMatch())
        throw invalid("idempotency_key", "must be 8 to 128 characters of A-Z, a-z, 0-9, '_' and '-'");
    upload.sampleCount = integer("sample_count", 1, 1e9);
    const auto metrics = json.value("metrics");
    if (!metrics.isObject()) throw invalid("metrics", "missing or not an object");
    const auto metricsObject = metrics.toObject();
    if (metricsObject.size() > static_cast<qsizetype>(allowedMetricNames().size()))
        throw invalid("metrics", "too many entries");
    for (auto it = metricsObject.begin(); it != metricsObject.end(); ++it) {
        const auto name = ss(it.key());
        const auto& allowed = allowedMetricNames();
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            throw invalid("metrics." + name, "not a known metric");
        if (!it.value().isDouble() || !std::isfinite(it.value().toDouble()))
            throw invalid("metrics." + name, "must be a finite number");
        upload.metrics[name] = it.value().toDouble();
    }
    upload.codec = string("codec");
    const auto payload = json.value("payload");
    if (!payload.isString()) throw invalid("payload", "missing or not a base64 string");
    const auto text = span ? QByteArray() : payload.toString().toLatin1();
    auto decoded = span ? decodeBase64(body.constData() + span->first, static_cast<std::size_t>(span->second - span->first))
                        : decodeBase64(text.constData(), static_cast<std::size_t>(text.size()));
    if (!decoded) throw invalid("payload", "not valid base64");
    upload.payload = std::move(*decoded);
    return upload;
}

QByteArray errorBody(int status, const std::string& code, const std::string& message, const std::string& field) {
    QJsonObject error{{"status", status}, {"code", qs(code)}, {"message", qs(message)}};
    if (!field.empty()) error.insert("field", qs(field));
    return QJsonDocument(QJsonObject{{"error", error}}).toJson(QJsonDocument::Compact);
}

std::string randomToken(int bytes) {
    QByteArray raw(bytes, Qt::Uninitialized);
    // QRandomGenerator::system() reads the kernel's CSPRNG (getrandom).
    for (int i = 0; i < bytes; i += 4) {
        const quint32 word = QRandomGenerator::system()->generate();
        for (int j = 0; j < 4 && i + j < bytes; ++j) raw[i + j] = static_cast<char>((word >> (8 * j)) & 0xff);
    }
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).toStdString();
}

std::string secretHash(const std::string& secret) { return sha256Hex(secret); }

std::string isoTimeUtc(std::int64_t epochMs) {
    return ss(QDateTime::fromMSecsSinceEpoch(epochMs, Qt::UTC).toString(Qt::ISODateWithMs));
}

std::int64_t nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

}  // namespace fmc::federation
