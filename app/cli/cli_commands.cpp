#include "cli_commands.h"

#include "benchmark_table.h"
#include "engine_benchmark.h"

#include "common/app_identity.h"
#include "common/codec.h"
#include "common/numeric_option.h"
#include "common/resource_paths.h"
#include "engine/demo_bundle.h"
#include "engine/model_bundle.h"
#include "engine/runtime.h"
#include "sim/demo_federation.h"
#include "sim/simulator.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <cstdio>
#include <map>
#include <unistd.h>

namespace fmc::cli {
namespace {

struct RegisteredCommand {
    const char* summary;
    CommandHandler handler;
};

std::map<QString, RegisteredCommand>& registry() {
    static std::map<QString, RegisteredCommand> commands;
    return commands;
}

std::string str(const QString& text) { return text.toStdString(); }

}  // namespace

CommandRegistration::CommandRegistration(const char* name, const char* summary, CommandHandler handler) {
    registry()[QString::fromLatin1(name)] = {summary, handler};
}

std::string vocabularyPath() { return clipVocabularyPath(); }

int intOption(const QCommandLineParser& parser, const QString& name) {
    return static_cast<int>(parseIntegerOption(name.toStdString(), parser.value(name).toStdString()));
}

std::uint64_t unsignedOption(const QCommandLineParser& parser, const QString& name) {
    return parseUnsignedOption(name.toStdString(), parser.value(name).toStdString());
}

double numberOption(const QCommandLineParser& parser, const QString& name) {
    return parseNumberOption(name.toStdString(), parser.value(name).toStdString());
}

void ProgressBar::update(const char* stage, int done, int total) {
    if (total <= 0) return;
    const bool terminal = isatty(fileno(stderr));
    const int percent = 100 * done / total;
    // On a terminal redraw in place when the percentage moves; in a log, a line every 10%.
    if (!terminal && percent < lastPercent_ + 10 && done != total) return;
    if (terminal && percent == lastPercent_ && done != total) return;
    lastPercent_ = percent;
    const int width = 30, filled = width * done / total;
    std::fprintf(stderr, "%s%-9s [%.*s%*s] %d/%d%s", terminal ? "\r" : "", stage, filled,
                 "##############################", width - filled, "", done, total,
                 terminal && done != total ? "" : "\n");
    std::fflush(stderr);
    if (done == total) lastPercent_ = -100;
}

namespace {

void runAndReport(const SimulationConfig& config, const std::string& outputPrefix) {
    ProgressBar bar;
    const auto result = runSimulation(config, [&](const SimulationProgress& p) {
        if (p.round)
            std::fprintf(stderr, "round %3d/%d  loss %.4f  mean val acc %.2f%%  %.3f s\n", p.done, p.total,
                         p.round->meanTrainingLoss, 100 * p.round->meanValidationAccuracy,
                         p.round->trainingSeconds + p.round->communicationSeconds);
        else
            bar.update(p.stage.c_str(), p.done, p.total);
    });
    std::printf("%s", formatResultTable(result).c_str());
    if (!outputPrefix.empty()) {
        QDir().mkpath(QFileInfo(QString::fromStdString(outputPrefix)).absolutePath());
        writeResultFiles(result, outputPrefix);
        std::printf("results written to %s.json and %s.csv\n", outputPrefix.c_str(), outputPrefix.c_str());
    }
}

void describeRuntime(const RuntimeInfo& runtime) {
    std::fprintf(stderr, "device %s, %d CPU threads, BLAS %s%s%s\n", runtime.device.c_str(), runtime.threads,
                 runtime.blasLibrary.empty() ? "(none found)" : runtime.blasLibrary.c_str(),
                 runtime.blasKernels.empty() ? "" : ", kernels ", runtime.blasKernels.c_str());
    if (runtime.referenceBlas)
        std::fprintf(stderr,
                     "warning: LibTorch runs on the reference BLAS, ~25x slower; install libopenblas0-openmp\n");
}

void addModelOptions(QCommandLineParser& parser) {
    parser.addOptions({
        {"method", "fedmedclip, local, zeroshot, fedclip, fedavg, fedprox or moon.", "NAME", "fedmedclip"},
        {"rounds", "Federated rounds.", "N"},
        {"seed", "Random seed (splits, initialisation, shuffling).", "N", "1"},
        {"codec", "FAM codec: fp32, fp16-zlib (paper), mask-fp16-zlib, mask-int8-zlib or mask-int8-delta-zlib "
                  "(the difference from the global FAM each site received).", "NAME", "fp16-zlib"},
        {"delta-feedback", "mask-int8-delta-zlib uploads: on (each site adds the quantisation error of its previous "
                           "upload to the next, coarse step) or off (near-lossless step); see docs/method.md.", "on|off", "off"},
        {"delta-step", "mask-int8-delta-zlib uploads: a kept row's step in RMS of its delta (0: max/127, the "
                       "near-lossless step; default 1 with --delta-feedback on, 0 off).", "K"},
        {"delta-budget", "mask-int8-delta-zlib uploads: at most N bytes each; a site coarsens its step from "
                         "--delta-step's until the upload fits (0: no budget).", "N", "0"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"threads", "CPU threads (0: the engine chooses: one for training on features, the free cores for the encoders).", "N", "0"},
        {"released-code", "Reproduce the released code's choices (see docs/method.md)."},
        {"no-mlp", "Ablation: FAM only, no private MLP."},
        {"no-distillation", "Ablation: no KL distillation between FAM and MLP."},
        {"no-adaptive", "Ablation: unweighted distillation (alpha unused)."},
        {"no-masks", "Ablation: plain linear layers, no pruning masks."},
        {"no-pruning", "No sparsity term on the FAM's thresholds (masks learn from the task loss only)."},
        {"keep-target", "Share of FAM rows the sparsity term prunes down to (default 0.5).", "R"},
        {"sparsity-weight", "Sparsity term: per-round threshold rise in mean row scores (default 0.3).", "L"},
        {"plain-aggregation", "Average FAM rows over all sites, pruned ones as sent (not mask-aware)."},
        {"drop-last", "Released code: drop each epoch's last partial batch."},
        {"attached-teacher", "Released code: distillation gradient reaches the teacher too."},
        {"raw-fam-input", "Released code: the raw (not L2-normalised) image feature enters the FAM."},
        {"mask-cutoff", "Released code: a row is kept iff score - threshold > C (released 0.01).", "C"},
        {"reversed-mask-gradient", "Released code: the step passes gradient only where |u - t| > 1."},
        {"private-thresholds", "Released code: thresholds are not sent."},
        {"reset-thresholds", "Released code: thresholds reset to 0 every round."},
        {"softmax-twice-entropy", "Released code: entropy as -sum p log softmax(p)."},
        {"fresh-optimizer", "Released code: AdamW re-created every round."},
        {"uniform-aggregation", "Average FAMs with weights 1/K instead of sample counts."},
        {"out", "Write <prefix>.json and <prefix>.csv.", "PREFIX"},
    });
}

void applyModelOptions(const QCommandLineParser& parser, SimulationConfig& config) {
    config.options = parser.isSet("released-code") ? FedMedClipOptions::releasedCode() : FedMedClipOptions{};
    if (parser.isSet("released-code")) config.sampleWeightedAggregation = false;
    if (parser.isSet("no-mlp")) config.options.useMlp = false;
    if (parser.isSet("no-distillation")) config.options.useDistillation = false;
    if (parser.isSet("no-adaptive")) config.options.adaptiveWeighting = false;
    if (parser.isSet("no-masks")) config.options.useMasks = false;
    auto number = [&](const char* name) {
        bool ok = false;
        const double value = parser.value(name).toDouble(&ok);
        if (!ok) throw Error(std::string("--") + name + " needs a number, not '" + str(parser.value(name)) + "'");
        return value;
    };
    if (parser.isSet("no-pruning")) config.options.pruneFam = false;
    if (parser.isSet("keep-target")) config.options.famKeepTarget = number("keep-target");
    if (parser.isSet("sparsity-weight")) config.options.maskSparsityWeight = number("sparsity-weight");
    if (parser.isSet("plain-aggregation")) config.options.maskAwareAggregation = false;
    if (parser.isSet("drop-last")) config.options.dropLastBatch = true;
    if (parser.isSet("attached-teacher")) config.options.detachTeacher = false;
    if (parser.isSet("raw-fam-input")) config.options.normaliseFamInput = false;
    if (parser.isSet("mask-cutoff")) config.options.maskForwardCutoff = number("mask-cutoff");
    if (parser.isSet("reversed-mask-gradient")) config.options.maskGradient = MaskGradient::ReversedWindow;
    if (parser.isSet("private-thresholds")) config.options.shareThresholds = false;
    if (parser.isSet("reset-thresholds")) config.options.resetThresholdsEachRound = true;
    if (parser.isSet("softmax-twice-entropy")) config.options.entropyOnSoftmaxTwice = true;
    if (parser.isSet("fresh-optimizer")) config.options.keepOptimizerState = false;
    if (parser.isSet("uniform-aggregation")) config.sampleWeightedAggregation = false;
    if (parser.isSet("rounds")) config.rounds = intOption(parser, "rounds");
    config.method = str(parser.value("method"));
    config.seed = unsignedOption(parser, "seed");
    config.codec = codecFromName(str(parser.value("codec")));
    const auto feedback = str(parser.value("delta-feedback"));
    if (feedback != "on" && feedback != "off") throw Error("--delta-feedback must be on or off, not '" + feedback + "'");
    config.deltaErrorFeedback = feedback == "on";
    if (parser.isSet("delta-step")) {
        config.deltaStepPerRms = number("delta-step");
        if (!(config.deltaStepPerRms >= 0)) throw Error("--delta-step must be >= 0");
    }
    config.deltaBudgetBytes = static_cast<std::size_t>(unsignedOption(parser, "delta-budget"));
    if (config.deltaBudgetBytes > 0 && !codecNeedsReference(config.codec))
        throw Error("--delta-budget applies only with --codec mask-int8-delta-zlib, not " + codecName(config.codec));
    const auto runtime = configureRuntime(str(parser.value("device")), intOption(parser, "threads"));
    describeRuntime(runtime);
    config.device = runtime.device;
}

int demo(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Runs an offline DEMO federation: a random-weight demo bundle and procedural demo images, "
        "4 demo sites (the 4th held out as the unseen site). Not medical data, not a medical model.");
    parser.addHelpOption();
    // The desktop app's demo (fedmedclip-desktop --demo) reuses the bundle and images made here.
    const QString workDir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + '/' +
                            QString::fromLatin1(kDemoFolder) + '/' + QString::fromLatin1(kDemoFederationFolder);
    parser.addOption({"work", QStringLiteral("Folder for the demo bundle, images and cache (default: %1).").arg(workDir),
                      "DIR", workDir});
    addModelOptions(parser);
    parser.process(arguments);
    auto demo = prepareDemoFederation(str(parser.value("work")), vocabularyPath());
    applyModelOptions(parser, demo.config);
    std::printf("DEMO federation: synthetic images in %s, random-weight bundle in %s\n", demo.dataDir.c_str(),
                demo.bundleDir.c_str());
    std::fflush(stdout);
    runAndReport(demo.config, parser.isSet("out") ? str(parser.value("out")) : str(parser.value("work")) + "/results");
    std::printf("This was a DEMO: random weights and synthetic images; the accuracy shows the pipeline works, "
                "nothing clinical.\n");
    return 0;
}

void addDataOptions(QCommandLineParser& parser) {
    parser.addOptions({
        {"bundle", "Model bundle folder.", "DIR"},
        {"data", "Data: a folder (layouts sites/classes) or a CSV file (layout csv).", "PATH"},
        {"layout", "sites: <site>/<class>/img; classes: <class>/img split by Dirichlet; csv.", "LAYOUT", "sites"},
        {"path-column", "CSV column with image paths.", "NAME", "path"},
        {"label-column", "CSV column with labels.", "NAME", "label"},
        {"site-column", "CSV column with site names.", "NAME", "site"},
        {"sites", "Comma-separated training sites (default: all but the held-out one).", "LIST"},
        {"held-out", "Unseen global test site; <unknown> for records without a site.", "NAME"},
        {"dirichlet-sites", "Sites for the classes layout.", "K", "3"},
        {"alpha", "Dirichlet concentration for the classes layout.", "A", "0.5"},
        {"max-images-per-site", "Sample at most N images per site (0: all).", "N", "0"},
        {"cache", "Feature cache folder (\"\" to disable).", "DIR",
         QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/features"},
        {"prompt", "Class prompt template.", "TEXT", "a picture of a {}"},
    });
}

void applyDataOptions(const QCommandLineParser& parser, SimulationConfig& config) {
    config.bundleDir = str(parser.value("bundle"));
    config.dataPath = str(parser.value("data"));
    const auto layout = parser.value("layout");
    if (layout == "sites") config.layout = SimulationConfig::Layout::SiteFolders;
    else if (layout == "classes") config.layout = SimulationConfig::Layout::ClassFoldersDirichlet;
    else if (layout == "csv") config.layout = SimulationConfig::Layout::Csv;
    else throw Error("--layout must be sites, classes or csv, not '" + str(layout) + "'");
    config.csvColumns = {str(parser.value("path-column")), str(parser.value("label-column")),
                         str(parser.value("site-column"))};
    if (parser.isSet("sites"))
        for (const auto& site : parser.value("sites").split(',', Qt::SkipEmptyParts)) config.sites.push_back(str(site));
    config.heldOutSite = str(parser.value("held-out"));
    config.dirichletSites = intOption(parser, "dirichlet-sites");
    config.dirichletAlpha = numberOption(parser, "alpha");
    config.maxImagesPerSite = intOption(parser, "max-images-per-site");
    config.cacheDir = str(parser.value("cache"));
    config.promptTemplate = str(parser.value("prompt"));
}

int simulate(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Simulates a federation on one machine (the paper's protocol) with one method.");
    parser.addHelpOption();
    addDataOptions(parser);
    addModelOptions(parser);
    parser.process(arguments);
    for (const char* required : {"bundle", "data"})
        if (!parser.isSet(required)) throw Error(std::string("simulate: --") + required + " is required");
    SimulationConfig config;
    applyDataOptions(parser, config);
    applyModelOptions(parser, config);
    runAndReport(config, str(parser.value("out")));
    return 0;
}

// Runs every method on the same federation, each in its own process (so peak memory is
// each method's own), and writes one table.
int bench(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Reproduction benchmark: runs each method on the same data, splits, seeds and bundle, and writes one "
        "table (Markdown, CSV, JSON) with accuracy, time per round, bytes and peak memory, plus the ratios "
        "FedMedCLIP vs FedAVG and mask-aware vs fp16+zlib codec measured in the same run.");
    parser.addHelpOption();
    addDataOptions(parser);
    parser.addOptions({
        {"bundle-shape", "Without --bundle: make (once) a random-weight bundle, tiny or vitb32.", "SHAPE", "tiny"},
        {"work", "Folder for generated bundles and per-method results.", "DIR",
         QDir::tempPath() + "/fedmedclip-bench"},
        {"methods", "Comma-separated methods.", "LIST", "zeroshot,local,fedclip,fedavg,fedprox,moon,fedmedclip"},
        {"rounds", "Rounds for the feature-based methods.", "N", "50"},
        {"finetune-rounds", "Rounds for FedAVG, FedProx and MOON (they re-encode every image every round).", "N", "3"},
        {"seed", "Random seed.", "N", "1"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"codec", "FedMedCLIP's FAM codec.", "NAME", "fp16-zlib"},
        {"out", "Write <prefix>.md, .csv and .json.", "PREFIX"},
    });
    parser.process(arguments);
    if (!parser.isSet("data")) throw Error("bench: --data is required");
    const QString work = parser.value("work");
    QDir().mkpath(work);
    QString bundle = parser.value("bundle");
    if (bundle.isEmpty()) {
        const auto shape = parser.value("bundle-shape");
        if (shape != "tiny" && shape != "vitb32") throw Error("bench: --bundle-shape must be tiny or vitb32");
        bundle = work + "/bundle-" + shape;
        if (!QFileInfo::exists(bundle + "/manifest.json")) {
            std::fprintf(stderr, "creating a random-weight %s bundle in %s\n", qPrintable(shape), qPrintable(bundle));
            createDemoBundle(str(bundle), shape == "tiny" ? DemoBundleShape::Tiny : DemoBundleShape::VitB32,
                             vocabularyPath(), 32);
        }
    }
    const auto runtime = configureRuntime(str(parser.value("device")), 0);
    describeRuntime(runtime);

    QStringList forwarded{"--bundle", bundle, "--seed", parser.value("seed"), "--device", parser.value("device"),
                          "--codec", parser.value("codec")};
    for (const char* option : {"data", "layout", "path-column", "label-column", "site-column", "sites", "held-out",
                               "dirichlet-sites", "alpha", "max-images-per-site", "cache", "prompt"})
        if (parser.isSet(option) || !parser.value(option).isEmpty())
            forwarded << QStringLiteral("--") + option << parser.value(option);

    std::vector<std::string> results;
    for (const auto& method : parser.value("methods").split(',', Qt::SkipEmptyParts)) {
        const bool finetunes = method == "fedavg" || method == "fedprox" || method == "moon";
        const QString prefix = work + "/result-" + method;
        QStringList childArguments{"simulate", "--method", method, "--out", prefix, "--rounds",
                                   parser.value(finetunes ? "finetune-rounds" : "rounds")};
        childArguments << forwarded;
        std::fprintf(stderr, "== %s\n", qPrintable(method));
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), childArguments);
        if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0)
            throw Error("bench: method " + str(method) + " failed (exit code " + std::to_string(child.exitCode()) + ")");
        results.push_back(str(prefix) + ".json");
    }
    BenchmarkDescription description;
    description.machine = std::to_string(runtime.threads) + " CPU threads on " + runtime.device + ", BLAS " +
                          (runtime.blasLibrary.empty() ? "unknown" : runtime.blasLibrary);
    description.bundle = str(bundle);
    description.data = str(parser.value("data"));
    const QString out = parser.isSet("out") ? parser.value("out") : work + "/benchmark";
    std::printf("%s", writeBenchmarkTables(results, description, str(out)).c_str());
    std::printf("\ntables written to %s.md, .csv and .json\n", qPrintable(out));
    return 0;
}

