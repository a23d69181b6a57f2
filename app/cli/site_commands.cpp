// fedmedclip-cli commands over a site workspace: import, status, train-local, predict.
// Arguments in, core/site calls, a progress bar on stderr and a summary on stdout.
#include "cli_commands.h"

#include "engine/runtime.h"
#include "site/image_domain.h"
#include "site/importer.h"
#include "site/site_workspace.h"

#include <nlohmann/json.hpp>

#include <QCommandLineParser>
#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fmc::cli {
namespace {

std::string str(const QString& text) { return text.toStdString(); }

// Ctrl-C asks the running import or training to stop at the next file or round, so the
// workspace records a cancelled run; a second Ctrl-C ends the process at once.
std::atomic<bool> interrupted{false};

void onInterrupt(int) {
    if (interrupted.exchange(true)) std::_Exit(130);
}

class InterruptGuard {
public:
    InterruptGuard() { previous_ = std::signal(SIGINT, onInterrupt); }
    ~InterruptGuard() { std::signal(SIGINT, previous_); }

private:
    void (*previous_)(int);
};

std::string percentText(const std::optional<double>& value) {
    if (!value) return "     -";
    char text[16];
    std::snprintf(text, sizeof text, "%6.2f", 100.0 * *value);
    return text;
}

void requirePositionals(const QCommandLineParser& parser, int count, const char* usage) {
    if (parser.positionalArguments().size() < count) throw Error(std::string("usage: fedmedclip-cli ") + usage);
}

ImportOptions parseLabelSource(const QString& text) {
    ImportOptions options;
    if (text.isEmpty() || text == "none") return options;
    if (text == "folder") {
        options.labelSource = LabelSource::FolderNames;
    } else if (text.startsWith("csv:") && text.size() > 4) {
        options.labelSource = LabelSource::Csv;
        options.csvPath = str(text.mid(4));
    } else if (text.startsWith("tag:") && text.size() > 4) {
        options.labelSource = LabelSource::DicomTag;
        options.dicomTagKeyword = str(text.mid(4));
    } else {
        throw Error("import: --labels-from must be folder, csv:FILE or tag:KEYWORD, not '" + str(text) + "'");
    }
    return options;
}

// Exit codes of import (documented in docs/site-staff.md).
constexpr int kImportExitPathMissing = 3;   // a path given on the command line does not exist
constexpr int kImportExitNothingImported = 4;  // no file was imported or already in the workspace
constexpr int kExitCancelled = 130;

// Removes a workspace folder this command created when the command fails, so a typo in a path
// does not leave an empty workspace behind.
class NewWorkspaceCleanup {
public:
    explicit NewWorkspaceCleanup(const std::string& folder) : folder_(folder) {
        std::error_code error;
        created_ = !std::filesystem::exists(folder_, error) && !error;
    }
    ~NewWorkspaceCleanup() {
        if (!created_ || kept_) return;
        std::error_code error;
        std::filesystem::remove_all(folder_, error);
    }
    void keep() { kept_ = true; }
    bool created() const { return created_; }

private:
    std::filesystem::path folder_;
    bool created_ = false, kept_ = false;
};

int importCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Imports image files and folders (photos and DICOM, recursively) into a site workspace. Every file is "
        "listed with its outcome, and so is every path that is not imported (unreadable folders, dangling links, "
        "FIFOs, ...); a bad file never stops the import. Running it again continues an interrupted import without "
        "duplicates.\n\nExit status: 0 when files were imported (or were already in the workspace); 3 when a "
        "given path does not exist; 4 when nothing was imported (every file failed, was skipped or a duplicate); "
        "1 for a bad request (e.g. an unreadable labels CSV); 130 when interrupted. A workspace this command "
        "created is removed again when it exits 1, 3 or 4.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "Workspace folder (created if needed).");
    parser.addPositionalArgument("paths", "Files and folders to import.", "<paths...>");
    parser.addOptions({
        {"labels-from", "folder (sub-folder names), csv:FILE (path,label[,site][,split]) or tag:KEYWORD (a DICOM "
                        "attribute such as BodyPartExamined).", "SOURCE", "none"},
        {"csv-path-column", "The labels CSV's column naming the file (default path).", "NAME", "path"},
        {"csv-label-column", "The labels CSV's column holding the label (default label).", "NAME", "label"},
        {"csv-path-format", "How a value of the file column becomes a path, {} standing for the value, e.g. {}.png "
                            "or images/{:03}.png (zero-padded to 3 digits).", "PATTERN", "{}"},
        {"map", "Local label name = federation class name (repeatable).", "LOCAL=FEDERATION"},
        {"frames", "Multi-frame DICOM: middle (one sample per file) or every (one per frame).", "POLICY", "middle"},
        {"test-share", "Share of images without a given split that go to the test split.", "FRACTION", "0.2"},
        {"validation-share", "Share of images without a given split that go to the validation split (where "
                             "train-local picks its best round).", "FRACTION", "0.15"},
        {"list", "Which files to list: problems or all.", "WHICH", "problems"},
        {"report", "Also write the full report (every file) to FILE.", "FILE"},
    });
    parser.process(arguments);
    requirePositionals(parser, 2, "import <workspace> <paths...> [options]");
    const auto positionals = parser.positionalArguments();

