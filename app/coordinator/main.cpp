// fedmedclip-coordinator: serves the federation API over HTTPS and administers federations.
// Parses arguments and calls core/federation; the logic lives there.
#include "coordinator_benchmark.h"

#include "common/numeric_option.h"
#include "coordinator/coordinator_admin.h"
#include "coordinator/coordinator_server.h"
#include "site_agent/site_agent.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <map>
#include <sys/socket.h>
#include <unistd.h>

using namespace fmc;
using namespace fmc::federation;

namespace {

using Command = int (*)(const QStringList&);

void addConfigOption(QCommandLineParser& parser) {
    parser.addOption({"config", "Coordinator configuration file (JSON).", "FILE"});
}

CoordinatorConfig requireConfig(const QCommandLineParser& parser) {
    if (!parser.isSet("config")) throw Error("--config FILE is required");
    return loadCoordinatorConfig(parser.value("config"));
}

std::string required(const QCommandLineParser& parser, const char* option) {
    if (!parser.isSet(option)) throw Error(std::string("--") + option + " is required");
    return ss(parser.value(option));
}

// Numeric option values, checked: a bad value is an error naming the option.
int intOption(const QCommandLineParser& parser, const char* option) {
    return static_cast<int>(parseIntegerOption(option, ss(parser.value(option))));
}

std::uint64_t unsignedOption(const QCommandLineParser& parser, const char* option) {
    return parseUnsignedOption(option, ss(parser.value(option)));
}

double numberOption(const QCommandLineParser& parser, const char* option) {
    return parseNumberOption(option, ss(parser.value(option)));
}

void print(const std::string& text) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
}

void printJson(const QJsonValue& value) {
    print(ss(QString::fromUtf8(value.isArray() ? QJsonDocument(value.toArray()).toJson()
                                               : QJsonDocument(value.toObject()).toJson())));
}

// The admin commands aggregate too (revoking a round's last missing site closes it): with
// the configured guards.
ServiceOptions adminServiceOptions(const CoordinatorConfig& config) {
    ServiceOptions options;
    options.maxBodyBytes = config.limits.maxBodyBytes;
    options.aggregationGuards = config.aggregationGuards;
    return options;
}

// SIGTERM/SIGINT end the event loop from outside the signal handler (self-pipe).
int signalPipe[2];
void onSignal(int) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