int makeBundle(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Writes a RANDOM-WEIGHT demo bundle (tiny, or ViT-B/32-shaped for representative timings).");
    parser.addHelpOption();
    parser.addOptions({{"shape", "tiny or vitb32.", "SHAPE", "tiny"},
                       {"out", "Output folder.", "DIR"},
                       {"seed", "Weight seed.", "N", "2026"}});
    parser.process(arguments);
    if (!parser.isSet("out")) throw Error("make-bundle: --out is required");
    const auto shape = parser.value("shape");
    if (shape != "tiny" && shape != "vitb32") throw Error("make-bundle: --shape must be tiny or vitb32");
    const auto manifest = createDemoBundle(str(parser.value("out")),
                                           shape == "tiny" ? DemoBundleShape::Tiny : DemoBundleShape::VitB32,
                                           vocabularyPath(), unsignedOption(parser, "seed"));
    std::printf("wrote demo bundle %s (random weights, not for clinical use), bundle hash %s\n",
                manifest.name.c_str(), manifest.bundleHash.c_str());
    return 0;
}

int benchEngine(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Benchmarks the learning engine: feature extraction images/s against the machine's measured GEMM "
        "FLOP/s, peak memory, and seconds per FedMedCLIP round on cached features.");
    parser.addHelpOption();
    parser.addOptions({{"bundle", "Bundle to time (default: make a ViT-B/32-shaped random one in --work).", "DIR"},
                       {"work", "Scratch folder.", "DIR", QDir::tempPath() + "/fedmedclip-bench"},
                       {"data", "Image folder to encode (recursively).", "DIR"},
                       {"images", "Images to encode.", "N", "256"},
                       {"rounds", "Federated rounds to time.", "N", "5"},
                       {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
                       {"threads", "CPU threads (0: the engine chooses: one for training on features, the free cores for the encoders).", "N", "0"}});
    parser.process(arguments);
    const auto runtime = configureRuntime(str(parser.value("device")), intOption(parser, "threads"));
    describeRuntime(runtime);
    EngineBenchmarkConfig config;
    config.bundleDir = str(parser.value("bundle"));
    config.workDir = str(parser.value("work"));
    config.vocabularyPath = vocabularyPath();
    config.imageDir = str(parser.value("data"));
    config.images = intOption(parser, "images");
    config.rounds = intOption(parser, "rounds");
    config.device = runtime.device;
    std::printf("%s", formatEngineBenchmark(runEngineBenchmark(config, [](const std::string& line) {
                    std::fprintf(stderr, "%s\n", line.c_str());
                })).c_str());
    return 0;
}

