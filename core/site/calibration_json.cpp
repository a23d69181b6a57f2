#include "site/calibration_json.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace fmc {
namespace {

using nlohmann::json;

// JSON has no infinity: a threshold that admits every class is stored as null.
json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
double numberOf(const json& value) {
    return value.is_null() ? std::numeric_limits<double>::infinity() : value.get<double>();
}

json viewToJson(const ViewCalibration& v) {
    if (!v.fitted) return nullptr;
    return {{"temperature", v.temperature.temperature},
            {"validation_nll_before", v.temperature.nllBefore},
            {"validation_nll_after", v.temperature.nllAfter},
            {"coverage", v.conformal.coverage},
            {"conformal_threshold", number(v.conformal.threshold)},
            {"conformal_calibration_images", v.conformal.calibrationImages},
            {"test_images", v.testImages},
            {"test_ece_before", v.testEceBefore},
            {"test_ece_after", v.testEceAfter},
            {"test_nll_before", v.testNllBefore},
            {"test_nll_after", v.testNllAfter},
            {"test_covered", v.testCoverage.covered},
            {"test_coverage", v.testCoverage.coverage},
            {"test_mean_set_size", v.testCoverage.meanSetSize}};
}

ViewCalibration viewFromJson(const json& j) {
    ViewCalibration v;
    if (j.is_null()) return v;
    v.fitted = true;
    v.temperature.temperature = j.at("temperature").get<double>();
    v.temperature.nllBefore = j.at("validation_nll_before").get<double>();
    v.temperature.nllAfter = j.at("validation_nll_after").get<double>();
    v.conformal.coverage = j.at("coverage").get<double>();
    v.conformal.threshold = numberOf(j.at("conformal_threshold"));
    v.conformal.calibrationImages = j.at("conformal_calibration_images").get<int>();
    v.testImages = j.at("test_images").get<int>();
    v.testEceBefore = j.at("test_ece_before").get<double>();
    v.testEceAfter = j.at("test_ece_after").get<double>();
    v.testNllBefore = j.at("test_nll_before").get<double>();
    v.testNllAfter = j.at("test_nll_after").get<double>();
    v.testCoverage.images = v.testImages;
    v.testCoverage.covered = j.at("test_covered").get<int>();
    v.testCoverage.coverage = j.at("test_coverage").get<double>();
    v.testCoverage.meanSetSize = j.at("test_mean_set_size").get<double>();
    return v;
}

json figuresToJson(const std::optional<SplitFigures>& f) {
    if (!f) return nullptr;
    return {{"images", f->images},
            {"accuracy", f->accuracy},
            {"balanced_accuracy", f->balancedAccuracy},
            {"macro_f1", f->macroF1}};
}

std::optional<SplitFigures> figuresFromJson(const json& j) {
    if (j.is_null()) return std::nullopt;
    return SplitFigures{j.at("images").get<int>(), j.at("accuracy").get<double>(),
                        j.at("balanced_accuracy").get<double>(), j.at("macro_f1").get<double>()};
}

}  // namespace

std::string modelCalibrationToJson(const ModelCalibration& c) {
    json j{{"format", 1},
           {"classes", c.classes},
           {"ensemble", viewToJson(c.ensemble)},
           {"fam_only", viewToJson(c.famOnly)},
           {"mlp_only", viewToJson(c.mlpOnly)},
           {"image_domain",
            {{"modalities", c.domain.modalities},
             {"body_parts", c.domain.bodyParts},
             {"photometric", c.domain.photometric},
             {"declared", c.domain.declared}}},
           {"train_images_per_class", c.trainImagesPerClass},
           {"validation", figuresToJson(c.validation)},
           {"test", figuresToJson(c.test)},
           {"no_better_than_chance", c.noBetterThanChance},
           {"bundle_name", c.bundleName},
           {"bundle_hash", c.bundleHash},
           {"demo_bundle", c.demoBundle},
           {"created_at", c.createdAt},
           {"notes", c.notes}};
    j["novelty"] = c.hasNovelty ? json{{"k", c.novelty.k},
                                       {"percentile", c.novelty.percentile},
                                       {"threshold", number(c.novelty.threshold)},
                                       {"reference_images", c.novelty.reference.rows}}
                                : json(nullptr);
    return j.dump();
}

ModelCalibration modelCalibrationFromJson(const std::string& text, const std::string& origin) {
    ModelCalibration c;
    try {
        const auto j = json::parse(text);
        if (j.at("format").get<int>() != 1)
            throw Error(origin + ": calibration format " + j.at("format").dump() + " is not known to this program");
        c.classes = j.at("classes").get<std::vector<std::string>>();
        c.ensemble = viewFromJson(j.at("ensemble"));
        c.famOnly = viewFromJson(j.at("fam_only"));
        c.mlpOnly = viewFromJson(j.at("mlp_only"));
        const auto& domain = j.at("image_domain");
        c.domain.modalities = domain.at("modalities").get<std::vector<std::string>>();
        c.domain.bodyParts = domain.at("body_parts").get<std::vector<std::string>>();
        c.domain.photometric = domain.at("photometric").get<std::vector<std::string>>();
        c.domain.declared = domain.at("declared").get<bool>();
        c.trainImagesPerClass = j.at("train_images_per_class").get<std::vector<int>>();
        c.validation = figuresFromJson(j.at("validation"));
        c.test = figuresFromJson(j.at("test"));
        c.noBetterThanChance = j.at("no_better_than_chance").get<bool>();
        c.bundleName = j.at("bundle_name").get<std::string>();
        c.bundleHash = j.at("bundle_hash").get<std::string>();
        c.demoBundle = j.at("demo_bundle").get<bool>();
        c.createdAt = j.at("created_at").get<std::string>();
        c.notes = j.at("notes").get<std::vector<std::string>>();
        if (const auto& novelty = j.at("novelty"); !novelty.is_null()) {
            c.hasNovelty = true;
            c.novelty.k = novelty.at("k").get<int>();
            c.novelty.percentile = novelty.at("percentile").get<double>();
            c.novelty.threshold = numberOf(novelty.at("threshold"));
        }
    } catch (const json::exception& error) {
        throw Error(origin + ": not a valid calibration record: " + error.what());
    }
    return c;
}

}  // namespace fmc
