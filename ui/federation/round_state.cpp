#include "federation/round_state.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

namespace fmc::ui {
namespace {

class RoundState {
    Q_DECLARE_TR_FUNCTIONS(RoundState)
};

int rank(RoundStatus::State state) { return static_cast<int>(state); }

}  // namespace

void RoundStateTracker::startConnecting(const QString& coordinator) {
    reset();
    connecting_ = true;
    current_.coordinator = coordinator;
}

void RoundStateTracker::reset() {
    current_ = {};
    known_ = false;
    connecting_ = false;
}

bool RoundStateTracker::apply(const RoundStatus& status) {
    const auto before = text() + detailText();
    const bool newer = !known_ || status.state == RoundStatus::State::Finished || status.round > current_.round ||
                       (status.round == current_.round && rank(status.state) > rank(current_.state));
    const bool sameStep = known_ && status.round == current_.round && status.state == current_.state;
    if (current_.state == RoundStatus::State::Finished && known_ && status.state != RoundStatus::State::Finished)
        return false;  // nothing comes after the end
    if (newer) {
        auto merged = status;
        // What the newer report does not know, the older one may (same federation).
        if (merged.totalRounds <= 0) merged.totalRounds = current_.totalRounds;
        if (merged.minimumSites <= 0) merged.minimumSites = current_.minimumSites;
        if (merged.sitesExpected <= 0) merged.sitesExpected = current_.sitesExpected;
        if (merged.coordinator.isEmpty()) merged.coordinator = current_.coordinator;
        if (known_ && merged.round == current_.round) {
            merged.thisSiteUploaded = merged.thisSiteUploaded || current_.thisSiteUploaded;
            merged.sitesUploaded = std::max(merged.sitesUploaded, current_.sitesUploaded);
            if (!merged.deadline.isValid()) merged.deadline = current_.deadline;
        }
        current_ = merged;
    } else if (status.round == current_.round) {
        // An older step of the same round: only what it adds.
        current_.sitesUploaded = std::max(current_.sitesUploaded, status.sitesUploaded);
        current_.thisSiteUploaded = current_.thisSiteUploaded || status.thisSiteUploaded;
        if (sameStep && status.deadline.isValid()) current_.deadline = status.deadline;
        if (status.minimumSites > 0) current_.minimumSites = status.minimumSites;
        if (status.sitesExpected > 0) current_.sitesExpected = status.sitesExpected;
    }
    if (current_.totalRounds <= 0) current_.totalRounds = status.totalRounds;
    known_ = true;
    connecting_ = false;
    return before != text() + detailText();
}

int RoundStateTracker::sitesNeeded() const { return std::max(current_.sitesExpected, current_.minimumSites); }

QString RoundStateTracker::text() const {
    if (connecting_ && !known_) return RoundState::tr("Connecting to the coordinator…");
    if (!known_) return {};
    using State = RoundStatus::State;
    const auto& s = current_;
    const int needed = sitesNeeded();
    const int uploaded = std::max(0, s.sitesUploaded);
    const QString counts = needed > 0 && s.sitesUploaded >= 0
                               ? (needed == 1 ? RoundState::tr("%1 of 1 site has sent its update").arg(uploaded)
                                              : RoundState::tr("%1 of %2 sites have sent their update").arg(uploaded).arg(needed))
                               : QString();
    QString step;
    switch (s.state) {
    case State::Waiting:
        step = s.round > 0 ? RoundState::tr("waiting for the round to open")
                           : RoundState::tr("waiting for the federation's first round to open");
        break;
    case State::Training: step = RoundState::tr("this site is training on its images"); break;
    case State::Collecting:
        if (s.thisSiteUploaded)
            step = counts.isEmpty() ? RoundState::tr("this site's update is sent; waiting for the other sites")
                                    : RoundState::tr("this site's update is sent; %1").arg(counts);
        else step = counts.isEmpty() ? RoundState::tr("collecting the sites' updates")
                                     : RoundState::tr("collecting updates: %1").arg(counts);
        if (needed > 0 && uploaded < s.minimumSites && s.minimumSites > s.sitesExpected && s.sitesUploaded >= 0)
            step += QLatin1Char(' ') + RoundState::tr("(the round needs at least %1 sites)").arg(s.minimumSites);
        break;
    case State::Aggregating: step = RoundState::tr("combining the sites' updates"); break;
    case State::Published: step = RoundState::tr("the new shared model is published"); break;
    case State::Finished:
        return s.totalRounds > 0 ? RoundState::tr("Finished: all %1 rounds are done").arg(s.totalRounds)
                                 : RoundState::tr("Finished: all rounds are done");
    }
    if (s.round <= 0) return step.left(1).toUpper() + step.mid(1);
    if (s.totalRounds > 0) return RoundState::tr("Round %1 of %2 — %3").arg(s.round).arg(s.totalRounds).arg(step);
    return RoundState::tr("Round %1 — %2").arg(s.round).arg(step);
}

QString RoundStateTracker::detailText() const {
    QStringList detail;
    if (!current_.coordinator.isEmpty()) detail << RoundState::tr("Coordinator: %1").arg(current_.coordinator);
    if (known_ && current_.deadline.isValid() && current_.state != RoundStatus::State::Finished)
        detail << RoundState::tr("Deadline: %1").arg(QLocale().toString(current_.deadline.toLocalTime(), QLocale::ShortFormat));
    return detail.join(QStringLiteral(" · "));
}

}  // namespace fmc::ui