const CommandRegistration demoCommand("demo", "offline DEMO federation (random-weight bundle, synthetic images)", demo);
const CommandRegistration simulateCommand("simulate", "simulate a federation on real data with a model bundle", simulate);
const CommandRegistration makeBundleCommand("make-bundle", "write a random-weight demo bundle (tiny or ViT-B/32-shaped)",
                                            makeBundle);
const CommandRegistration benchCommand("bench", "run every method on one federation and write the comparison table",
                                       bench);
const CommandRegistration benchEngineCommand("bench-engine", "feature extraction and round timing benchmark",
                                             benchEngine);

}  // namespace

int run(const QStringList& arguments) {
    const QString command = arguments.value(1);
    if (command == "--version" || command == "-v") {
        std::printf("fedmedclip-cli %s\n", FMC_VERSION);
        return 0;
    }
    const auto found = registry().find(command);
    if (found != registry().end()) {
        QStringList rest = arguments.mid(2);
        rest.prepend(arguments.value(0) + QLatin1Char(' ') + command);
        return found->second.handler(rest);
    }
    const bool askedForHelp = command.isEmpty() || command == "--help" || command == "-h";
    FILE* out = askedForHelp ? stdout : stderr;
    if (!askedForHelp) std::fprintf(out, "unknown command '%s'\n", qPrintable(command));
    std::fprintf(out, "usage: fedmedclip-cli COMMAND [options]   (COMMAND --help for its options)\n");
    for (const auto& [name, entry] : registry()) std::fprintf(out, "  %-14s %s\n", qPrintable(name), entry.summary);
    std::fprintf(out, "  %-14s %s\n", "--version", "print the version");
    return askedForHelp ? 0 : 2;
}

}  // namespace fmc::cli
