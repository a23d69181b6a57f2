// fedmedclip-desktop: the app for clinicians and site staff. Parses arguments and opens the
// main window; everything else lives in fmc_ui.
#include "common/app_identity.h"
#include "common/process_environment.h"
#include "federation/federation_service_factory.h"
#include "shell/main_window.h"
#include "shell/runtime_setup.h"
#include "shell/screenshot_tour.h"
#include "shell/translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>

namespace {

// Shared with fedmedclip-cli demo, whose default work folder is its federation/ sub-folder.
QString defaultDemoDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/demo");
}

void addOptions(QCommandLineParser& parser) {
    parser.setApplicationDescription(QStringLiteral("FedMedCLIP Desktop: federated medical image classification. "
                                                    "Research use only, not a medical device."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {"demo", "Open the ready demo workspace (prepared on first use: demo model, demo images, a finished demo "
                 "federation)."},
        {"demo-dir", QStringLiteral("Folder for the demo (default: %1).").arg(defaultDemoDir()), "DIR",
         defaultDemoDir()},
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

// Help, version and wrong arguments are answered in text without a display, so ssh
// sessions, scripts and help2man work. Returns the exit code, or -1 to go on to the GUI.
int answerWithoutDisplay(int argc, char* argv[]) {
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
    return -1;
}

}  // namespace

int main(int argc, char* argv[]) {
    fmc::ensurePassiveThreadWaiting(argv);  // before any runtime starts a thread
    if (const int code = answerWithoutDisplay(argc, argv); code >= 0) return code;
    QApplication app(argc, argv);
    setIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral("org.fedmedclip.FedMedCLIP"));
    QApplication::setApplicationDisplayName(QStringLiteral("FedMedCLIP"));

    QCommandLineParser parser;
    addOptions(parser);
    parser.process(app);

    fmc::ui::installTranslations(parser.isSet("language") ? parser.value("language") : fmc::ui::chosenLanguage());
    fmc::ui::applyRuntimeSettings();

    fmc::ui::MainWindow window(fmc::ui::createFederationService);
    window.show();

    int exitCode = 0;
    if (parser.isSet("screenshots")) {
        auto* tour = new fmc::ui::ScreenshotTour(&window, parser.value("screenshots"), &window);
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
    if (parser.isSet("demo")) {
        fmc::ui::DemoWorkspaceOptions options;
        options.federatedRounds = qMax(1, parser.value("demo-rounds").toInt());
        window.openDemoWorkspace(parser.value("demo-dir"), options);
    } else if (parser.isSet("workspace")) {
        window.openWorkspace(parser.value("workspace"));
    } else if (!parser.isSet("screenshots")) {
        // Where the person left off: the last workspace, when it is still there.
        window.reopenLastWorkspace();
    }
    const int result = QApplication::exec();
    return exitCode != 0 ? exitCode : result;
}
