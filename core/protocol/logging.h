#pragma once
// Logging categories of the federation component (enable with QT_LOGGING_RULES, e.g.
// "fmc.coordinator.debug=true"). Messages never carry tokens, codes or payload bytes.
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcCoordinator)
Q_DECLARE_LOGGING_CATEGORY(lcCoordinatorHttp)
Q_DECLARE_LOGGING_CATEGORY(lcSiteClient)
