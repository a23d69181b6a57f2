#pragma once
// One logging category per part of the desktop app, so a site admin can switch on
// e.g. QT_LOGGING_RULES="fmc.ui.federation.debug=true" without drowning in the rest.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcWorkspace)
Q_DECLARE_LOGGING_CATEGORY(lcImport)
Q_DECLARE_LOGGING_CATEGORY(lcClassify)
Q_DECLARE_LOGGING_CATEGORY(lcTrain)
Q_DECLARE_LOGGING_CATEGORY(lcHistory)
Q_DECLARE_LOGGING_CATEGORY(lcFederation)
Q_DECLARE_LOGGING_CATEGORY(lcTasks)
