#pragma once
// Logging category of the PACS component (QT_LOGGING_RULES="fmc.pacs.debug=true").
// Messages never carry patient names, IDs or UIDs, nor passwords or tokens.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcPacs)
