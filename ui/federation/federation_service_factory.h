#pragma once
// The federation client the app talks to coordinators with, for one workspace (its
// credential lives in <workspace>/federation/); null when this build has no client.
#include "federation/federation_service.h"

#include <memory>

namespace fmc::ui {

std::shared_ptr<FederationService> createFederationService(const QString& workspaceRoot);

}  // namespace fmc::ui