    auto options = parseLabelSource(parser.value("labels-from"));
    const bool csvOption =
        parser.isSet("csv-path-column") || parser.isSet("csv-label-column") || parser.isSet("csv-path-format");
    if (csvOption && options.labelSource != LabelSource::Csv)
        throw Error("import: --csv-path-column, --csv-label-column and --csv-path-format need --labels-from csv:FILE");
    options.csvPathColumn = str(parser.value("csv-path-column"));
    options.csvLabelColumn = str(parser.value("csv-label-column"));
    options.csvPathFormat = str(parser.value("csv-path-format"));
    const auto frames = parser.value("frames");
    if (frames == "every") options.frames = MultiFramePolicy::EveryFrame;
    else if (frames != "middle") throw Error("import: --frames must be middle or every, not '" + str(frames) + "'");
    auto share = [&](const char* name) {
        bool ok = false;
        const auto value = parser.value(name).toDouble(&ok);
        if (!ok || !(value >= 0 && value <= 1))
            throw Error(std::string("import: --") + name + " must be a number between 0 and 1, not '" +
                        str(parser.value(name)) + "'");
        return value;
    };
    options.testShare = share("test-share");
    options.validationShare = share("validation-share");  // the importer refuses a sum over 1
    const auto list = parser.value("list");
    if (list != "problems" && list != "all") throw Error("import: --list must be problems or all");

    std::map<std::string, std::string> mappings;
    for (const auto& mapping : parser.values("map")) {
        const auto equals = mapping.indexOf('=');
        if (equals <= 0 || equals == mapping.size() - 1)
            throw Error("import: --map '" + str(mapping) + "' must have the form LOCAL=FEDERATION");
        mappings[str(mapping.left(equals).trimmed())] = str(mapping.mid(equals + 1).trimmed());
    }

    NewWorkspaceCleanup cleanup(str(positionals.front()));
    std::vector<std::string> paths;
    for (const auto& path : positionals.mid(1)) paths.push_back(str(path));
    ImportReport report;
    {
        auto workspace = SiteWorkspace::open(str(positionals.front()));
        if (!mappings.empty()) workspace.store().setLabelMappings(mappings);
        ProgressBar bar;
        InterruptGuard guard;
        report = workspace.importPaths(paths, options, [&](const ImportProgress& p) {
            bar.update("import", p.done, p.total);
        }, &interrupted);
    }  // closed before the folder may be removed
    std::printf("%s", formatImportReport(report, list == "problems").c_str());
    if (!mappings.empty())
        for (const auto& [local, federation] : mappings)
            std::printf("label mapping: %s -> %s\n", local.c_str(), federation.c_str());
    if (parser.isSet("report")) {
        const auto path = str(parser.value("report"));
        std::ofstream out(path);
        out << formatImportReport(report, false);
        if (!out) throw Error(path + ": cannot write the import report");
        std::printf("full report written to %s\n", path.c_str());
    }
    const bool pathMissing = std::any_of(report.files.begin(), report.files.end(), [](const ImportFileResult& file) {
        return file.errorClass == "not-found";
    });
    const int inWorkspace = report.count(ImportOutcome::Imported) + report.count(ImportOutcome::AlreadyImported);
    const int status = report.cancelled ? kExitCancelled
                       : pathMissing    ? kImportExitPathMissing
                       : inWorkspace == 0 ? kImportExitNothingImported
                                          : 0;
    if (status == kImportExitPathMissing)
        std::fprintf(stderr, "fedmedclip-cli: error: a given path does not exist (see the not-found lines above)\n");
    else if (status == kImportExitNothingImported)
        std::fprintf(stderr, "fedmedclip-cli: error: nothing was imported from the %zu file(s) found\n",
                     report.files.size());
    if ((status == 0 || status == kExitCancelled) || inWorkspace > 0) cleanup.keep();
    else if (cleanup.created())
        std::fprintf(stderr, "fedmedclip-cli: the new workspace %s was removed again\n", str(positionals.front()).c_str());
    return status;
}

int statusCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Shows what a site workspace holds and checks its database.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.process(arguments);
    requirePositionals(parser, 1, "status <workspace>");
    const auto folder = str(parser.positionalArguments().front());
    if (!QFileInfo::exists(QString::fromStdString(folder + "/" + kWorkspaceDatabaseFileName)))
        throw Error(folder + ": not a site workspace (no " + kWorkspaceDatabaseFileName + ")");
    auto workspace = SiteWorkspace::open(folder);
    auto& store = workspace.store();
    const auto s = store.summary();
    const auto mappings = store.labelMappings();

    std::printf("workspace %s (schema version %d)\n", workspace.folder().c_str(), store.schemaVersion());
    std::printf("images: %d (%d labelled, %d unreadable)\n", s.images, s.labelled, s.unreadable);
    for (const auto& [label, count] : s.perLabel) {
        const auto mapped = mappings.find(label);
        std::printf("  %6d  %s%s%s\n", count, label.empty() ? "(unlabelled)" : label.c_str(),
                    mapped == mappings.end() ? "" : " -> ", mapped == mappings.end() ? "" : mapped->second.c_str());
    }
    std::printf("splits:");
    for (const auto& [split, count] : s.perSplit) std::printf(" %s %d", split.c_str(), count);
    std::printf("\nimport runs: %d", s.importRuns);
    if (s.interruptedImportRuns > 0)
        std::printf(" (%d interrupted: run the same import again to finish it)", s.interruptedImportRuns);
    std::printf(", %d files not imported (errors, skips, duplicates)\n", s.filesNotImported);

    const auto bundle = workspace.bundleDir();
    const auto bundleHash = store.setting(settings::kBundleHash);
    std::printf("bundle: %s\n", bundle ? bundle->c_str() : "(none; train-local --bundle DIR sets it)");
    if (bundleHash) {
        const auto cached = s.featuresPerBundle.count(*bundleHash) ? s.featuresPerBundle.at(*bundleHash) : 0;
        std::printf("cached features for this bundle: %d of %d images\n", cached, s.images - s.unreadable);
    }
    const auto runs = store.trainingRuns();
    std::printf("training runs: %zu\n", runs.size());
    if (!runs.empty()) {
        const auto& last = runs.back();
        std::printf("  last: run %lld (%s, %s), %zu rounds, %d train / %d %s images", static_cast<long long>(last.id),
                    last.info.kind.c_str(), last.status == "running" ? "running or interrupted" : last.status.c_str(),
                    last.rounds.size(), last.info.trainImages,
                    last.info.evaluationImages, last.info.evaluationSplit.empty() ? "evaluation"
                                                                                  : last.info.evaluationSplit.c_str());
        if (!last.rounds.empty())
            std::printf(", final loss %.4f, accuracy %s%%, balanced accuracy %s%%",
                        last.rounds.back().loss, percentText(last.rounds.back().accuracy).c_str(),
                        percentText(last.rounds.back().balancedAccuracy).c_str());
        std::printf("\n");
    }
    const auto versions = store.modelVersions();
    std::printf("model versions: %zu", versions.size());
    if (!versions.empty())
        std::printf(" (latest %lld: %s, %s)", static_cast<long long>(versions.back().id),
                    modelVersionKindName(versions.back().kind), versions.back().createdAt.c_str());
    std::printf("\npredictions: %d\n", s.predictions);

    const auto integrity = store.integrityCheck();
    const auto violations = store.foreignKeyViolations();
    std::printf("database: integrity %s, journal %s, foreign keys %s, %zu foreign key violations\n", integrity.c_str(),
                store.journalMode().c_str(), store.foreignKeysEnabled() ? "on" : "off", violations.size());
    return integrity == "ok" && violations.empty() ? 0 : 1;
}

