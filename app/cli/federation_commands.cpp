// fedmedclip-cli site join|run: a site of a federation, headless (servers and tests).
// Arguments in, core/federation calls, one log line per event on stdout.
#include "cli_commands.h"

#include "engine/runtime.h"
#include "site_trainers/engine_site_trainer.h"
#include "site_agent/site_agent.h"
#include "site_trainers/site_store_recorder.h"
#include "site_trainers/site_store_trainer.h"
#include "site/site_workspace.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

namespace fmc::cli {
namespace {

using namespace fmc::federation;

std::atomic<bool> stopRequested{false};
void onStop(int) { stopRequested = true; }

void logLine(const QString& message) {
    std::printf("%s %s\n", qPrintable(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)), qPrintable(message));
    std::fflush(stdout);
}

QString stateDirOf(const QString& workspace) { return QDir(workspace).filePath(QStringLiteral("federation")); }

QString requireWorkspace(const QCommandLineParser& parser, const char* usage) {
    if (parser.positionalArguments().isEmpty()) throw Error(std::string("usage: fedmedclip-cli site ") + usage);
    return parser.positionalArguments().first();
}

int join(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Joins a federation once with a one-time enrollment code. The site's credential is saved in "
        "<workspace>/federation/site.json, readable by its owner only.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "The site's workspace folder.");
    parser.addOptions({{"invitation", "Invitation file from the coordinator operator (URL, code, CA).", "FILE"},
                       {"coordinator", "Coordinator URL, https:// (without --invitation).", "URL"},
                       {"code", "One-time enrollment code (without --invitation).", "CODE"},
                       {"ca", "The federation's CA certificate, PEM (without --invitation).", "FILE"},
                       {"pin", "Or the coordinator certificate's SHA-256 fingerprint.", "HEX"}});
    parser.process(arguments);
    const auto workspace = requireWorkspace(parser, "join <workspace> --invitation FILE");
    EnrollmentInvitation invitation;
    if (parser.isSet("invitation")) {
        invitation = readInvitation(parser.value("invitation"));
    } else {
        if (!parser.isSet("coordinator") || !parser.isSet("code"))
            throw Error("site join: give --invitation FILE, or --coordinator URL and --code CODE with --ca or --pin");
        invitation.coordinatorUrl = parser.value("coordinator");
        invitation.code = parser.value("code").toStdString();
        if (parser.isSet("ca")) {
            QFile ca(parser.value("ca"));
            if (!ca.open(QIODevice::ReadOnly)) throw Error(parser.value("ca").toStdString() + ": cannot read");
            invitation.caCertificatesPem = QString::fromLatin1(ca.readAll());
        }
        invitation.pinnedSha256 = parser.value("pin");
    }
    AgentOptions options;
    options.log = logLine;
    const auto identity = SiteAgent::enroll(stateDirOf(workspace), invitation, options);
    logLine(QStringLiteral("joined federation %1 as site %2 ('%3')")
                .arg(QString::fromStdString(identity.federationId), QString::fromStdString(identity.siteId),
                     QString::fromStdString(identity.siteName)));
    return 0;
}

int run(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Takes part in the federation this workspace joined until it finishes: each round it fetches the global "
        "FAM, trains on the labelled images imported into the workspace ('fedmedclip-cli import'; train split, "
        "metrics on the validation split, else the test split) and uploads only the FAM, the sample count and "
        "validation metrics. Every round is recorded in the workspace. Stop with Ctrl-C or SIGTERM; a new run "
        "resumes where it stopped.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "The site's workspace folder (joined with 'site join').");
    parser.addOptions({
        {"bundle", "Model bundle folder; must be the federation's bundle (default: the workspace's bundle; "
                   "without --data it becomes the workspace's bundle).", "DIR"},
        {"data", "Research runs: train on these images instead of the workspace's: a folder, or a CSV file.", "PATH"},
        {"layout", "With --data: classes: <class>/img; sites: <site>/<class>/img; csv.", "LAYOUT", "classes"},
        {"site", "With --data: only this site's images (layouts sites and csv).", "NAME"},
        {"path-column", "With --data: CSV column with image paths.", "NAME", "path"},
        {"label-column", "With --data: CSV column with labels.", "NAME", "label"},
        {"site-column", "With --data: CSV column with site names.", "NAME", "site"},
        {"max-images", "With --data: use at most N images (0: all).", "N", "0"},
        {"seed", "Seed of the model and shuffling (and of the --data split).", "N", "1"},
        {"poll-interval", "Seconds between questions to the coordinator while waiting.", "S", "5"},
        {"delta-feedback", "A mask-int8-delta-zlib federation's uploads: on (error feedback, coarse step; the "
                           "residual stays in the workspace) or off (near-lossless step); see docs/method.md.",
         "on|off", "off"},
        {"delta-budget", "A mask-int8-delta-zlib federation's uploads: at most N bytes each (the codec coarsens "
                         "its step until the upload fits; 0: no budget); see docs/method.md.", "N", "0"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"threads", "CPU threads (0: the engine chooses: one for training on features, the free cores for the encoders).", "N", "0"},
    });
    parser.process(arguments);
    const auto workspace = requireWorkspace(parser, "run <workspace> [--bundle DIR] [--data PATH]");
    const bool researchData = parser.isSet("data");
    for (const char* option : {"layout", "site", "path-column", "label-column", "site-column", "max-images"})
        if (!researchData && parser.isSet(option))
            throw Error(std::string("site run: --") + option + " applies only with --data");
    const auto stateDir = stateDirOf(workspace);
    const auto identity = SiteAgent::loadIdentity(stateDir);
    if (!identity) throw Error(stateDir.toStdString() + ": not enrolled; run 'fedmedclip-cli site join' first");

    const auto runtime = configureRuntime(parser.value("device").toStdString(), intOption(parser, "threads"));
    SiteTrainingConfig training;
    training.bundleDir = parser.value("bundle").toStdString();
    training.checkpointPath = QDir(stateDir).filePath("local-model.fmcp").toStdString();
    training.seed = unsignedOption(parser, "seed");
    training.device = runtime.device;
    training.log = [](const std::string& line) { logLine(QString::fromStdString(line)); };
    auto site = SiteWorkspace::open(workspace.toStdString());
    if (training.bundleDir.empty()) {
        const auto remembered = site.bundleDir();
        if (!remembered)
            throw Error("site run: " + site.folder() +
                        " has no model bundle yet; pass the federation's bundle with --bundle DIR");
        training.bundleDir = *remembered;
    }

    std::unique_ptr<SiteTrainer> trainer;
    if (researchData) {
        EngineTrainerConfig config;
        static_cast<SiteTrainingConfig&>(config) = training;
        config.dataPath = parser.value("data").toStdString();
        const auto layout = parser.value("layout");
        if (layout == "classes") config.layout = EngineTrainerConfig::Layout::ClassFolders;
        else if (layout == "sites") config.layout = EngineTrainerConfig::Layout::SiteFolders;
        else if (layout == "csv") config.layout = EngineTrainerConfig::Layout::Csv;
        else throw Error("site run: --layout must be classes, sites or csv, not '" + layout.toStdString() + "'");
        config.csvColumns = {parser.value("path-column").toStdString(), parser.value("label-column").toStdString(),
                             parser.value("site-column").toStdString()};
        config.siteName = parser.value("site").toStdString();
        config.maxImages = intOption(parser, "max-images");
        config.cacheDir = QDir(stateDir).filePath("features").toStdString();
        trainer = std::make_unique<EngineSiteTrainer>(config);
    }
    if (!researchData) trainer = std::make_unique<SiteStoreTrainer>(site, training);

    JsonLinesRoundRecorder fileRecorder(stateDir);
    std::vector<RoundRecorder*> recorders{&fileRecorder};
    SiteStoreRecorder storeRecorder(site, identity->coordinatorUrl.toStdString());
    recorders.push_back(&storeRecorder);
    RecorderFanOut recorder(recorders);

    AgentOptions options;
    options.pollIntervalMs = static_cast<int>(numberOption(parser, "poll-interval") * 1000);
    const auto feedback = parser.value("delta-feedback");
    if (feedback != "on" && feedback != "off")
        throw Error("site run: --delta-feedback must be on or off, not '" + feedback.toStdString() + "'");
    options.deltaErrorFeedback = feedback == "on";
    options.deltaBudgetBytes = static_cast<std::size_t>(unsignedOption(parser, "delta-budget"));
    options.log = logLine;
    SiteAgent agent(stateDir, *trainer, recorder, options);
    std::signal(SIGTERM, onStop);
    std::signal(SIGINT, onStop);
    const int code = agent.run(&stopRequested);
    if (code != 0) storeRecorder.federationStopped();
    logLine(code == 0 ? QStringLiteral("done") : QStringLiteral("stopped; run again to resume"));
    return code;
}

int site(const QStringList& arguments) {
    const QString sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(arguments.value(0) + QLatin1Char(' ') + sub);
    if (sub == "join") return join(rest);
    if (sub == "run") return run(rest);
    std::fprintf(sub == "--help" || sub == "-h" ? stdout : stderr,
                 "usage: fedmedclip-cli site join <workspace> --invitation FILE\n"
                 "       fedmedclip-cli site run <workspace> [--bundle DIR] [--data PATH] [options]\n"
                 "(site join|run --help for the options)\n");
    return sub == "--help" || sub == "-h" ? 0 : 2;
}

const CommandRegistration siteRegistration("site", "take part in a federation as a site (join once, then run)", site);

}  // namespace
}  // namespace fmc::cli
