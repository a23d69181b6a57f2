#include "federation_service_factory.h"

#ifdef FMC_HAVE_FEDERATION
#include "coordinator_federation_service.h"
#endif

namespace fmc::ui {

std::shared_ptr<FederationService> createFederationService(const QString& workspaceRoot) {
#ifdef FMC_HAVE_FEDERATION
    return std::make_shared<CoordinatorFederationService>(workspaceRoot);
#else
    Q_UNUSED(workspaceRoot);
    return nullptr;
#endif
}

}  // namespace fmc::ui