int serve(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Serves the federation API over HTTPS until SIGTERM.");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.process(arguments);
    const auto config = requireConfig(parser);
    CoordinatorServer server(config);
    const auto port = server.listen();
    print("fedmedclip-coordinator: listening on https://" + ss(config.listenAddress.toString()) + ":" +
          std::to_string(port) + " with state in " + ss(server.service().store().description()) + "\n");
    if (const auto metricsPort = server.metricsPort())
        print("fedmedclip-coordinator: metrics on http://" + ss(config.metricsAddress.toString()) + ":" +
              std::to_string(*metricsPort) + "/metrics\n");

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0) throw Error("serve: socketpair failed");
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, qApp, [] {
        char byte;
        [[maybe_unused]] const auto read = ::read(signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    const int code = QCoreApplication::exec();
    print("fedmedclip-coordinator: stopped\n");
    return code;
}

int createFederation(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Creates a federation; prints its id.");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOptions({
        {"name", "Federation name.", "TEXT"},
        {"classes", "Comma-separated class names (or --classes-file).", "LIST"},
        {"classes-file", "Class names, one per line.", "FILE"},
        {"prompt", "Class prompt template ({} is the class name).", "TEXT", "a picture of a {}"},
        {"bundle-manifest", "The model bundle's manifest.json (name, hash and size from it).", "FILE"},
        {"bundle-name", "Model bundle name (without --bundle-manifest).", "NAME"},
        {"bundle-hash", "Model bundle hash (without --bundle-manifest).", "HEX"},
        {"embedding-dim", "Embedding size D (without --bundle-manifest).", "N"},
        {"rounds", "Federated rounds.", "N", "10"},
        {"min-sites", "Minimum uploads before a round may close.", "N", "2"},
        {"deadline", "Seconds after a round's first upload before it closes without the missing sites.", "S", "600"},
        {"codec",
         "Upload codec: fp32, fp16-zlib, mask-fp16-zlib, mask-int8-zlib or mask-int8-delta-zlib (int8 deltas from "
         "the round's starting global; its globals are published in mask-fp16-zlib).",
         "NAME", "fp16-zlib"},
        {"aggregation", "fedavg (weighted by samples), median or trimmed-mean.", "RULE", "fedavg"},
        {"trim-fraction", "Share trimmed at each end (trimmed-mean).", "F", "0.1"},
        {"norm-bound", "Largest L2 norm an uploaded FAM may have (0: no bound).", "X", "1000"},
        {"init-seed", "Seed of the initial FAM every site builds.", "N", "1"},
        {"no-share-thresholds", "The FAM layout without the mask thresholds."},
        {"plain-aggregation", "FedAvg of every FAM row over every site, pruned rows as sent (not mask-aware)."},
        {"modalities", "Kind of image the federation is for: comma-separated photo (JPEG, PNG, ...) and/or DICOM "
                       "Modality codes, e.g. CT,MR (default: any).", "LIST"},
        {"body-parts", "Comma-separated DICOM BodyPartExamined values, e.g. HEAD,BRAIN (default: any).", "LIST"},
        {"photometric", "colour and/or grey (default: any).", "LIST"},
        {"json", "Print the task as JSON."},
    });
    parser.process(arguments);
    FederationSettings settings;
    settings.name = required(parser, "name");
    if (parser.isSet("classes-file"))
        settings.classNames = readClassNames(parser.value("classes-file"));
    else
        for (const auto& name : parser.value("classes").split(QLatin1Char(','), Qt::SkipEmptyParts))
            settings.classNames.push_back(ss(name.trimmed()));
    settings.promptTemplate = ss(parser.value("prompt"));
    if (parser.isSet("bundle-manifest")) {
        const auto bundle = readBundleIdentity(parser.value("bundle-manifest"));
        settings.bundleName = bundle.name;
        settings.bundleHash = bundle.bundleHash;
        settings.embeddingDim = bundle.embeddingDim;
    } else {
        settings.bundleName = required(parser, "bundle-name");
        settings.bundleHash = required(parser, "bundle-hash");
        settings.embeddingDim = intOption(parser, "embedding-dim");
    }
    settings.rounds = intOption(parser, "rounds");
    settings.minSites = intOption(parser, "min-sites");
    settings.roundDeadlineSeconds = intOption(parser, "deadline");
    settings.codec = codecFromName(ss(parser.value("codec")));
    settings.aggregation = aggregationRuleFromName(ss(parser.value("aggregation")));
    settings.trimFraction = numberOption(parser, "trim-fraction");
    settings.normBound = numberOption(parser, "norm-bound");
    settings.initSeed = unsignedOption(parser, "init-seed");
    settings.shareThresholds = !parser.isSet("no-share-thresholds");
    settings.maskAwareAggregation = !parser.isSet("plain-aggregation");
    const auto list = [&](const char* option) {
        std::vector<std::string> values;
        for (const auto& value : parser.value(option).split(QLatin1Char(','), Qt::SkipEmptyParts))
            values.push_back(ss(value.trimmed()));
        return values;
    };
    settings.imageDomain.modalities = list("modalities");
    settings.imageDomain.bodyParts = list("body-parts");
    settings.imageDomain.photometric = list("photometric");
    settings.imageDomain.declared = restrictsAnything(settings.imageDomain);

    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    CoordinatorService service(*store, adminServiceOptions(config));
    const auto id = service.createFederation(settings);
    if (parser.isSet("json")) printJson(taskToJson(store->federation(id)->task));
    else print(id + "\n");
    return 0;
}

int issueCode(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Issues a one-time enrollment code for one site. With --out, writes the invitation file the site "
        "joins with (coordinator URL, code, and the CA certificate or the pinned fingerprint).");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOptions({{"federation", "Federation id.", "ID"},
                       {"site", "The site's name (e.g. the hospital).", "NAME"},
                       {"valid-hours", "Hours until the code expires.", "H", "72"},
                       {"url", "Coordinator URL the site will use (for --out).", "URL"},
                       {"ca", "The federation's CA certificate, PEM (for --out).", "FILE"},
                       {"pin", "Or the coordinator certificate's SHA-256 fingerprint (for --out).", "HEX"},
                       {"out", "Write the invitation file here (owner-readable only).", "FILE"}});
    parser.process(arguments);
    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    CoordinatorService service(*store, adminServiceOptions(config));
    const auto issued = service.issueEnrollmentCode(required(parser, "federation"), required(parser, "site"),
                                                    static_cast<int>(numberOption(parser, "valid-hours") * 3600));
    if (parser.isSet("out")) {
        EnrollmentInvitation invitation;
        invitation.coordinatorUrl = QString::fromStdString(required(parser, "url"));
        invitation.code = issued.code;
        if (parser.isSet("ca")) {
            QFile ca(parser.value("ca"));
            if (!ca.open(QIODevice::ReadOnly)) throw Error(ss(parser.value("ca")) + ": cannot read the CA certificate");
            invitation.caCertificatesPem = QString::fromLatin1(ca.readAll());
        }
        invitation.pinnedSha256 = parser.value("pin");
        if (invitation.caCertificatesPem.isEmpty() && invitation.pinnedSha256.isEmpty())
            throw Error("--out needs --ca FILE or --pin HEX, so the site can check the coordinator");
        writeInvitation(parser.value("out"), invitation);
        print("invitation for '" + ss(parser.value("site")) + "' written to " + ss(parser.value("out")) +
              " (expires " + isoTimeUtc(issued.expiresAt) + ")\n");
    } else {
        print(issued.code + "\n");
    }
    return 0;
}

