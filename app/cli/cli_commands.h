#pragma once
#include <QStringList>

namespace fmc::cli {
// Runs one fedmedclip-cli command; returns the process exit code.
int run(const QStringList& arguments);
}  // namespace fmc::cli
