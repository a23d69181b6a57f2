#pragma once
// The byte-level half of the coordinator's request guard (coordinator_server.cpp holds the
// socket half: timers, answers, lingering close). Fed every byte of one connection as it
// arrives, before Qt's HTTP parser sees it, it follows the requests' framing and refuses
// what breaks a rule: the request line and header syntax (400), bare LF line ends (400),
// the header size (431), the body size from Content-Length (413, before the body is read),
// chunked bodies (411), and large or too many unauthenticated bodies (401/503). Free of
// sockets, so that it can be fuzzed and tested on bytes alone.
#include "coordinator/coordinator_config.h"

#include <QByteArray>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fmc::federation {

class RequestGuard {
public:
    enum class Phase { Idle, Headers, Body, Refused };

    struct Refusal {
        int status = 0;
        std::string code, message;
        // The body the client announced and is still sending, to swallow before closing.
        std::int64_t lingerBytes = 0;
    };

    // Shared by every connection of a server (it may outlive the server: shared_ptr).
    struct Budget {
        std::int64_t unauthenticatedBytes = 0;  // bodies of unauthenticated requests being received
        std::function<bool(const QByteArray&)> acceptsToken;  // "Bearer ..." names an active site
    };

    // Phase changes, for the socket half's timers.
    class Events {
    public:
        virtual ~Events() = default;
        virtual void requestStarted() {}  // Idle -> Headers
        virtual void bodyStarted() {}     // Headers -> Body
        virtual void becameIdle() {}      // a request was read completely
    };

    RequestGuard(const HttpLimits& limits, std::shared_ptr<Budget> budget, Events& events);
    ~RequestGuard();  // gives its share of the budget back
    RequestGuard(const RequestGuard&) = delete;
    RequestGuard& operator=(const RequestGuard&) = delete;

    // `data`: the bytes that arrived since the last call. Returns the refusal when the
    // request breaks a rule; the guard is then Refused and ignores further input.
    std::optional<Refusal> inspect(const QByteArray& data);

    Phase phase() const { return phase_; }
    std::int64_t largestBody() const { return largestBody_; }  // announced, over all requests

private:
    std::optional<Refusal> checkHeaders(std::int64_t bodyBytesBuffered);
    std::optional<Refusal> bodyMayFollow(const QByteArray& authorization, std::int64_t bodyBytesBuffered);
    std::optional<Refusal> bareLineFeed(const QByteArray& data, qsizetype from, qsizetype to);
    void startIdle();
    void releaseBudget();

    const HttpLimits& limits_;
    std::shared_ptr<Budget> budget_;
    Events& events_;
    Phase phase_ = Phase::Idle;
    QByteArray headers_;
    std::int64_t bodyRemaining_ = 0;
    std::int64_t reserved_ = 0;  // of budget_->unauthenticatedBytes
    std::int64_t largestBody_ = 0;
    char lastByte_ = '\n';  // the last byte of the request head seen, for bare-LF detection
};

}  // namespace fmc::federation
