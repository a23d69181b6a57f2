#include "site/prediction_details.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace fmc {
namespace {

double entropyOf(const std::vector<double>& probabilities) {
    double entropy = 0;
    for (double p : probabilities)
        if (p > 0) entropy -= p * std::log(p);
    return entropy;
}

}  // namespace

PredictionDetails predictionDetailsOf(const std::vector<std::string>& classes, const CalibratedPrediction& shown,
                                      bool noBetterThanChance) {
    PredictionDetails details;
    details.classes = classes;
    details.ensemble = shown.ensemble.probabilities;
    details.famOnly = shown.famOnly.probabilities;
    details.mlpOnly = shown.mlpOnly.probabilities;
    details.ensembleEntropy = entropyOf(details.ensemble);
    details.famEntropy = entropyOf(details.famOnly);
    details.mlpEntropy = entropyOf(details.mlpOnly);
    details.calibrated = shown.ensemble.calibrated;
    for (int c : shown.ensemble.predictionSet) details.predictionSet.push_back(classes.at(static_cast<size_t>(c)));
    details.coverage = shown.coverage;
    details.outOfDistribution = shown.outOfDistribution;
    details.outOfDistributionReasons = shown.reasons();
    for (const auto& mismatch : shown.mismatches) details.domainMismatches.push_back(describeMismatch(mismatch));
    details.novelFeature = shown.novelFeature;
    details.noveltyScore = shown.noveltyScore;
    details.branchDisagreement = shown.branchDisagreement;
    details.noBetterThanChance = noBetterThanChance;
    details.checksRecorded = true;
    return details;
}

std::string predictionDetailsToJson(const PredictionDetails& d) {
    return nlohmann::json{{"classes", d.classes},
                          {"ensemble", d.ensemble},
                          {"fam_only", d.famOnly},
                          {"mlp_only", d.mlpOnly},
                          {"ensemble_entropy", d.ensembleEntropy},
                          {"fam_entropy", d.famEntropy},
                          {"mlp_entropy", d.mlpEntropy},
                          {"calibrated", d.calibrated},
                          {"prediction_set", d.predictionSet},
                          {"coverage", d.coverage},
                          {"out_of_distribution", d.outOfDistribution},
                          {"ood_reasons", d.outOfDistributionReasons},
                          {"domain_mismatches", d.domainMismatches},
                          {"novel_feature", d.novelFeature},
                          {"novelty_score", d.noveltyScore ? nlohmann::json(*d.noveltyScore) : nlohmann::json(nullptr)},
                          {"branch_disagreement", d.branchDisagreement},
                          {"no_better_than_chance", d.noBetterThanChance}}
        .dump();
}

PredictionDetails predictionDetailsFromJson(const std::string& text, const std::string& origin) {
    PredictionDetails d;
    const char* field = "";
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object()) throw Error(origin + ": the stored prediction is not a JSON object");
        const auto read = [&](const char* key, auto& value) {
            field = key;
            if (j.contains(key) && !j.at(key).is_null()) j.at(key).get_to(value);
        };
        read("classes", d.classes);
        read("ensemble", d.ensemble);
        read("fam_only", d.famOnly);
        read("mlp_only", d.mlpOnly);
        read("ensemble_entropy", d.ensembleEntropy);
        read("fam_entropy", d.famEntropy);
        read("mlp_entropy", d.mlpEntropy);
        read("calibrated", d.calibrated);
        read("prediction_set", d.predictionSet);
        read("coverage", d.coverage);
        read("out_of_distribution", d.outOfDistribution);
        read("ood_reasons", d.outOfDistributionReasons);
        read("domain_mismatches", d.domainMismatches);
        read("novel_feature", d.novelFeature);
        double score = 0;
        field = "novelty_score";
        if (j.contains(field) && !j.at(field).is_null()) d.noveltyScore = j.at(field).get_to(score);
        read("branch_disagreement", d.branchDisagreement);
        read("no_better_than_chance", d.noBetterThanChance);
        d.checksRecorded = j.contains("out_of_distribution");
    } catch (const nlohmann::json::exception& error) {
        throw Error(origin + ": stored prediction field '" + field + "': " + error.what());
    }
    if (d.ensemble.size() != d.classes.size())
        throw Error(origin + ": stored prediction field 'ensemble': " + std::to_string(d.ensemble.size()) +
                    " probabilities for " + std::to_string(d.classes.size()) + " classes");
    return d;
}

}  // namespace fmc
