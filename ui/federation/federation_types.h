#pragma once
// What the site learns about a federation and its rounds, as the wizard and the Train page
// show it. Plain Qt value types (and the std-only image domain of common/calibration.h).
#include "common/calibration.h"

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
    ImageDomain imageDomain;  // the kind of image the federation is for; empty lists: any
    QString siteId;
    QString credential;
};

// The current round, as the coordinator reports it (polled) or as this site's own worker
// knows it (training, update sent). RoundStateTracker merges both into what the page shows.
struct RoundStatus {
    // In the order a round goes through them. Training: this site trains on its images.
    enum class State { Waiting, Training, Collecting, Aggregating, Published, Finished };
    State state = State::Waiting;
    int round = 0;  // 0: no round opened yet
    int totalRounds = 0;
    int sitesUploaded = -1;  // < 0: not known to the reporter
    int sitesExpected = 0;   // the sites taking part (0: not known)
    int minimumSites = 0;    // the round closes with no fewer (0: not known)
    bool thisSiteUploaded = false;
    QDateTime deadline;  // invalid: none
    QString coordinator;
};

}  // namespace fmc::ui

Q_DECLARE_METATYPE(fmc::ui::RoundStatus)