int listCommand(const QStringList& arguments, const char* what) {
    QCommandLineParser parser;
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOptions({{"federation", "Federation id.", "ID"}, {"json", "Print JSON."}});
    parser.process(arguments);
    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    CoordinatorService service(*store, adminServiceOptions(config));
    const std::string kind = what;
    if (kind == "federations") {
        const auto federations = store->federations();
        if (!parser.isSet("json")) return print(formatFederations(federations)), 0;
        QJsonArray list;
        for (const auto& f : federations)
            list.append(QJsonObject{{"task", taskToJson(f.task)}, {"state", qs(f.state)}});
        printJson(list);
        return 0;
    }
    const auto federationId = required(parser, "federation");
    if (!store->federation(federationId)) throw Error("--federation: no federation with id '" + federationId + "'");
    const auto history = service.roundHistory(federationId);
    if (kind == "sites") {
        if (parser.isSet("json")) printJson(history.value("sites").toArray());
        else print(formatSites(store->sites(federationId)));
    } else {
        if (parser.isSet("json")) printJson(history.value("rounds").toArray());
        else print(formatRounds(store->rounds(federationId)));
    }
    return 0;
}

int revokeSite(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Revokes a site: its token stops working at once (403), its uploads to the "
                                     "open round are left out of the aggregate.");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOption({"site", "Site id.", "ID"});
    parser.process(arguments);
    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    CoordinatorService service(*store, adminServiceOptions(config));
    service.revokeSite(required(parser, "site"));
    print("site " + ss(parser.value("site")) + " revoked\n");
    return 0;
}

int exportHistory(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Exports a federation's round history (JSON, or CSV with --csv).");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOptions({{"federation", "Federation id.", "ID"}, {"out", "Output file.", "FILE"}, {"csv", "Write CSV."}});
    parser.process(arguments);
    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    CoordinatorService service(*store, adminServiceOptions(config));
    const auto history = service.roundHistory(required(parser, "federation"));
    const auto data = parser.isSet("csv") ? historyToCsv(history) : QJsonDocument(history).toJson();
    QSaveFile file(QString::fromStdString(required(parser, "out")));
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
        throw Error(ss(parser.value("out")) + ": cannot write");
    store->audit({0, nowMs(), ss(parser.value("federation")), "admin", "history.exported", "{}", ""});
    print("history written to " + ss(parser.value("out")) + "\n");
    return 0;
}

int auditLog(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Prints the audit log: who did what when.");
    parser.addHelpOption();
    addConfigOption(parser);
    parser.addOptions({{"federation", "Only this federation.", "ID"},
                       {"limit", "Newest entries to show.", "N", "200"},
                       {"json", "Print JSON."}});
    parser.process(arguments);
    const auto config = requireConfig(parser);
    auto store = CoordinatorStore::open(config.database);
    const auto entries = store->auditLog(ss(parser.value("federation")), intOption(parser, "limit"));
    if (!parser.isSet("json")) return print(formatAuditLog(entries)), 0;
    QJsonArray list;
    for (const auto& e : entries)
        list.append(QJsonObject{{"at", qs(isoTimeUtc(e.at))},
                                {"federation_id", qs(e.federationId)},
                                {"actor", qs(e.actor)},
                                {"action", qs(e.action)},
                                {"detail", QJsonDocument::fromJson(QByteArray::fromStdString(e.detailJson)).object()},
                                {"remote_address", qs(e.remoteAddress)}});
    printJson(list);
    return 0;
}

