// fedmedclip-cli site join|run: a site of a federation, headless (servers and tests).
// Arguments in, core/federation calls, one log line per event on stdout.
#include "cli_commands.h"

#include "engine/runtime.h"
#include "federation/site/engine_site_trainer.h"
#include "federation/site_agent.h"
#include "federation/site/site_store_recorder.h"
#ifdef FMC_FEDERATION_WITH_SITE_STORE
#include "site/site_workspace.h"
#endif

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>

#include <atomic>
#include <csignal>
#include <cstdio>

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
        "FAM, trains on the site's images and uploads only the FAM, the sample count and validation metrics. "
        "Stop with Ctrl-C or SIGTERM; a new run resumes where it stopped.");
    parser.addHelpOption();
    parser.addPositionalArgument("workspace", "The site's workspace folder (joined with 'site join').");
    parser.addOptions({
        {"bundle", "Model bundle folder; must be the federation's bundle.", "DIR"},
        {"data", "The site's images: a folder, or a CSV file.", "PATH"},
        {"layout", "classes: <class>/img; sites: <site>/<class>/img; csv.", "LAYOUT", "classes"},
        {"site", "Only this site's images (layouts sites and csv).", "NAME"},
        {"path-column", "CSV column with image paths.", "NAME", "path"},
        {"label-column", "CSV column with labels.", "NAME", "label"},
        {"site-column", "CSV column with site names.", "NAME", "site"},
        {"max-images", "Use at most N images (0: all).", "N", "0"},
        {"seed", "Seed of the local split, model and shuffling.", "N", "1"},
        {"poll-interval", "Seconds between questions to the coordinator while waiting.", "S", "5"},
        {"device", "auto, cpu or cuda.", "DEVICE", "auto"},
        {"threads", "CPU threads (0: one per core).", "N", "0"},
    });
    parser.process(arguments);
    const auto workspace = requireWorkspace(parser, "run <workspace> --bundle DIR --data PATH");
    if (!parser.isSet("bundle") || !parser.isSet("data")) throw Error("site run: --bundle and --data are required");
    const auto stateDir = stateDirOf(workspace);
    const auto identity = SiteAgent::loadIdentity(stateDir);
    if (!identity) throw Error(stateDir.toStdString() + ": not enrolled; run 'fedmedclip-cli site join' first");

    const auto runtime = configureRuntime(parser.value("device").toStdString(), parser.value("threads").toInt());
    EngineTrainerConfig config;
    config.bundleDir = parser.value("bundle").toStdString();
    config.dataPath = parser.value("data").toStdString();
    const auto layout = parser.value("layout");
    if (layout == "classes") config.layout = EngineTrainerConfig::Layout::ClassFolders;
    else if (layout == "sites") config.layout = EngineTrainerConfig::Layout::SiteFolders;
    else if (layout == "csv") config.layout = EngineTrainerConfig::Layout::Csv;
    else throw Error("site run: --layout must be classes, sites or csv, not '" + layout.toStdString() + "'");
    config.csvColumns = {parser.value("path-column").toStdString(), parser.value("label-column").toStdString(),
                         parser.value("site-column").toStdString()};
    config.siteName = parser.value("site").toStdString();
    config.maxImages = parser.value("max-images").toInt();
    config.cacheDir = QDir(stateDir).filePath("features").toStdString();
    config.checkpointPath = QDir(stateDir).filePath("local-model.fmcp").toStdString();
    config.seed = parser.value("seed").toULongLong();
    config.device = runtime.device;
    config.log = [](const std::string& line) { logLine(QString::fromStdString(line)); };
    EngineSiteTrainer trainer(config);

    JsonLinesRoundRecorder fileRecorder(stateDir);
    std::vector<RoundRecorder*> recorders{&fileRecorder};
#ifdef FMC_FEDERATION_WITH_SITE_STORE
    auto site = SiteWorkspace::open(workspace.toStdString());
    SiteStoreRecorder storeRecorder(site, identity->coordinatorUrl.toStdString());
    recorders.push_back(&storeRecorder);
#endif
    RecorderFanOut recorder(recorders);

    AgentOptions options;
    options.pollIntervalMs = static_cast<int>(parser.value("poll-interval").toDouble() * 1000);
    options.log = logLine;
    SiteAgent agent(stateDir, trainer, recorder, options);
    std::signal(SIGTERM, onStop);
    std::signal(SIGINT, onStop);
    const int code = agent.run(&stopRequested);
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
                 "       fedmedclip-cli site run <workspace> --bundle DIR --data PATH [options]\n"
                 "(site join|run --help for the options)\n");
    return sub == "--help" || sub == "-h" ? 0 : 2;
}

const CommandRegistration siteRegistration("site", "take part in a federation as a site (join once, then run)", site);

}  // namespace
}  // namespace fmc::cli
