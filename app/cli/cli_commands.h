#pragma once
// fedmedclip-cli commands. Each command file registers itself with a static
// CommandRegistration, so adding a command touches only its own file.
#include <QString>
#include <QStringList>

#include <cstdint>
#include <string>

class QCommandLineParser;

namespace fmc::cli {

// arguments[0] is "fedmedclip-cli COMMAND"; the rest are the command's own options.
using CommandHandler = int (*)(const QStringList& arguments);

struct CommandRegistration {
    CommandRegistration(const char* name, const char* summary, CommandHandler handler);
};

// Runs one fedmedclip-cli command line; returns the process exit code.
int run(const QStringList& arguments);

// Shared helpers for command files.
std::string vocabularyPath();  // the CLIP BPE vocabulary shipped with the project

// Numeric option values, checked (common/numeric_option.h): a bad value throws fmc::Error
// naming the option.
int intOption(const QCommandLineParser& parser, const QString& name);
std::uint64_t unsignedOption(const QCommandLineParser& parser, const QString& name);
double numberOption(const QCommandLineParser& parser, const QString& name);

// A progress bar on stderr: redrawn in place on a terminal, a line every 10% in a log.
class ProgressBar {
public:
    void update(const char* stage, int done, int total);

private:
    int lastPercent_ = -100;
};

}  // namespace fmc::cli
