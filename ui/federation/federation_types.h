#pragma once
// What the site learns about a federation and its rounds, as the wizard and the Train page
// show it. Plain Qt value types.
#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace fmc::ui {

// The certificate a coordinator presented, before the site trusts it.
struct CoordinatorIdentity {
    QString url;
    QString certificateSha256;  // "AB:CD:..." (32 bytes as colon-separated upper-case hex)
    QString subject;
    QString issuer;
    QDateTime expires;
};

// How the site trusts the coordinator from enrollment on: the certificate fingerprint a
// person confirmed (a renewed certificate then needs a new enrollment), or the federation's
// CA certificate(s), PEM, which also vouch for the coordinator's renewed certificates.
struct CoordinatorTrust {
    QString pinnedSha256;
    QString caCertificatesPem;
};

// The task a federation trains, as enrollment returns it.
struct FederationTask {
    QString federationId;
    QString name;
    QStringList classNames;
    QString promptTemplate;
    QString bundleName;
    QString bundleHash;
    int rounds = 0;
    int minimumSites = 0;
    QString siteId;
    QString credential;
};

// The coordinator's view of the current round.
struct RoundStatus {
    enum class State { Waiting, Collecting, Aggregating, Published, Finished };
    State state = State::Waiting;
    int round = 0;
    int totalRounds = 0;
    int sitesUploaded = 0;
    int sitesExpected = 0;
    QDateTime deadline;  // invalid: none
    QString coordinator;
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::RoundStatus)