int bench(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Benchmarks aggregation and HTTPS request throughput; prints figures.");
    parser.addHelpOption();
    parser.addOptions({{"sites", "Simulated site uploads per round.", "N", "100"},
                       {"dim", "FAM embedding size (512 = ViT-B/32).", "D", "512"},
                       {"codec", "Upload codec.", "NAME", "fp16-zlib"},
                       {"delta-budget", "mask-int8-delta-zlib: uploads of at most N bytes, as sites send them "
                                        "with 'site run --delta-budget N' (0: the near-lossless step).", "N", "0"},
                       {"requests", "Requests per HTTPS measurement.", "N", "3000"},
                       {"concurrency", "Requests in flight.", "N", "6"},
                       {"served-rounds", "Site counts of the HTTPS rounds that every site uploads to once.", "N,N",
                        "100,1000"},
                       {"no-comparison", "Skip those rounds as the coordinator ran them before (uploads parsed on the server's thread, all decoded at the close)."},
                       {"work", "Scratch folder.", "DIR", QDir::tempPath() + "/fedmedclip-coordinator-bench"}});
    parser.process(arguments);
    // Per-request log lines would drown the figures (and slow the server down).
    QLoggingCategory::setFilterRules(QStringLiteral("fmc.coordinator*.info=false"));
    CoordinatorBenchmarkConfig config;
    config.sites = intOption(parser, "sites");
    config.embeddingDim = intOption(parser, "dim");
    config.codec = codecFromName(ss(parser.value("codec")));
    config.deltaBudgetBytes = static_cast<std::size_t>(unsignedOption(parser, "delta-budget"));
    if (config.deltaBudgetBytes > 0 && !codecNeedsReference(config.codec))
        throw Error("--delta-budget applies only with --codec mask-int8-delta-zlib, not " + codecName(config.codec));
    config.requests = intOption(parser, "requests");
    config.concurrency = intOption(parser, "concurrency");
    config.streamedRoundSites.clear();
    for (const auto& count : parser.value("served-rounds").split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        config.streamedRoundSites.push_back(count.toInt(&ok));
        if (!ok || config.streamedRoundSites.back() < 1)
            throw Error("--served-rounds: '" + ss(count) + "' is not a positive number of sites");
    }
    config.compareWithAllInMemory = !parser.isSet("no-comparison");
    config.workDir = parser.value("work");
    config.log = [](const QString& line) { std::fprintf(stderr, "%s\n", qPrintable(line)); };
    print(formatCoordinatorBenchmark(runCoordinatorBenchmark(config)));
    return 0;
}

int listFederations(const QStringList& a) { return listCommand(a, "federations"); }
int listSites(const QStringList& a) { return listCommand(a, "sites"); }
int listRounds(const QStringList& a) { return listCommand(a, "rounds"); }

const std::map<QString, std::pair<Command, const char*>>& commands() {
    static const std::map<QString, std::pair<Command, const char*>> table{
        {"serve", {serve, "serve the federation API over HTTPS"}},
        {"create-federation", {createFederation, "create a federation (classes, bundle, rounds, ...)"}},
        {"issue-code", {issueCode, "issue a one-time enrollment code / invitation file for a site"}},
        {"list-federations", {listFederations, "list federations"}},
        {"list-sites", {listSites, "list a federation's sites"}},
        {"list-rounds", {listRounds, "list a federation's rounds and what they wait for"}},
        {"revoke-site", {revokeSite, "revoke a site's credential"}},
        {"export-history", {exportHistory, "export the round history (JSON or CSV)"}},
        {"audit-log", {auditLog, "print the audit log"}},
        {"bench", {bench, "aggregation and HTTPS throughput benchmark"}},
    };
    return table;
}

}  // namespace

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fedmedclip-coordinator"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FMC_VERSION));
    const auto arguments = QCoreApplication::arguments();
    const QString command = arguments.value(1);
    if (command == "--version" || command == "-v") {
        std::printf("fedmedclip-coordinator %s\n", FMC_VERSION);
        return 0;
    }
    const auto found = commands().find(command);
    if (found == commands().end()) {
        const bool help = command.isEmpty() || command == "--help" || command == "-h";
        FILE* out = help ? stdout : stderr;
        if (!help) std::fprintf(out, "unknown command '%s'\n", qPrintable(command));
        std::fprintf(out, "usage: fedmedclip-coordinator COMMAND [options]   (COMMAND --help for its options)\n");
        for (const auto& [name, entry] : commands()) std::fprintf(out, "  %-18s %s\n", qPrintable(name), entry.second);
        std::fprintf(out, "  %-18s %s\n", "--version", "print the version");
        return help ? 0 : 2;
    }
    QStringList rest = arguments.mid(2);
    rest.prepend(arguments.value(0) + QLatin1Char(' ') + command);
    try {
        return found->second.first(rest);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fedmedclip-coordinator %s: error: %s\n", qPrintable(command), error.what());
        return 1;
    }
}
