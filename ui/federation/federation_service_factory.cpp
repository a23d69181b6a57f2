#include "federation/federation_service_factory.h"

#include "federation/coordinator_federation_service.h"

namespace fmc::ui {

std::shared_ptr<FederationService> createFederationService(const QString& workspaceRoot) {
    return std::make_shared<CoordinatorFederationService>(workspaceRoot);
}

}  // namespace fmc::ui