// The calibration figures of a model version, in words.
void printCalibration(const ModelCalibration& calibration) {
    const auto& view = calibration.ensemble;
    if (!view.fitted) return;
    std::printf("calibration on %d validation images: temperature %.3f, NLL %.4f -> %.4f\n",
                view.conformal.calibrationImages, view.temperature.temperature, view.temperature.nllBefore,
                view.temperature.nllAfter);
    if (view.testImages > 0) {
        std::printf("on the %d test images: ECE %.4f -> %.4f, NLL %.4f -> %.4f\n", view.testImages, view.testEceBefore,
                    view.testEceAfter, view.testNllBefore, view.testNllAfter);
        std::printf("%.0f%% prediction sets cover the true class in %.1f%% of %d test images (mean set size %.2f)\n",
                    100.0 * view.conformal.coverage, 100.0 * view.testCoverage.coverage, view.testImages,
                    view.testCoverage.meanSetSize);
    }
    if (calibration.hasNovelty)
        std::printf("out-of-distribution threshold: cosine distance %.4f to the %d-th nearest of %lld training images "
                    "(%.0fth percentile of the validation images)\n",
                    calibration.novelty.threshold, calibration.novelty.k,
                    static_cast<long long>(calibration.novelty.reference.rows), calibration.novelty.percentile);
    if (calibration.noBetterThanChance)
        std::printf("WARNING: this model is no better than chance on its validation images (balanced accuracy "
                    "%.2f%%, chance %.2f%% for %zu classes): do not use it to classify.\n",
                    100.0 * calibration.validation->balancedAccuracy, 100.0 / calibration.classes.size(),
                    calibration.classes.size());
}

int trainLocalCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Trains the site's FedMedCLIP model (FAM + private MLP) on the workspace's train split, records every "
        "round (metrics and per-class recall on the validation split, else the test split) and saves the best "
        "round's model (highest balanced accuracy; the last round without an evaluation split) as a new model "
        "version, then evaluates that model once on the test split. Without a validation split the round is "
        "chosen on the test split, whose figures are then optimistic.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.addOptions({
        {"bundle", "Model bundle folder (remembered by the workspace).", "DIR"},
        {"rounds", "Training rounds.", "N", "10"},
        {"seed", "Random seed.", "N", "1"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"threads", "CPU threads (0: the engine chooses: one for training on features, the free cores for the encoders).", "N", "0"},
        {"released-code", "Reproduce the released code's choices (see docs/method.md)."},
        {"no-mlp", "Ablation: FAM only, no private MLP."},
        {"no-masks", "Ablation: plain linear layers, no pruning masks."},
    });
    parser.process(arguments);
    requirePositionals(parser, 1, "train-local <workspace> --bundle DIR [--rounds N]");

    LocalTrainingConfig config;
    config.bundleDir = str(parser.value("bundle"));
    bool ok = false;
    config.rounds = parser.value("rounds").toInt(&ok);
    if (!ok || config.rounds < 1) throw Error("train-local: --rounds must be a positive whole number");
    config.seed = unsignedOption(parser, "seed");
    config.options = parser.isSet("released-code") ? FedMedClipOptions::releasedCode() : FedMedClipOptions{};
    if (parser.isSet("no-mlp")) config.options.useMlp = false;
    if (parser.isSet("no-masks")) config.options.useMasks = false;
    const auto runtime = configureRuntime(str(parser.value("device")), intOption(parser, "threads"));
    config.device = runtime.device;

    auto workspace = SiteWorkspace::open(str(parser.positionalArguments().front()));
    ProgressBar bar;
    InterruptGuard guard;
    const auto result = workspace.trainLocal(config, [&](const LocalTrainingProgress& p) {
        if (!p.round) {
            bar.update(p.stage.c_str(), p.done, p.total);
            return;
        }
        std::fprintf(stderr, "round %3d/%d  loss %.4f  accuracy %s%%  balanced %s%%  macro F1 %s%%  %.2f s\n", p.done,
                     p.total, p.round->loss, percentText(p.round->accuracy).c_str(),
                     percentText(p.round->balancedAccuracy).c_str(), percentText(p.round->macroF1).c_str(),
                     p.round->seconds);
    }, &interrupted);

    if (result.demoBundle)
        std::printf("DEMO bundle (random weights): these numbers say nothing clinical.\n");
    std::printf("training run %lld: %zu classes, %d train images, %d %s images\n",
                static_cast<long long>(result.trainingRunId), result.classes.size(), result.trainImages,
                result.evaluationImages, result.evaluationSplit.empty() ? "evaluation" : result.evaluationSplit.c_str());
    std::printf("features: %d from the cache, %d encoded in %.1f s, %d unreadable\n", result.features.fromCache,
                result.features.encoded, result.features.seconds, result.features.failed);
    for (const auto& error : result.features.errors) std::printf("  unreadable: %s\n", error.c_str());
    for (const auto& note : result.notes) std::printf("note: %s\n", note.c_str());
    std::printf("round  loss     accuracy  balanced  macro-F1  seconds\n");
    for (const auto& round : result.rounds)
        std::printf("%5d  %.4f   %s    %s    %s    %.2f\n", round.round, round.loss,
                    percentText(round.accuracy).c_str(), percentText(round.balancedAccuracy).c_str(),
                    percentText(round.macroF1).c_str(), round.seconds);
    const auto& kept = result.rounds.at(static_cast<size_t>(result.keptRound - 1));
    if (kept.balancedAccuracy)
        std::printf("saved model version %lld: round %d, the best balanced accuracy on the %s split (%.2f%%)\n",
                    static_cast<long long>(result.modelVersionId), result.keptRound, result.evaluationSplit.c_str(),
                    100.0 * *kept.balancedAccuracy);
    else
        std::printf("saved model version %lld: round %d, the last (no evaluation split to choose the best round)\n",
                    static_cast<long long>(result.modelVersionId), result.keptRound);
    if (result.keptRoundChosenOnTestSplit)
        std::printf("WARNING: no validation split, so round %d was chosen on the test split: the test figures above "
                    "are optimistic. Import with --validation-share (or validation folders / CSV splits) for an "
                    "unbiased test estimate.\n",
                    result.keptRound);
    if (const auto& test = result.keptModelOnTest)
        std::printf("kept model on the %lld test images: accuracy %.2f%%, balanced accuracy %.2f%%, macro F1 %.2f%%\n",
                    static_cast<long long>(test->numSamples), 100.0 * test->accuracy, 100.0 * test->balancedAccuracy,
                    100.0 * test->macroF1);
    else if (result.evaluationSplit == "validation")
        std::printf("no labelled test images: the kept model was not evaluated on a test split\n");
    if (result.calibration) printCalibration(*result.calibration);
    return 0;
}

