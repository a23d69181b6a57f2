#include "pacs/logging.h"

Q_LOGGING_CATEGORY(lcPacs, "fmc.pacs", QtInfoMsg)
