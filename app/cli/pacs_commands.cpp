// fedmedclip-cli pacs echo|find|import|store-sr|configure: the site's PACS from the command
// line. The connection comes from the workspace's PACS settings (pacs configure writes them)
// and the options below override it; the password or token from FMC_PACS_SECRET,
// --secret-stdin or the credential store, never from the command line (it would show in
// the process list) and never from the workspace database.
#include "cli_commands.h"

#include "pacs/credential_store.h"
#include "pacs/dicomweb_client.h"
#include "pacs/pacs_import.h"
#include "pacs/pacs_settings.h"
#include "pacs/structured_report.h"
#include "site/site_workspace.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTemporaryDir>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace fmc::cli {
namespace {

using namespace fmc::pacs;

std::string str(const QString& text) { return text.toStdString(); }

std::atomic<bool> interrupted{false};
void onInterrupt(int) {
    if (interrupted.exchange(true)) std::_Exit(130);
}

const QList<QCommandLineOption>& connectionOptions() {
    static const QList<QCommandLineOption> options{
        {"workspace", "Site workspace whose PACS settings to use.", "DIR"},
        {"protocol", "dicomweb or dimse.", "PROTOCOL"},
        {"url", "DICOMweb base URL, e.g. https://pacs/dicom-web.", "URL"},
        {"auth", "DICOMweb authentication: none, basic or bearer.", "KIND"},
        {"user", "DICOMweb user name (basic authentication).", "NAME"},
        {"ca", "PEM file of the hospital's CA (HTTPS).", "FILE"},
        {"host", "DIMSE: the PACS host.", "HOST"},
        {"port", "DIMSE: the PACS port.", "PORT"},
        {"aet", "DIMSE: our (calling) AE title.", "AE"},
        {"aec", "DIMSE: the PACS's (called) AE title.", "AE"},
        {"retrieve", "DIMSE retrieval: get (C-GET) or move (C-MOVE to our own storage SCP).", "METHOD"},
        {"move-aet", "DIMSE C-MOVE: the move destination's AE title (default: the calling one).", "AE"},
        {"move-port", "DIMSE C-MOVE: the port our storage SCP listens on; the PACS must know it.", "PORT"},
        {"secret-stdin", "Read the password or token from the first line of standard input."},
    };
    return options;
}

void addConnectionOptions(QCommandLineParser& parser) {
    parser.addHelpOption();
    parser.addOptions(connectionOptions());
}

// The workspace's settings with the options on top, and the secret.
PacsSettings connectionFrom(const QCommandLineParser& parser, SiteWorkspace* workspace, bool needSecret = true) {
    PacsSettings settings = workspace ? loadPacsSettings(workspace->store()) : PacsSettings{};
    // Without --protocol, the options given say which one is meant.
    if (parser.isSet("protocol")) settings.protocol = parsePacsProtocol(parser.value("protocol"));
    else if (parser.isSet("url")) settings.protocol = PacsProtocol::DicomWeb;
    else if (parser.isSet("host") || parser.isSet("aec")) settings.protocol = PacsProtocol::Dimse;
    if (parser.isSet("url")) settings.dicomWeb.baseUrl = parser.value("url");
    if (parser.isSet("auth")) settings.dicomWeb.auth = parseAuthKind(parser.value("auth"));
    if (parser.isSet("user")) {
        settings.dicomWeb.username = parser.value("user");
        if (!parser.isSet("auth") && settings.dicomWeb.auth == AuthKind::None) settings.dicomWeb.auth = AuthKind::Basic;
    }
    if (parser.isSet("ca")) settings.dicomWeb.caCertificatesPath = QFileInfo(parser.value("ca")).absoluteFilePath();
    if (parser.isSet("host")) settings.dimse.host = parser.value("host");
    if (parser.isSet("port")) {
        bool ok = false;
        settings.dimse.port = parser.value("port").toInt(&ok);
        if (!ok) throw Error("pacs: --port must be a number, not '" + str(parser.value("port")) + "'");
    }
    if (parser.isSet("aet")) settings.dimse.callingAeTitle = parser.value("aet");
    if (parser.isSet("aec")) settings.dimse.calledAeTitle = parser.value("aec");
    if (parser.isSet("retrieve")) settings.dimse.retrieve = parseDimseRetrieve(parser.value("retrieve"));
    if (parser.isSet("move-aet")) settings.dimse.moveDestinationAeTitle = parser.value("move-aet");
    if (parser.isSet("move-port")) {
        bool ok = false;
        settings.dimse.moveDestinationPort = parser.value("move-port").toInt(&ok);
        if (!ok) throw Error("pacs: --move-port must be a number, not '" + str(parser.value("move-port")) + "'");
    }

    if (settings.protocol == PacsProtocol::DicomWeb && settings.dicomWeb.auth != AuthKind::None) {
        if (parser.isSet("secret-stdin")) {
            std::string line;
            std::getline(std::cin, line);
            settings.dicomWeb.secret = QString::fromStdString(line).trimmed();
        } else if (qEnvironmentVariableIsSet("FMC_PACS_SECRET")) {
            settings.dicomWeb.secret = qEnvironmentVariable("FMC_PACS_SECRET");
        } else if (needSecret) {
            const auto store = CredentialStore::forUser();
            const auto secret = store.secret(credentialAccount(settings.dicomWeb));
            if (!secret)
                throw Error("pacs: no password or token for " + str(credentialAccount(settings.dicomWeb)) +
                            " in " + str(store.backendDescription()) +
                            "; give it with --secret-stdin or FMC_PACS_SECRET, or save it with pacs configure");
            settings.dicomWeb.secret = *secret;
        }
    }
    return settings;
}

std::optional<SiteWorkspace> openWorkspace(const QString& folder) {
    if (folder.isEmpty()) return std::nullopt;
    return SiteWorkspace::open(str(folder));
}

int echoCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Checks that the PACS answers and accepts this site (C-ECHO, or an "
                                     "authenticated QIDO-RS search).");
    addConnectionOptions(parser);
    parser.process(arguments);
    auto workspace = openWorkspace(parser.value("workspace"));
    const auto source = makePacsSource(connectionFrom(parser, workspace ? &*workspace : nullptr));
    source->verify();
    std::printf("%s: OK\n", qPrintable(source->description()));
    return 0;
}

int findCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription("Searches the PACS for studies (and with --series, their series). Prints "
                                     "one line per study: its UID, date, modalities, accession number, patient.");
    addConnectionOptions(parser);
    parser.addOptions({
        {"patient-name", "Patient name (DICOM wildcards * and ?).", "NAME"},
        {"patient-id", "Patient ID.", "ID"},
        {"date-from", "Study date from (YYYYMMDD).", "DATE"},
        {"date-to", "Study date to (YYYYMMDD).", "DATE"},
        {"modality", "Modality in study, e.g. CT.", "MODALITY"},
        {"accession", "Accession number.", "NUMBER"},
        {"limit", "At most this many studies.", "N", "200"},
        {"series", "Also list each study's series."},
    });
    parser.process(arguments);
    auto workspace = openWorkspace(parser.value("workspace"));
    const auto source = makePacsSource(connectionFrom(parser, workspace ? &*workspace : nullptr));
    StudyQuery query;
    query.patientName = parser.value("patient-name");
    query.patientId = parser.value("patient-id");
    query.studyDateFrom = parser.value("date-from");
    query.studyDateTo = parser.value("date-to");
    query.modality = parser.value("modality");
    query.accessionNumber = parser.value("accession");
    query.limit = parser.value("limit").toInt();
    const auto studies = source->findStudies(query);
    std::printf("%zu studies\n", studies.size());
    for (const auto& study : studies) {
        std::printf("study %s  %s  %s  accession %s  %d series  patient %s (%s)\n", qPrintable(study.studyInstanceUid),
                    qPrintable(study.studyDate), qPrintable(study.modalities.join('/')),
                    qPrintable(study.accessionNumber.isEmpty() ? QStringLiteral("-") : study.accessionNumber),
                    study.seriesCount, qPrintable(study.patientName), qPrintable(study.patientId));
        if (!parser.isSet("series")) continue;
        for (const auto& series : source->findSeries(study.studyInstanceUid))
            std::printf("  series %s  %s  #%d  %d instances  %s\n", qPrintable(series.seriesInstanceUid),
                        qPrintable(series.modality), series.seriesNumber, series.instanceCount,
                        qPrintable(series.seriesDescription));
    }
    return 0;
}

int importCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Retrieves the selected studies or series from the PACS into the workspace and imports them like files "
        "(dedup, splits by patient, labels from a DICOM attribute, a per-file report). Only what is selected is "
        "retrieved. Running it again after an interruption fetches only what is missing.");
    addConnectionOptions(parser);
    parser.addPositionalArgument("workspace", "Workspace folder (created if needed).");
    parser.addOptions({
        {"study", "Retrieve every series of this Study Instance UID (repeatable).", "UID"},
        {"series", "Retrieve this series: STUDY_UID/SERIES_UID (repeatable).", "STUDY/SERIES"},
        {"labels-from", "none or tag:KEYWORD (a DICOM attribute such as BodyPartExamined).", "SOURCE", "none"},
        {"list", "Which files to list: problems or all.", "WHICH", "problems"},
    });
    parser.process(arguments);
    if (parser.positionalArguments().isEmpty())
        throw Error("usage: fedmedclip-cli pacs import <workspace> (--study UID | --series STUDY/SERIES)... [options]");
    auto workspace = SiteWorkspace::open(str(parser.positionalArguments().front()));
    ImportOptions options;
    const auto labels = parser.value("labels-from");
    if (labels.startsWith("tag:") && labels.size() > 4) {
        options.labelSource = LabelSource::DicomTag;
        options.dicomTagKeyword = str(labels.mid(4));
    } else if (labels != "none") {
        throw Error("pacs import: --labels-from must be none or tag:KEYWORD, not '" + str(labels) + "'");
    }
    if (parser.values("study").isEmpty() && parser.values("series").isEmpty())
        throw Error("pacs import: nothing selected; give --study UID or --series STUDY_UID/SERIES_UID");
    const auto source = makePacsSource(connectionFrom(parser, &workspace));
    std::vector<SeriesSelection> selection;
    for (const auto& study : parser.values("study"))
        for (const auto& series : source->findSeries(study)) selection.push_back({study, series.seriesInstanceUid});
    for (const auto& pair : parser.values("series")) {
        const auto parts = pair.split('/');
        if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
            throw Error("pacs import: --series '" + str(pair) + "' must have the form STUDY_UID/SERIES_UID");
        selection.push_back({parts[0], parts[1]});
    }
    if (selection.empty()) throw Error("pacs import: the selected studies have no series on the PACS");

    ProgressBar bar;
    const auto previous = std::signal(SIGINT, onInterrupt);
    const auto report = importFromPacs(workspace, *source, selection, options, [&](const PacsImportProgress& p) {
        bar.update(p.stage.c_str(), p.done, p.total);
    }, &interrupted);
    std::signal(SIGINT, previous);
    std::printf("%s", formatPacsImportReport(report, parser.value("list") != "all").c_str());
    if (report.cancelled) return 130;
    return report.complete() ? 0 : 1;
}

int storeSrCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Exports a saved prediction as a DICOM Comprehensive SR (the classified image referenced by its SOP "
        "Instance UID, the predicted class, every class's probability, the model) and stores it to the PACS "
        "(STOW-RS or C-STORE), or with --out and --no-store only saves it as a file.");
    addConnectionOptions(parser);
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.addOptions({
        {"prediction", "The prediction's id (fedmedclip-cli predict prints it).", "ID"},
        {"out", "Also save the SR to this file.", "FILE"},
        {"no-store", "Do not send it to the PACS (needs --out)."},
    });
    parser.process(arguments);
    if (parser.positionalArguments().isEmpty() || !parser.isSet("prediction"))
        throw Error("usage: fedmedclip-cli pacs store-sr <workspace> --prediction ID [--out FILE] [--no-store]");
    if (parser.isSet("no-store") && !parser.isSet("out")) throw Error("pacs store-sr: --no-store needs --out FILE");
    bool ok = false;
    const auto id = parser.value("prediction").toLongLong(&ok);
    if (!ok) throw Error("pacs store-sr: --prediction must be a prediction id");
    const auto folder = str(parser.positionalArguments().front());
    if (!QFileInfo::exists(QString::fromStdString(folder + "/" + kWorkspaceDatabaseFileName)))
        throw Error(folder + ": not a site workspace (no " + kWorkspaceDatabaseFileName + ")");
    auto workspace = SiteWorkspace::open(folder);
    const auto report = buildStructuredReport(predictionReportContent(workspace, id));
    if (parser.isSet("out")) {
        saveStructuredReport(report, parser.value("out"));
        std::printf("structured report saved to %s\n", qPrintable(parser.value("out")));
    }
    if (!parser.isSet("no-store")) {
        const auto source = makePacsSource(connectionFrom(parser, &workspace));
        if (const auto web = dynamic_cast<DicomWebClient*>(source.get())) {
            web->store(report.part10);
        } else {
            QTemporaryDir scratch;
            const auto path = scratch.filePath("report.dcm");
            saveStructuredReport(report, path);
            source->storeFile(path);
        }
        std::printf("structured report stored to %s (SOP Instance UID %s)\n", qPrintable(source->description()),
                    qPrintable(report.sopInstanceUid));
    }
    return 0;
}

int configureCommand(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Saves the PACS connection in the workspace's settings (never the password or token) and, with "
        "--secret-stdin, the password or token in the credential store.");
    addConnectionOptions(parser);
    parser.addPositionalArgument("workspace", "Workspace folder.");
    parser.process(arguments);
    if (parser.positionalArguments().isEmpty())
        throw Error("usage: fedmedclip-cli pacs configure <workspace> [connection options] [--secret-stdin]");
    auto workspace = SiteWorkspace::open(str(parser.positionalArguments().front()));
    const auto secretGiven = parser.isSet("secret-stdin");
    const auto merged = connectionFrom(parser, &workspace, secretGiven);
    savePacsSettings(workspace.store(), merged);
    if (secretGiven && merged.protocol == PacsProtocol::DicomWeb && merged.dicomWeb.auth != AuthKind::None) {
        auto store = CredentialStore::forUser();
        store.setSecret(credentialAccount(merged.dicomWeb), merged.dicomWeb.secret);
        std::printf("secret for %s saved in %s\n", qPrintable(credentialAccount(merged.dicomWeb)),
                    qPrintable(store.backendDescription()));
    }
    std::printf("PACS settings saved in %s (%s)\n", workspace.folder().c_str(), pacsProtocolName(merged.protocol));
    return 0;
}

int pacsCommand(const QStringList& arguments) {
    const auto sub = arguments.value(1);
    QStringList rest = arguments.mid(2);
    rest.prepend(arguments.value(0) + QLatin1Char(' ') + sub);
    if (sub == "echo") return echoCommand(rest);
    if (sub == "find") return findCommand(rest);
    if (sub == "import") return importCommand(rest);
    if (sub == "store-sr") return storeSrCommand(rest);
    if (sub == "configure") return configureCommand(rest);
    const bool help = sub.isEmpty() || sub == "--help" || sub == "-h";
    FILE* out = help ? stdout : stderr;
    if (!help) std::fprintf(out, "unknown pacs subcommand '%s'\n", qPrintable(sub));
    std::fprintf(out,
                 "usage: fedmedclip-cli pacs SUBCOMMAND [options]   (SUBCOMMAND --help for its options)\n"
                 "  configure WORKSPACE   save the PACS connection in the workspace, the secret in the credential store\n"
                 "  echo                  check that the PACS answers and accepts this site\n"
                 "  find                  search studies (and their series)\n"
                 "  import WORKSPACE      retrieve the selected studies or series and import them\n"
                 "  store-sr WORKSPACE    send a saved prediction back as a DICOM SR, or save it as a file\n");
    return help ? 0 : 2;
}

const CommandRegistration pacsRegistration("pacs", "search and import from a PACS, store results back as DICOM SR",
                                           pacsCommand);

}  // namespace
}  // namespace fmc::cli
