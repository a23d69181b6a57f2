#pragma once
// Which workspace implementation the app opens and creates.
#include "workspace/workspace_service.h"

#include <memory>

namespace fmc::ui {

// Throw fmc::Error naming the folder or file at fault.
std::unique_ptr<WorkspaceService> openWorkspaceAt(const QString& directory);
std::unique_ptr<WorkspaceService> createWorkspaceAt(const QString& directory);
bool isWorkspaceFolder(const QString& directory);

}  // namespace fmc::ui
