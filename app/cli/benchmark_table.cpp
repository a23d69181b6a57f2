#include "benchmark_table.h"

#include "common/types.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace fmc {
namespace {

using Json = nlohmann::json;

struct MethodRow {
    std::string method;
    int rounds = 0;
    double accuracy = 0, balancedAccuracy = 0, macroF1 = 0, ece = 0;
    double heldOutAccuracy = -1;
    double trainingSeconds = 0, roundSeconds = 0;  // per round, means
    double uploadBytes = 0, totalBytes = 0;         // per site per round; all traffic of the run
    double extractionSeconds = 0;
    double peakMb = 0;
    std::vector<std::pair<std::string, double>> siteAccuracy;
    Json codecBytes;
};

MethodRow readRow(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("benchmark: cannot read result file " + path);
    Json j;
    try {
        in >> j;
    } catch (const std::exception& error) {
        throw Error("benchmark: " + path + " is not valid JSON: " + error.what());
    }
    MethodRow row;
    row.method = j.value("method", "?");
    row.accuracy = j.value("mean_test_accuracy", 0.0);
    row.balancedAccuracy = j.value("mean_test_balanced_accuracy", 0.0);
    row.macroF1 = j.value("mean_test_macro_f1", 0.0);
    row.extractionSeconds = j.value("feature_extraction_seconds", 0.0);
    row.peakMb = j.value("peak_resident_bytes", 0.0) / 1048576.0;
    row.codecBytes = j.value("final_upload_bytes_by_codec", Json::object());
    const auto& sites = j.at("sites");
    for (const auto& site : sites) {
        row.siteAccuracy.emplace_back(site.at("site").get<std::string>(), site.at("test").value("accuracy", 0.0));
        row.ece += site.at("test").value("ece", 0.0) / sites.size();
    }
    if (j.contains("held_out") && j["held_out"].at("test").value("samples", 0) > 0)
        row.heldOutAccuracy = j["held_out"]["test"].value("accuracy", 0.0);
    const auto& rounds = j.at("rounds");
    row.rounds = static_cast<int>(rounds.size());
    for (const auto& round : rounds) {
        const double training = round.value("training_seconds", 0.0);
        row.trainingSeconds += training / row.rounds;
        row.roundSeconds += (training + round.value("communication_seconds", 0.0)) / row.rounds;
        const double up = round.value("upload_bytes_per_site", 0.0);
        row.uploadBytes = std::max(row.uploadBytes, up);
        row.totalBytes += up * sites.size() + round.value("download_bytes", 0.0) * sites.size();
    }
    return row;
}

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof text, pattern, value);
    return text;
}

std::string percent(double value) { return value < 0 ? "n/a" : format("%.1f", 100 * value); }

std::string bytes(double value) {
    if (value <= 0) return "0";
    if (value >= 1e9) return format("%.2f GB", value / 1e9);
    if (value >= 1e6) return format("%.2f MB", value / 1e6);
    if (value >= 1e3) return format("%.1f kB", value / 1e3);
    return format("%.0f B", value);
}

std::string ratio(double numerator, double denominator) {
    return denominator > 0 && numerator > 0 ? format("%.0fx", numerator / denominator) : "n/a";
}

}  // namespace