int topOf(const std::vector<float>& values) {
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

std::string predictionJson(const ImagePrediction& p) {
    auto byName = [&](const std::vector<float>& values) {
        auto object = nlohmann::json::object();
        for (size_t c = 0; c < values.size() && c < p.classes.size(); ++c) object[p.classes[c]] = values[c];
        return object;
    };
    nlohmann::json j{{"class", p.predictedClass},
                     {"probabilities", byName(p.ensemble)},
                     {"probabilities_fam_only", byName(p.famOnly)},
                     {"probabilities_mlp_only", p.mlpOnly.empty() ? nlohmann::json(nullptr) : byName(p.mlpOnly)},
                     {"calibrated", p.calibrated},
                     {"not_calibrated_reason", p.calibrated ? nlohmann::json(nullptr)
                                                            : nlohmann::json(notCalibratedReason(
                                                                  p.calibration ? &*p.calibration : nullptr))},
                     {"prediction_set", p.predictionSet},
                     {"coverage", p.calibrated ? nlohmann::json(p.coverage) : nlohmann::json(nullptr)},
                     {"large_prediction_set", p.largePredictionSet},
                     {"out_of_distribution", p.outOfDistribution},
                     {"ood_reasons", p.outOfDistributionReasons},
                     {"novelty_score", p.noveltyScore ? nlohmann::json(*p.noveltyScore) : nlohmann::json(nullptr)},
                     {"branch_disagreement", p.branchDisagreement},
                     {"no_better_than_chance", p.noBetterThanChance},
                     {"model_version", p.modelVersionId},
                     {"prediction_id", p.predictionId},
                     {"demo_bundle", p.demoBundle}};
    if (p.calibration && p.calibration->ensemble.testImages > 0)
        j["test_coverage"] = {{"covered", p.calibration->ensemble.testCoverage.covered},
                              {"images", p.calibration->ensemble.testImages},
                              {"coverage", p.calibration->ensemble.testCoverage.coverage}};
    return j.dump();
}

int predictCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Predicts one image (photo or DICOM) with the workspace's latest local model and records the prediction.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.addPositionalArgument("image", "Image file.");
    parser.addOptions({
        {"model", "Model version id (default: the latest local checkpoint).", "ID"},
        {"bundle", "Model bundle folder (default: the workspace's).", "DIR"},
        {"by", "Who asked for the prediction, recorded with it.", "NAME"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"json", "Print one JSON object (class, calibrated probabilities by class name, prediction_set, coverage, "
                 "out_of_distribution, ood_reasons, branch_disagreement, model_version, ...) instead of text."},
    });
    parser.process(arguments);
    requirePositionals(parser, 2, "predict <workspace> <image>");
    std::optional<std::int64_t> model;
    if (parser.isSet("model")) {
        bool ok = false;
        model = parser.value("model").toLongLong(&ok);
        if (!ok) throw Error("predict: --model must be a model version id");
    }
    const auto runtime = configureRuntime(str(parser.value("device")), 0);
    auto workspace = SiteWorkspace::open(str(parser.positionalArguments().at(0)));
    const auto p = workspace.predict(str(parser.positionalArguments().at(1)), model, str(parser.value("bundle")),
                                     str(parser.value("by")), runtime.device);
    if (parser.isSet("json")) {
        std::printf("%s\n", predictionJson(p).c_str());
        return 0;
    }
    if (p.demoBundle) std::printf("DEMO bundle (random weights): this prediction says nothing clinical.\n");
    if (p.outOfDistribution) {
        std::printf("WARNING: this image does not look like the images the model was trained on; do not rely on "
                    "the result:\n");
        for (const auto& reason : p.outOfDistributionReasons) std::printf("  - %s\n", reason.c_str());
    }
    if (p.noBetterThanChance)
        std::printf("WARNING: this model is no better than chance on its validation images: do not rely on it.\n");
    std::printf("model version %lld, prediction %lld recorded\n", static_cast<long long>(p.modelVersionId),
                static_cast<long long>(p.predictionId));
    if (p.calibrated)
        std::printf("probabilities calibrated on the site's validation images\n");
    else
        std::printf("NOT calibrated: %s. The figures below are raw model scores, not probabilities; there is no "
                    "prediction set and no check against the training images.\n",
                    notCalibratedReason(p.calibration ? &*p.calibration : nullptr).c_str());
    std::printf("%-32s %9s %9s %9s\n", "class", "ensemble", "FAM-only", "MLP-only");
    for (size_t c = 0; c < p.classes.size(); ++c) {
        char mlp[16] = "        -";
        if (!p.mlpOnly.empty()) std::snprintf(mlp, sizeof mlp, "%8.2f%%", 100.0 * p.mlpOnly[c]);
        std::printf("%-32.32s %8.2f%% %8.2f%% %s\n", p.classes[c].c_str(), 100.0 * p.ensemble[c], 100.0 * p.famOnly[c],
                    mlp);
    }
    std::printf("entropy (nats): ensemble %.3f, FAM %.3f, MLP %.3f\n", p.ensembleEntropy, p.famEntropy, p.mlpEntropy);
    std::printf("predicted: %s\n", p.predictedClass.c_str());
    if (!p.predictionSet.empty()) {
        std::string names;
        for (const auto& name : p.predictionSet) names += (names.empty() ? "" : ", ") + name;
        std::printf("%.0f%% prediction set: one of: %s\n", 100.0 * p.coverage, names.c_str());
        if (p.largePredictionSet)
            std::printf("the set is large (%zu of %zu classes): the model cannot narrow this image down\n",
                        p.predictionSet.size(), p.classes.size());
    }
    if (p.calibration && p.calibration->ensemble.testImages > 0)
        std::printf("such sets covered the true class in %.1f%% of %d test images\n",
                    100.0 * p.calibration->ensemble.testCoverage.coverage, p.calibration->ensemble.testImages);
    if (p.branchDisagreement)
        std::printf("the two branches disagree: FAM says %s, MLP says %s\n",
                    p.classes[static_cast<size_t>(topOf(p.famOnly))].c_str(),
                    p.classes[static_cast<size_t>(topOf(p.mlpOnly))].c_str());
    if (!p.outOfDistribution) std::printf("out of distribution: no\n");
    return 0;
}

