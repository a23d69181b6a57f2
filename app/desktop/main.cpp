// fedmedclip-desktop: the app for clinicians and site staff. Parses arguments and opens the
// main window; everything else lives in fmc_ui.
#include "common/app_identity.h"
#include "common/numeric_option.h"
#include "common/process_environment.h"
#include "federation/federation_service_factory.h"
#include "shell/main_window.h"
#include "shell/runtime_setup.h"
#include "shell/screenshot_tour.h"
#include "shell/translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <variant>

namespace {

void addOptions(QCommandLineParser& parser) {
    parser.setApplicationDescription(QStringLiteral("FedMedCLIP Desktop: federated medical image classification. "
                                                    "Research use only, not a medical device."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QString demoDir = fmc::ui::MainWindow::defaultDemoDirectory();
    parser.addOptions({
        {"demo", "Open the ready demo workspace (prepared on first use: demo model, demo images, a finished demo "
                 "federation)."},
        {"demo-dir", QStringLiteral("Folder for the demo (default: %1).").arg(demoDir), "DIR", demoDir},
        {"demo-rounds", "Rounds of the demo federation when it is prepared.", "N", "30"},
        {"workspace", "Open this workspace.", "DIR"},
        {"language", "en, fr or de (default: Settings, then the system language).", "LANG"},
        {"screenshots", "Save a PNG of every page into DIR, then quit.", "DIR"},
    });
}

void setIdentity() {
    QCoreApplication::setOrganizationName(QString::fromLatin1(fmc::kOrganizationName));
    QCoreApplication::setApplicationName(QString::fromLatin1(fmc::kApplicationName));
    QCoreApplication::setApplicationVersion(QStringLiteral(FMC_VERSION));
}

struct DesktopArguments {
    bool demo = false;
    QString demoDir;
    int demoRounds = 30;
    QString workspace;
    QString language;
    QString screenshots;
};

// Parsed once, before any display is needed, so --help, --version and wrong arguments are
// answered in text without one (ssh sessions, scripts, help2man). Returns the exit code
// when there is nothing more to do.
std::variant<int, DesktopArguments> parseArguments(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    setIdentity();
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "fedmedclip-desktop: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet("version")) {
        std::printf("fedmedclip-desktop %s\n", FMC_VERSION);
        return 0;
    }
    if (parser.isSet("help") || parser.isSet("help-all")) parser.process(app);  // prints and exits
    DesktopArguments arguments;
    try {
        arguments.demoRounds = static_cast<int>(
            fmc::parseIntegerOption("--demo-rounds", parser.value("demo-rounds").toStdString(), 1, 10000));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fedmedclip-desktop: %s\n", error.what());
        return 2;
    }
    arguments.demo = parser.isSet("demo");
    arguments.demoDir = parser.value("demo-dir");
    arguments.workspace = parser.value("workspace");
    arguments.language = parser.value("language");
    arguments.screenshots = parser.value("screenshots");
    return arguments;
}

}  // namespace

int main(int argc, char* argv[]) {
    fmc::ensurePassiveThreadWaiting(argv);  // before any runtime starts a thread
    const auto parsed = parseArguments(argc, argv);
    if (const int* code = std::get_if<int>(&parsed)) return *code;
    const auto& arguments = std::get<DesktopArguments>(parsed);
    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral("org.fedmedclip.FedMedCLIP"));
    QApplication::setApplicationDisplayName(QStringLiteral("FedMedCLIP"));

    fmc::ui::installTranslations(!arguments.language.isEmpty() ? arguments.language : fmc::ui::chosenLanguage());
    fmc::ui::applyRuntimeSettings();

    fmc::ui::MainWindow window(fmc::ui::createFederationService);
    window.show();

    int exitCode = 0;
    if (!arguments.screenshots.isEmpty()) {
        auto* tour = new fmc::ui::ScreenshotTour(&window, arguments.screenshots, &window);
        auto startTour = [tour] { QTimer::singleShot(500, tour, &fmc::ui::ScreenshotTour::start); };
        QObject::connect(&window, &fmc::ui::MainWindow::workspaceOpened, tour, startTour);
        QObject::connect(&window, &fmc::ui::MainWindow::demoFailed, &app, [&exitCode] {
            exitCode = 1;
            QApplication::quit();
        });
        QObject::connect(tour, &fmc::ui::ScreenshotTour::finished, &app,
                         [&exitCode](const QStringList& files, const QString& error) {
                             for (const auto& file : files) std::printf("%s\n", qPrintable(file));
                             if (!error.isEmpty()) {
                                 std::fprintf(stderr, "fedmedclip-desktop: screenshots: %s\n", qPrintable(error));
                                 exitCode = 1;
                             }
                             QApplication::quit();
                         });
    }
    if (arguments.demo) {
        fmc::ui::DemoWorkspaceOptions options;
        options.federatedRounds = arguments.demoRounds;
        window.openDemoWorkspace(arguments.demoDir, options);
    } else if (!arguments.workspace.isEmpty()) {
        window.openWorkspace(arguments.workspace);
    } else if (arguments.screenshots.isEmpty()) {
        // Where the person left off: the last workspace, when it is still there.
        window.reopenLastWorkspace();
    }
    const int result = QApplication::exec();
    return exitCode != 0 ? exitCode : result;
}
