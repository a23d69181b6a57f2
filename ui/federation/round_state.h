#pragma once
// One source of truth for the round state the Train page shows. Two reporters speak of the
// same federation: this site's worker (training round N, update of round N sent) and the
// coordinator's answer to the periodic status request, which may arrive late. The tracker
// keeps the newest state (higher round, or the same round further along), merges what each
// knows (site counts, the deadline, whether this site has sent) and words it once.
#include "federation/federation_types.h"

#include <QString>

namespace fmc::ui {

class RoundStateTracker {
public:
    // Nothing known yet: the worker is contacting the coordinator.
    void startConnecting(const QString& coordinator);
    void reset();
    // Applies a report; an older one (a lower round, or the same round at an earlier step)
    // changes nothing but what it adds (counts, deadline). Returns whether the text changed.
    bool apply(const RoundStatus& status);

    bool isKnown() const { return known_ || connecting_; }
    const RoundStatus& current() const { return current_; }
    // The sites the round waits for: the sites taking part, and never fewer than the
    // minimum the round needs.
    int sitesNeeded() const;
    // "Round 3 of 8 — collecting updates: 1 of 2 sites have sent theirs"
    QString text() const;
    // Coordinator and deadline in local time; "" when neither is known.
    QString detailText() const;

private:
    RoundStatus current_;
    bool known_ = false;
    bool connecting_ = false;
};

}  // namespace fmc::ui