// The site's choices for calibration: the coverage of prediction sets and the kind of image
// the model is for (the out-of-distribution check's attributes).
int calibrationCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Shows or sets what the next training calibrates with: the coverage of prediction sets (default 0.9) and "
        "the kind of image the model is for (modalities such as photo or CT, body parts, colour or grey). Without "
        "a declared kind, the kind seen in the training images is used. Takes effect at the next train-local or "
        "federation.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.addOptions({
        {"coverage", "Share of images whose prediction set holds the true class, e.g. 0.9.", "SHARE"},
        {"modalities", "Comma-separated: photo (JPEG, PNG, ...) and/or DICOM Modality codes, e.g. CT,MR.", "LIST"},
        {"body-parts", "Comma-separated DICOM BodyPartExamined values, e.g. HEAD,BRAIN.", "LIST"},
        {"photometric", "colour and/or grey.", "LIST"},
        {"seen-in-training", "Forget the declared kind: use the one seen in the training images."},
    });
    parser.process(arguments);
    requirePositionals(parser, 1, "calibration <workspace> [--coverage SHARE] [--modalities LIST] ...");
    auto workspace = SiteWorkspace::open(str(parser.positionalArguments().front()));
    auto& store = workspace.store();
    if (parser.isSet("coverage")) {
        bool ok = false;
        const double coverage = parser.value("coverage").toDouble(&ok);
        if (!ok) throw Error("calibration: --coverage must be a number such as 0.9");
        workspace.setConformalCoverage(coverage);
    }
    const auto list = [&](const char* option) {
        std::vector<std::string> values;
        for (const auto& value : parser.value(option).split(',', Qt::SkipEmptyParts)) values.push_back(str(value.trimmed()));
        return values;
    };
    if (parser.isSet("seen-in-training")) store.removeSetting(settings::kImageDomain);
    if (parser.isSet("modalities") || parser.isSet("body-parts") || parser.isSet("photometric")) {
        auto domain = store.setting(settings::kImageDomain)
                          ? imageDomainFromJson(*store.setting(settings::kImageDomain), settings::kImageDomain)
                          : ImageDomain{};
        if (parser.isSet("modalities")) domain.modalities = list("modalities");
        if (parser.isSet("body-parts")) domain.bodyParts = list("body-parts");
        if (parser.isSet("photometric")) domain.photometric = list("photometric");
        const auto json = imageDomainToJson(domain);
        imageDomainFromJson(json, "calibration");  // refuses an unknown photometric kind before storing
        store.setSetting(settings::kImageDomain, json);
    }
    std::printf("prediction-set coverage: %.3f\n", workspace.conformalCoverage());
    const auto declared = store.setting(settings::kImageDomain);
    std::printf("image kind: %s\n", declared ? ("declared " + *declared).c_str() : "seen in the training images");
    return 0;
}

const CommandRegistration importRegistration("import", "import images and DICOM folders into a site workspace",
                                             importCommand);
const CommandRegistration statusRegistration("status", "summarise a site workspace and check its database",
                                             statusCommand);
const CommandRegistration trainLocalRegistration("train-local", "train the site's model on its own images",
                                                 trainLocalCommand);
const CommandRegistration predictRegistration("predict", "predict one image with the site's model", predictCommand);
const CommandRegistration calibrationRegistration("calibration",
                                                  "set the prediction-set coverage and the kind of image the model is for",
                                                  calibrationCommand);

}  // namespace
}  // namespace fmc::cli
