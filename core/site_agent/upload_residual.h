#pragma once
// Error feedback at a site (docs/method.md, "Error feedback"): the quantisation error of the
// site's last delta upload (encodeDeltaWithFeedback), which its next upload makes up for. It
// lives in the federation's state folder next to progress.json (fp32 payloads) and is never
// sent.
//
// A residual of round r is valid for round r + 1's upload only, and only once the upload of
// round r reached the coordinator (accepted, or a duplicate of an accepted one): the global
// FAM round r + 1 starts from then holds that upload and its error. A rejected or late upload,
// a skipped round, another FAM layout or an unreadable file gives none (zero), never a wrong
// one. So save(r) writes delta-residual-<r>.unsent.fmcp before round r's upload is saved for
// sending, and accepted(r) renames it to delta-residual-<r>.fmcp, the only file forRound
// reads, removing the others: a crash anywhere re-encodes round r with round r - 1's residual,
// or resends the saved payload and then confirms its residual.
#include "common/codec.h"

#include <QString>

#include <string>

namespace fmc::federation {

class UploadResidualStore {
public:
    explicit UploadResidualStore(QString stateDir);

    // The residual for the upload of `round` (the one saved by round - 1), checked against
    // `layout` (names and shapes); empty when there is none, with the reason in `whyNone`.
    ParameterSet forRound(int round, const ParameterSet& layout, std::string* whyNone = nullptr) const;
    // Saves the residual the upload of `round` leaves (written atomically), not yet valid.
    void save(int round, const ParameterSet& residual);
    // The upload of `round` reached the coordinator: its residual becomes valid, and the only one.
    void accepted(int round);
    // No residual is valid any more (the upload of a round did not count, or feedback is off).
    void discard();

    // The file of round's residual, valid (confirmed by accepted) or unsent.
    QString fileOf(int round, bool valid = true) const;

private:
    QString stateDir_;
};

}  // namespace fmc::federation
