#pragma once
// Skips the test function it is written in when a file or folder of the shared test data
// (../shared/data) is absent, as in a clone without ../shared. A macro, not a function: QSKIP
// returns only from the function it stands in, so in a helper the test would go on.
#include <QFileInfo>
#include <QtTest>

#define FMC_REQUIRE_SHARED_DATA(path)                                                                           \
    do {                                                                                                        \
        const QString fmcRequiredPath_ = (path);                                                                \
        if (!QFileInfo::exists(fmcRequiredPath_))                                                               \
            QSKIP(qPrintable(fmcRequiredPath_ + QStringLiteral(" is absent (shared test data, see "              \
                                                               "../shared/README.md; a clone without ../shared)"))); \
    } while (false)
