// fedmedclip-cli: the headless tool for researchers and site agents. Parses arguments and
// calls core/; all logic lives in the libraries.
#include "cli_commands.h"
#include "common/app_identity.h"
#include "common/process_environment.h"

#include <QCoreApplication>

#include <cstdio>
#include <exception>

int main(int argc, char* argv[]) {
    fmc::ensurePassiveThreadWaiting(argv);  // before any runtime starts a thread
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QString::fromLatin1(fmc::kOrganizationName));
    QCoreApplication::setApplicationName(QString::fromLatin1(fmc::kApplicationName));
    QCoreApplication::setApplicationVersion(QStringLiteral(FMC_VERSION));
    try {
        return fmc::cli::run(QCoreApplication::arguments());
    } catch (const std::exception& error) {
        std::fprintf(stderr, "fedmedclip-cli: error: %s\n", error.what());
        return 1;
    }
}
