#pragma once
// What the coordinator and the sites say to each other (docs/federation-api.md is the
// reference): the federation task, the FAM layout, the upload body and the error body.
// Both sides parse with the same code, and every parser names the field at fault.
#include "common/calibration.h"
#include "common/codec.h"
#include "common/types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fmc::federation {

inline constexpr const char* kApiPrefix = "/api/v1";
inline constexpr int kProtocolVersion = 1;

enum class AggregationRule { FedAvg, Median, TrimmedMean };
std::string aggregationRuleName(AggregationRule rule);  // "fedavg", "median", "trimmed-mean"
AggregationRule aggregationRuleFromName(const std::string& name);

// What an administrator decides when creating a federation.
struct FederationSettings {
    std::string name;
    std::vector<std::string> classNames;
    std::string promptTemplate = "a picture of a {}";
    std::string bundleName;
    std::string bundleHash;  // 64 lowercase hex characters (engine/model_bundle.h)
    int embeddingDim = 0;
    bool shareThresholds = true;  // the FAM layout carries fc*.threshold
    int rounds = 10;
    int minSites = 2;
    int roundDeadlineSeconds = 600;  // counted from the round's first accepted upload
    CodecKind codec = CodecKind::Fp16Zlib;
    AggregationRule aggregation = AggregationRule::FedAvg;
    // FedAvg over FAMs with thresholds: each masked row averaged over the sites that kept it,
    // and a site keeps its own weights for the rows it pruned (docs/method.md, Aggregation).
    // false: every row averaged over every site, as sent. A task without the field comes
    // from a coordinator that averaged plainly.
    bool maskAwareAggregation = true;
    double trimFraction = 0.1;  // trimmed mean only
    double normBound = 1000.0;  // L2 norm an uploaded FAM may not exceed; 0 switches it off
    // Round 0's global FAM is the engine's initialisation seeded with this value, so every
    // site starts from the same FAM without the coordinator running the engine.
    std::uint64_t initSeed = 1;
    // The kind of image the federation is for (task field image_domain): modalities ("photo"
    // or DICOM Modality codes), DICOM body parts, photometric kinds ("colour", "grey"). Empty
    // lists accept anything; a site whose images are of none of the declared kinds is refused.
    ImageDomain imageDomain;
};

// How much one upload may move the global FAM, whatever it claims (coordinator.json
// "aggregation"; every federation of the coordinator). Medians are taken over the round's
// aggregated uploads.
struct AggregationGuards {
    // FedAvg: a site's weight is its sample_count, capped at this many times the round's
    // median sample_count (a site claiming 10^9 samples counts as a few ordinary ones). 0: no cap.
    double maxWeightOverMedian = 3.0;
    // Uploads whose L2 norm exceeds this many times the median norm (of the round's uploads
    // and the previous global FAM) are left out of the aggregate, with an audit entry. 0: off.
    double maxNormOverMedian = 5.0;
};

// Throws fmc::Error naming the setting at fault.
void validateSettings(const FederationSettings& settings);

// The task a site receives: the settings plus the federation's id.
struct FederationTask {
    std::string federationId;
    FederationSettings settings;
};

QJsonObject taskToJson(const FederationTask& task);
// `origin` prefixes errors, e.g. "task from https://host".
FederationTask taskFromJson(const QJsonObject& json, const std::string& origin);

// FAM tensors for embedding size D, in the order FedMedClipSite::famParameters() gives
// them: fc1.weight [D,D], fc1.bias [D], (fc1.threshold [D]), fc2.weight, fc2.bias,
// (fc2.threshold). Values are left empty: it is a layout, for decodeParameters().
ParameterSet famLayout(int embeddingDim, bool shareThresholds);

// The codec of the global FAM a round publishes. A federation whose uploads are deltas
// (codecNeedsReference) publishes mask-fp16-zlib, which any site decodes on its own (a site
// that missed rounds or joins late needs no chain of earlier globals); every other codec is
// used both ways.
CodecKind globalCodec(CodecKind uploadCodec);

