#include "sim/simulator.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace fmc {
namespace {

std::string percent(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%6.2f", 100.0 * value);
    return text;
}

std::string fixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

nlohmann::json metricsJson(const ClassificationMetrics& m) {
    nlohmann::json j{{"accuracy", m.accuracy},
                     {"balanced_accuracy", m.balancedAccuracy},
                     {"macro_f1", m.macroF1},
                     {"macro_precision", m.macroPrecision},
                     {"macro_recall", m.macroRecall},
                     {"per_class_recall", m.perClassRecall},
                     {"confusion", m.confusion},
                     {"samples", m.numSamples}};
    if (m.hasProbabilities) j["ece"] = m.expectedCalibrationError;
    return j;
}

nlohmann::json siteJson(const SiteSummary& site) {
    return {{"site", site.site},
            {"train_images", site.trainImages},
            {"validation_images", site.validationImages},
            {"test_images", site.testImages},
            {"untrained", metricsJson(site.untrained)},
            {"test", metricsJson(site.test)},
            {"test_fam_only", metricsJson(site.testFamOnly)},
            {"test_mlp_only", metricsJson(site.testMlpOnly)}};
}

double mean(const std::vector<RoundSummary>& rounds, double RoundSummary::*field) {
    if (rounds.empty()) return 0;
    double sum = 0;
    for (const auto& round : rounds) sum += round.*field;
    return sum / rounds.size();
}

std::string ratios(const std::vector<double>& values) {
    std::string text;
    for (size_t i = 0; i < values.size(); ++i) text += (i ? " / " : "") + fixed(values[i], 3);
    return text;
}

}  // namespace

std::map<std::string, double> meanUploadBytesByCodec(const SimulationResult& r) {
    std::map<std::string, double> mean;
    for (const auto& round : r.rounds)
        for (const auto& [codec, bytes] : round.uploadBytesByCodec) mean[codec] += double(bytes) / r.rounds.size();
    return mean;
}

std::string formatResultTable(const SimulationResult& r) {
    std::ostringstream out;
    if (r.demoBundle)
        out << "DEMO: bundle '" << r.bundleName << "' has random weights; these numbers say nothing clinical.\n";
    out << "method " << r.method << "\n";
    out << "site                  train  val  test | untrained acc | acc     bal.acc  macroF1  ECE   | FAM-only MLP-only acc\n";
    auto line = [&](const SiteSummary& s) {
        char name[24];
        std::snprintf(name, sizeof name, "%-20.20s", s.site.empty() ? "(none)" : s.site.c_str());
        char counts[32];
        std::snprintf(counts, sizeof counts, "%6d %4d %5d", s.trainImages, s.validationImages, s.testImages);
        out << name << "  " << counts << " |        " << percent(s.untrained.accuracy) << " | " << percent(s.test.accuracy)
            << "  " << percent(s.test.balancedAccuracy) << "  " << percent(s.test.macroF1) << "  "
            << (s.test.hasProbabilities ? fixed(s.test.expectedCalibrationError, 3) : std::string("-")) << " |  "
            << percent(s.testFamOnly.accuracy) << "  "
            << (s.testMlpOnly.numSamples > 0 ? percent(s.testMlpOnly.accuracy) : std::string("     -")) << "\n";
    };
    for (const auto& site : r.sites) line(site);
    out << "mean over training sites                           | " << percent(r.meanTestAccuracy) << "  "
        << percent(r.meanTestBalancedAccuracy) << "  " << percent(r.meanTestMacroF1) << "\n";
    if (r.hasHeldOut) {
        out << "held-out (unseen, global FAM only):\n";
        line(r.heldOut);
    }
    const auto& last = r.rounds.back();
    out << "best round " << r.bestRound << " of " << r.rounds.size() << "; codec " << r.codec << ": "
        << last.uploadBytesPerSite << " bytes up per site per round, " << last.downloadBytes << " bytes down\n";
    out << "seconds per round: " << fixed(mean(r.rounds, &RoundSummary::trainingSeconds), 3) << " training, "
        << fixed(mean(r.rounds, &RoundSummary::communicationSeconds), 3) << " compression+aggregation; "
        << "feature extraction " << fixed(r.featureExtractionSeconds, 1) << " s (" << r.imagesEncoded << " encoded, "
        << r.imagesFromCache << " from cache)\n";
    const auto& best = r.rounds[static_cast<size_t>(std::max(1, r.bestRound) - 1)];
    if (!best.famKeepRatios.empty()) {
        out << "FAM keep ratios at the best round: sites (mean) " << ratios(best.famKeepRatios);
        if (!best.globalFamKeepRatios.empty()) out << ", global " << ratios(best.globalFamKeepRatios);
        out << "; last round: sites " << ratios(last.famKeepRatios) << "\n";
    }
    const auto byCodec = meanUploadBytesByCodec(r);
    if (!byCodec.empty()) {
        out << "upload bytes per round (site 1, mean over rounds):";
        for (const auto& [codec, bytes] : byCodec) out << " " << codec << " " << fixed(bytes, 0);
        const auto fp16 = byCodec.find("fp16-zlib"), mask = byCodec.find("mask-fp16-zlib");
        if (fp16 != byCodec.end() && mask != byCodec.end() && mask->second > 0)
            out << " (mask-aware " << fixed(fp16->second / mask->second, 2) << "x smaller than fp16-zlib)";
        out << "\n";
    }
    for (const auto& note : r.notes) out << "note: " << note << "\n";
    if (!r.skippedFiles.empty()) {
        out << r.skippedFiles.size() << " file(s) skipped:\n";
        for (size_t i = 0; i < r.skippedFiles.size() && i < 10; ++i) out << "  " << r.skippedFiles[i] << "\n";
        if (r.skippedFiles.size() > 10) out << "  ... (all listed in the JSON report)\n";
    }
    return out.str();
}

