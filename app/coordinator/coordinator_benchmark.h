#pragma once
// Coordinator benchmark (fedmedclip-coordinator bench): how long one round's aggregation
// takes for many uploads of a ViT-B/32-sized FAM (D = 512), how long health requests wait
// while the running server aggregates such a round, and how many requests per second the
// HTTPS server sustains on this machine. It prints figures; it asserts nothing.
#include "common/codec.h"

#include <QString>

#include <functional>
#include <string>
#include <vector>

namespace fmc::federation {

struct CoordinatorBenchmarkConfig {
    int sites = 100;
    int embeddingDim = 512;
    CodecKind codec = CodecKind::Fp16Zlib;
    // > 0: the delta codec's uploads under this byte budget, as sites send them with
    // `site run --delta-budget`; 0: the near-lossless step.
    std::size_t deltaBudgetBytes = 0;
    int requests = 3000;   // per HTTPS measurement
    int concurrency = 6;   // requests in flight, each on a connection of its own
    // Rounds of this many sites, each uploading once over HTTPS, the last upload closing the
    // round: accept rate, peak memory, publication after the last upload.
    std::vector<int> streamedRoundSites{100, 1000};
    // The same rounds as before: streamingAggregation and parseUploadsOnWorkers off.
    bool compareWithAllInMemory = true;
    QString workDir;       // scratch: database, generated certificate
    std::function<void(const QString&)> log;
};

struct CoordinatorBenchmarkResult {
    int sites = 0;
    int embeddingDim = 0;
    std::string codec;
    std::size_t uploadPayloadBytes = 0;
    std::size_t uploadBodyBytes = 0;
    double uploadsSeconds = 0;      // all uploads through the API (validation + storage), no network
    // The same uploads handed to the server's path at once (handleAsync: parsed on the upload
    // workers, stored in grouped commits), first request to last answer, and the commits taken:
    // with the default parsing threads, then one per core.
    struct ArrivingTogether {
        int parsingThreads = 0;
        double seconds = 0;
        std::int64_t commits = 0;
    };
    std::vector<ArrivingTogether> arrivingTogether;
    double aggregationSeconds = 0;  // decode all, FedAvg, encode, publish
    double medianSeconds = 0;       // the same with the coordinate-wise median
    // One upload's work off the server's thread, medians over the uploads (ms): the body parsed
    // (uploadFromJson, which cuts the payload string out first), the same body through Qt's
    // JSON parser whole with the payload's base64 decoded from its QString (how it was parsed
    // before; the peer), the payload decoded (decodeUpload), its SHA-256.
    double parseMs = 0, wholeJsonParseMs = 0, decodeMs = 0, sha256Ms = 0;
    // In the running HTTPS server: from the round's last upload to its publication, and the
    // GET /health requests (one at a time, back to back) in flight meanwhile.
    double servedAggregationSeconds = 0;
    int healthRequestsDuringAggregation = 0;
    double worstHealthMsDuringAggregation = 0;
    double healthRequestsPerSecond = 0;  // GET /health over HTTPS
    double roundRequestsPerSecond = 0;   // GET .../rounds/current over HTTPS (token check + database)
    double httpsUploadsPerSecond = 0;    // POST .../uploads over HTTPS
    struct ServedRound {
        int sites = 0;
        bool streaming = true;
        double uploadsPerSecond = 0;  // first request sent to last answer received
        double publishMs = 0;         // the round's last accepted upload to its publication (server clock)
        double startRssMb = 0;        // resident memory of this process before the round
        double peakRssMb = 0;         // its peak (VmHWM, reset before the round)
        int peakConnections = 0;      // the most connections the server held at once
    };
    std::vector<ServedRound> servedRounds;
};

CoordinatorBenchmarkResult runCoordinatorBenchmark(const CoordinatorBenchmarkConfig& config);
std::string formatCoordinatorBenchmark(const CoordinatorBenchmarkResult& result);

}  // namespace fmc::federation