// What a delta upload of `round` is coded against, which the site and the coordinator both
// hold: in round 1 the all-zero FAM (the coordinator runs no engine, so it cannot compute the
// initialisation every site starts from), later the previous round's global as decoded from
// its published payload. `previousGlobal` is ignored in round 1.
ParameterSet uploadReference(int round, const FederationSettings& settings, const ParameterSet& previousGlobal);

// The upload payload of a site's FAM for `round` under the federation's codec: a delta codec's
// against uploadReference(round, settings, previousGlobal), built only then. And its inverse
// with every check of decodeParameters / decodeDelta: `reference` (uploadReference) is read
// only for a delta codec; the layout is the federation's famLayout either way.
// `budgetBytes` > 0: a delta codec's upload is at most that many bytes (encodeDeltaWithinBudget
// from the near-lossless step, or from kDeltaStepPerRms with feedback); 0: no budget. Other
// codecs ignore it.
std::vector<std::uint8_t> encodeUpload(const ParameterSet& fam, const FederationSettings& settings, int round,
                                       const ParameterSet& previousGlobal, std::size_t budgetBytes = 0);
// The same with error feedback (docs/method.md): a delta codec's upload at the coarse step
// kDeltaStepPerRms with the site's `residual` (encodeDeltaWithFeedback: read, then set to this
// upload's error; empty: none). Other codecs ignore and leave it. The payload decodes with
// decodeUpload as any other.
std::vector<std::uint8_t> encodeUploadWithFeedback(const ParameterSet& fam, const FederationSettings& settings,
                                                   int round, const ParameterSet& previousGlobal, ParameterSet& residual,
                                                   std::size_t budgetBytes = 0);
// `referenceDigest`: referenceDigest(reference) when the caller keeps it (many uploads, one
// reference); null computes it.
ParameterSet decodeUpload(const std::vector<std::uint8_t>& payload, const FederationSettings& settings,
                          const ParameterSet& reference, const CodecLimits& limits,
                          const std::array<std::uint8_t, 32>* referenceDigest = nullptr);

// Metrics a site may report with an upload (all finite numbers); nothing else is accepted.
const std::vector<std::string>& allowedMetricNames();

// The JSON body of POST .../rounds/{round}/uploads. These keys and no others.
struct UploadBody {
    std::string federationId;
    int round = 0;
    std::string siteId;
    std::string idempotencyKey;  // 8-128 of [A-Za-z0-9_-]; the same key means the same upload
    std::int64_t sampleCount = 0;
    std::map<std::string, double> metrics;
    std::string codec;                  // codecName() of the payload's kind
    std::vector<std::uint8_t> payload;  // encodeParameters() output, base64 on the wire
};
const std::vector<std::string>& uploadBodyFields();
QByteArray uploadToJson(const UploadBody& upload);
// Parses and checks types and ranges (not the payload's contents); throws ApiError (400)
// naming the field.
UploadBody uploadFromJson(const QByteArray& body);

// A request problem the API reports as {"error": {...}} with an HTTP status.
class ApiError : public Error {
public:
    ApiError(int status, std::string code, const std::string& message, std::string field = {})
        : Error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
    int status() const { return status_; }
    const std::string& code() const { return code_; }
    const std::string& field() const { return field_; }

private:
    int status_;
    std::string code_;
    std::string field_;
};

QByteArray errorBody(int status, const std::string& code, const std::string& message, const std::string& field = {});

// Random secrets from the operating system's CSPRNG, base64url without padding.
std::string randomToken(int bytes);
// Lowercase hex SHA-256, how tokens and enrollment codes are stored.
std::string secretHash(const std::string& secret);

// "2026-01-31T12:00:00.000Z"
std::string isoTimeUtc(std::int64_t epochMs);
std::int64_t nowMs();

QString qs(const std::string& text);
std::string ss(const QString& text);

}  // namespace fmc::federation
