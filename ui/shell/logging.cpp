#include "shell/logging.h"

Q_LOGGING_CATEGORY(lcApp, "fmc.ui.app")
Q_LOGGING_CATEGORY(lcWorkspace, "fmc.ui.workspace")
Q_LOGGING_CATEGORY(lcImport, "fmc.ui.import")
Q_LOGGING_CATEGORY(lcClassify, "fmc.ui.classify")
Q_LOGGING_CATEGORY(lcTrain, "fmc.ui.train")
Q_LOGGING_CATEGORY(lcHistory, "fmc.ui.history")
Q_LOGGING_CATEGORY(lcFederation, "fmc.ui.federation")
Q_LOGGING_CATEGORY(lcTasks, "fmc.ui.tasks")
