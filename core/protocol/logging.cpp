#include "protocol/logging.h"

Q_LOGGING_CATEGORY(lcCoordinator, "fmc.coordinator", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCoordinatorHttp, "fmc.coordinator.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSiteClient, "fmc.site", QtInfoMsg)
