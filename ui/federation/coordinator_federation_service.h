#pragma once
// FederationService over the real site client (core/federation): the TLS probe shows the
// certificate or checks it against the federation's CA, enrollment keeps the confirmed
// fingerprint or the CA as the site's trust (SiteAgent::enroll), the connection test and the round
// status ask the coordinator's API, and federated training runs the SiteAgent's round loop
// with this workspace's images as the site's data (the sites' FeatureSiteTrainer). The
// credential and the private model's checkpoint (local-model.fmcp, so a restarted site keeps
// its private MLP) live in <workspace>/federation/, as for `fedmedclip-cli site join|run`.
#include "federation/federation_service.h"

#include <QCoreApplication>

namespace fmc::ui {

class CoordinatorFederationService : public FederationService {
    Q_DECLARE_TR_FUNCTIONS(CoordinatorFederationService)

public:
    explicit CoordinatorFederationService(QString workspaceRoot);

    CoordinatorIdentity fetchIdentity(const QUrl& coordinator) override;
    QString verifyAuthority(const QUrl& coordinator, const QList<QSslCertificate>& authorities) override;
    FederationTask enroll(const QUrl& coordinator, const QString& enrollmentCode,
                          const CoordinatorTrust& trust) override;
    void testConnection(const FederationSetup& setup) override;
    RoundStatus roundStatus(const FederationSetup& setup) override;
    TrainingOutcome runFederatedTraining(WorkspaceService& workspace, const TrainingConfig& config,
                                         TaskContext& context) override;

    QString stateDirectory() const;

private:
    QString workspaceRoot_;
};

}  // namespace fmc::ui