std::string writeBenchmarkTables(const std::vector<std::string>& resultJsonPaths, const BenchmarkDescription& description,
                                 const std::string& outputPrefix) {
    std::vector<MethodRow> rows;
    for (const auto& path : resultJsonPaths) rows.push_back(readRow(path));
    std::map<std::string, const MethodRow*> byMethod;
    for (const auto& row : rows) byMethod[row.method] = &row;

    std::ostringstream md;
    md << "Machine: " << description.machine << ". Bundle: " << description.bundle << ". Data: " << description.data
       << ".\n\n";
    md << "| method | rounds | mean acc % | bal. acc % | macro F1 % | ECE | held-out acc % | s/round (train) | "
          "s/round (total) | upload/site/round | total traffic | peak RSS |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    std::ofstream csv(outputPrefix + ".csv");
    csv << "method,rounds,mean_accuracy,balanced_accuracy,macro_f1,ece,held_out_accuracy,seconds_per_round_training,"
           "seconds_per_round_total,upload_bytes_per_site_per_round,total_bytes,peak_resident_mb\n";
    Json json;
    for (const auto& row : rows) {
        md << "| " << row.method << " | " << row.rounds << " | " << percent(row.accuracy) << " | "
           << percent(row.balancedAccuracy) << " | " << percent(row.macroF1) << " | " << format("%.3f", row.ece)
           << " | " << percent(row.heldOutAccuracy) << " | " << format("%.4f", row.trainingSeconds) << " | "
           << format("%.4f", row.roundSeconds) << " | " << bytes(row.uploadBytes) << " | " << bytes(row.totalBytes)
           << " | " << format("%.0f MB", row.peakMb) << " |\n";
        csv << row.method << ',' << row.rounds << ',' << row.accuracy << ',' << row.balancedAccuracy << ','
            << row.macroF1 << ',' << row.ece << ',' << row.heldOutAccuracy << ',' << row.trainingSeconds << ','
            << row.roundSeconds << ',' << row.uploadBytes << ',' << row.totalBytes << ',' << row.peakMb << "\n";
        Json entry{{"method", row.method},         {"rounds", row.rounds},
                   {"mean_accuracy", row.accuracy}, {"balanced_accuracy", row.balancedAccuracy},
                   {"macro_f1", row.macroF1},       {"ece", row.ece},
                   {"held_out_accuracy", row.heldOutAccuracy},
                   {"seconds_per_round_training", row.trainingSeconds},
                   {"seconds_per_round_total", row.roundSeconds},
                   {"upload_bytes_per_site_per_round", row.uploadBytes},
                   {"total_bytes", row.totalBytes},
                   {"peak_resident_mb", row.peakMb},
                   {"feature_extraction_seconds", row.extractionSeconds},
                   {"final_upload_bytes_by_codec", row.codecBytes}};
        for (const auto& [site, accuracy] : row.siteAccuracy) entry["site_accuracy"][site] = accuracy;
        json["methods"].push_back(entry);
    }

    md << "\nPer-site test accuracy (%):\n\n| method |";
    for (const auto& [site, accuracy] : rows.front().siteAccuracy) md << ' ' << site << " |";
    md << "\n|---|";
    for (size_t i = 0; i < rows.front().siteAccuracy.size(); ++i) md << "---|";
    md << "\n";
    for (const auto& row : rows) {
        md << "| " << row.method << " |";
        for (const auto& [site, accuracy] : row.siteAccuracy) md << ' ' << percent(accuracy) << " |";
        md << "\n";
    }

    const auto ours = byMethod.find("fedmedclip");
    const auto fedavg = byMethod.find("fedavg");
    if (ours != byMethod.end() && fedavg != byMethod.end()) {
        const auto& a = *ours->second;
        const auto& b = *fedavg->second;
        const int horizon = description.projectedRounds;
        const double oursEndToEnd = a.extractionSeconds + horizon * a.roundSeconds;
        const double fedavgEndToEnd = horizon * b.roundSeconds;
        md << "\nFedMedCLIP against FedAVG, measured in this run:\n\n"
           << "- time per round, training only: " << ratio(b.trainingSeconds, a.trainingSeconds) << " faster ("
           << format("%.4f", a.trainingSeconds) << " s vs " << format("%.3f", b.trainingSeconds) << " s)\n"
           << "- time per round with compression and aggregation: " << ratio(b.roundSeconds, a.roundSeconds)
           << " faster (" << format("%.4f", a.roundSeconds) << " s vs " << format("%.3f", b.roundSeconds) << " s)\n"
           << "- end to end over " << horizon << " rounds, FedMedCLIP's one-time feature extraction included ("
           << "projected from the measured per-round means): " << ratio(fedavgEndToEnd, oursEndToEnd) << " faster ("
           << format("%.1f", oursEndToEnd) << " s vs " << format("%.1f", fedavgEndToEnd) << " s)\n"
           << "- bytes per site per round: " << ratio(b.uploadBytes, a.uploadBytes) << " fewer (" << bytes(a.uploadBytes)
           << " vs " << bytes(b.uploadBytes) << ")\n";
        json["fedmedclip_vs_fedavg"] = {{"round_training_speedup", b.trainingSeconds / a.trainingSeconds},
                                        {"round_total_speedup", b.roundSeconds / a.roundSeconds},
                                        {"end_to_end_speedup", fedavgEndToEnd / oursEndToEnd},
                                        {"end_to_end_rounds", horizon},
                                        {"bytes_per_round_ratio", b.uploadBytes / a.uploadBytes}};
    }
    if (ours != byMethod.end() && ours->second->codecBytes.contains("mask-fp16-zlib")) {
        const auto& c = ours->second->codecBytes;
        const double fp32 = c.value("fp32", 0.0), fp16 = c.value("fp16-zlib", 0.0), mask = c.value("mask-fp16-zlib", 0.0),
                     int8 = c.value("mask-int8-zlib", 0.0);
        md << "\nFedMedCLIP's final FAM under each codec: fp32 " << bytes(fp32) << ", fp16 + zlib (paper) " << bytes(fp16)
           << ", mask-aware fp16 + zlib " << bytes(mask) << " (" << format("%.2f", fp16 / mask)
           << "x smaller than the paper's codec), mask-aware int8 + zlib " << bytes(int8) << " ("
           << format("%.2f", fp16 / int8) << "x smaller).\n";
        json["codec_ratio_paper_over_mask_aware"] = fp16 / mask;
        json["codec_ratio_paper_over_mask_aware_int8"] = fp16 / int8;
    }
    md << "\nRandom-weight bundles say nothing about clinical accuracy: with them only the time, memory and bytes "
          "columns are meaningful.\n";
    json["description"] = {{"machine", description.machine}, {"bundle", description.bundle}, {"data", description.data}};

    std::ofstream(outputPrefix + ".md") << md.str();
    std::ofstream(outputPrefix + ".json") << json.dump(2) << "\n";
    if (!csv) throw Error("benchmark: cannot write " + outputPrefix + ".csv");
    return md.str();
}

}  // namespace fmc
