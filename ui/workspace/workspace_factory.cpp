#include "workspace/workspace_factory.h"

#include "workspace/site_store_workspace.h"

namespace fmc::ui {

// A workspace is the same SQLite site store the CLI uses.
std::unique_ptr<WorkspaceService> openWorkspaceAt(const QString& directory) { return SiteStoreWorkspace::open(directory); }
std::unique_ptr<WorkspaceService> createWorkspaceAt(const QString& directory) {
    return SiteStoreWorkspace::create(directory);
}
bool isWorkspaceFolder(const QString& directory) { return SiteStoreWorkspace::isWorkspace(directory); }

}  // namespace fmc::ui
