#pragma once
// What the wizard and the Train page need from a federation coordinator. Every call blocks
// and runs on a worker thread; failures throw fmc::Error with a message in plain words.
// The implementation over HTTPS lives with the site client (core/federation); tests use
// their own.
#include "federation/federation_types.h"
#include "workspace/workspace_types.h"

#include <QList>
#include <QSslCertificate>
#include <QUrl>

namespace fmc::ui {

class TaskContext;
class WorkspaceService;

class FederationService {
public:
    virtual ~FederationService() = default;

    // Connects and reports the certificate the coordinator presents, before trusting it.
    virtual CoordinatorIdentity fetchIdentity(const QUrl& coordinator) = 0;
    // Whether the certificate the coordinator presents chains to one of `authorities` (and
    // is made out for its host): "" when it does, otherwise why not, in plain words. Throws
    // fmc::Error when the coordinator cannot be reached.
    virtual QString verifyAuthority(const QUrl& coordinator, const QList<QSslCertificate>& authorities) = 0;
    // Presents the one-time enrollment code over a connection that trusts only `trust` (the
    // confirmed fingerprint or the federation's CA), which the site keeps from then on;
    // returns the federation's task and this site's credential.
    virtual FederationTask enroll(const QUrl& coordinator, const QString& enrollmentCode,
                                  const CoordinatorTrust& trust) = 0;
    // Proves the stored setup works: the coordinator answers and accepts the credential.
    virtual void testConnection(const FederationSetup& setup) = 0;
    virtual RoundStatus roundStatus(const FederationSetup& setup) = 0;
    // Takes part in the federation's rounds until it finishes or `context` is cancelled:
    // each round trains on the workspace's images and uploads the FAM only. Reports each
    // round (HistoryRow) and the round's status (RoundStatus) as partial results.
    virtual TrainingOutcome runFederatedTraining(WorkspaceService& workspace, const TrainingConfig& config,
                                                 TaskContext& context) = 0;
};

}  // namespace fmc::ui
