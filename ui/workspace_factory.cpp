#include "workspace_factory.h"

#include "folder_workspace.h"
#ifdef FMC_HAVE_SITE
#include "site_store_workspace.h"
#endif

namespace fmc::ui {

// With the site store in the build, a workspace is the same SQLite workspace the CLI uses;
// without it (FMC_SKIP_COMPONENTS=site), a folder of JSON files.
#ifdef FMC_HAVE_SITE
std::unique_ptr<WorkspaceService> openWorkspaceAt(const QString& directory) { return SiteStoreWorkspace::open(directory); }
std::unique_ptr<WorkspaceService> createWorkspaceAt(const QString& directory) {
    return SiteStoreWorkspace::create(directory);
}
bool isWorkspaceFolder(const QString& directory) { return SiteStoreWorkspace::isWorkspace(directory); }
#else
std::unique_ptr<WorkspaceService> openWorkspaceAt(const QString& directory) { return FolderWorkspace::open(directory); }
std::unique_ptr<WorkspaceService> createWorkspaceAt(const QString& directory) { return FolderWorkspace::create(directory); }
bool isWorkspaceFolder(const QString& directory) { return FolderWorkspace::isWorkspace(directory); }
#endif

}  // namespace fmc::ui