void writeResultFiles(const SimulationResult& r, const std::string& prefix) {
    nlohmann::json j;
    j["demo_bundle"] = r.demoBundle;
    j["bundle"] = r.bundleName;
    j["classes"] = r.classNames;
    j["method"] = r.method;
    j["codec"] = r.codec;
    if (r.deltaErrorFeedback) {
        j["delta_error_feedback"] = *r.deltaErrorFeedback;
        j["delta_step_per_rms"] = r.deltaStepPerRms;
        j["delta_budget_bytes"] = r.deltaBudgetBytes;
    }
    j["peak_resident_bytes"] = r.peakResidentBytes;
    for (const auto& [codec, bytes] : r.finalUploadBytesByCodec) j["final_upload_bytes_by_codec"][codec] = bytes;
    j["best_round"] = r.bestRound;
    if (r.bestRound >= 1) {
        const auto& best = r.rounds[static_cast<size_t>(r.bestRound - 1)];
        j["best_round_fam_keep_ratios"] = best.famKeepRatios;
        j["best_round_global_fam_keep_ratios"] = best.globalFamKeepRatios;
    }
    for (const auto& [codec, bytes] : meanUploadBytesByCodec(r)) j["mean_upload_bytes_by_codec"][codec] = bytes;
    j["mean_test_accuracy"] = r.meanTestAccuracy;
    j["mean_test_balanced_accuracy"] = r.meanTestBalancedAccuracy;
    j["mean_test_macro_f1"] = r.meanTestMacroF1;
    j["feature_extraction_seconds"] = r.featureExtractionSeconds;
    j["images_encoded"] = r.imagesEncoded;
    j["images_from_cache"] = r.imagesFromCache;
    j["skipped_files"] = r.skippedFiles;
    j["notes"] = r.notes;
    for (const auto& site : r.sites) j["sites"].push_back(siteJson(site));
    if (r.hasHeldOut) j["held_out"] = siteJson(r.heldOut);
    for (const auto& round : r.rounds) {
        j["rounds"].push_back({{"round", round.round},
                               {"mean_validation_accuracy", round.meanValidationAccuracy},
                               {"mean_training_loss", round.meanTrainingLoss},
                               {"training_seconds", round.trainingSeconds},
                               {"communication_seconds", round.communicationSeconds},
                               {"upload_bytes_per_site", round.uploadBytesPerSite},
                               {"upload_bytes_all_sites", round.uploadBytesAllSites},
                               {"download_bytes", round.downloadBytes},
                               {"fam_keep_ratios", round.famKeepRatios},
                               {"global_fam_keep_ratios", round.globalFamKeepRatios},
                               {"upload_bytes_by_codec", nlohmann::json(round.uploadBytesByCodec)}});
        if (r.deltaErrorFeedback) j["rounds"].back()["largest_delta_step_per_rms"] = round.largestDeltaStepPerRms;
    }
    std::ofstream json(prefix + ".json");
    json << j.dump(2) << "\n";
    if (!json) throw Error("cannot write " + prefix + ".json");

    std::ofstream csv(prefix + ".csv");
    csv << "site,role,train_images,validation_images,test_images,untrained_accuracy,accuracy,balanced_accuracy,macro_f1,ece\n";
    auto row = [&](const SiteSummary& s, const char* role) {
        csv << '"' << s.site << "\"," << role << ',' << s.trainImages << ',' << s.validationImages << ',' << s.testImages
            << ',' << s.untrained.accuracy << ',' << s.test.accuracy << ',' << s.test.balancedAccuracy << ','
            << s.test.macroF1 << ',' << s.test.expectedCalibrationError << "\n";
    };
    for (const auto& site : r.sites) row(site, "training");
    if (r.hasHeldOut) row(r.heldOut, "held-out");
    if (!csv) throw Error("cannot write " + prefix + ".csv");
}

}  // namespace fmc
