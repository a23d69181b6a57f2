// fedmedclip-desktop: the app for clinicians and site staff. Parses arguments and opens the
// main window; everything else lives in fmc_ui.
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
#include <cstring>

int main(int argc, char* argv[]) {
    // --version answers without a display (ssh sessions, scripts, package checks).
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("fedmedclip-desktop %s\n", FMC_VERSION);
            return 0;
        }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FedMedCLIP"));
    QApplication::setApplicationName(QStringLiteral("fedmedclip-desktop"));
    QGuiApplication::setDesktopFileName(QStringLiteral("org.fedmedclip.FedMedCLIP"));
    QApplication::setApplicationDisplayName(QStringLiteral("FedMedCLIP"));
    QApplication::setApplicationVersion(QStringLiteral(FMC_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FedMedCLIP Desktop: federated medical image classification. "
                                                    "Research use only, not a medical device."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {"demo", "Open the ready demo workspace (prepared on first use: demo model, demo images, a finished demo "
                 "federation)."},
        {"demo-dir", "Folder for the demo.", "DIR",
         QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/demo"},
        {"demo-rounds", "Rounds of the demo federation when it is prepared.", "N", "30"},
        {"workspace", "Open this workspace.", "DIR"},
        {"language", "en, fr or de (default: Settings, then the system language).", "LANG"},
        {"screenshots", "Save a PNG of every page into DIR, then quit.", "DIR"},
    });
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
    }
    const int result = QApplication::exec();
    return exitCode != 0 ? exitCode : result;
}
