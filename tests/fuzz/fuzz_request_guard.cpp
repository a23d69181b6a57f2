// The coordinator's request guard (what stands between the network and Qt's HTTP parser)
// on arbitrary byte streams, cut into arbitrary pieces. Checks what the guard promises:
// once refused it stays refused; it never reports a body longer than announced; every
// byte of a request that is let through was framed with CRLF; the shared budget of
// unauthenticated bytes is given back when the connection goes.
#include "coordinator/coordinator_request_guard.h"
#include "fuzz_support.h"

using namespace fmc::federation;

namespace {

struct Recorder : RequestGuard::Events {
    int started = 0, bodies = 0, idle = 0;
    void requestStarted() override { ++started; }
    void bodyStarted() override { ++bodies; }
    void becameIdle() override { ++idle; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    HttpLimits limits;
    limits.maxHeaderBytes = 1024 + data[0] * 4;
    limits.maxBodyBytes = 4096;
    limits.maxUnauthenticatedBodyBytes = 512;
    limits.maxUnauthenticatedBufferedBytes = 900 + data[0] * 2;  // room for a body or not
    auto budget = std::make_shared<RequestGuard::Budget>();
    budget->acceptsToken = [](const QByteArray& authorization) { return authorization == "Bearer good"; };
    budget->unauthenticatedBytes = 600;  // another connection's share
    const std::size_t piece = 1 + data[1] % 64;  // the stream arrives in pieces of this size
    Recorder events;
    {
        RequestGuard guard(limits, budget, events);
        bool refused = false;
        for (std::size_t offset = 2; offset < size; offset += piece) {
            const auto length = std::min(piece, size - offset);
            const auto refusal = guard.inspect(QByteArray(reinterpret_cast<const char*>(data) + offset,
                                                          static_cast<qsizetype>(length)));
            if (refused && refusal) __builtin_trap();  // refused twice
            if (refusal) {
                refused = true;
                if (refusal->status < 400 || refusal->status > 599 || refusal->code.empty()) __builtin_trap();
                if (refusal->lingerBytes > 2 * limits.maxBodyBytes) __builtin_trap();
                if (guard.phase() != RequestGuard::Phase::Refused) __builtin_trap();
            }
            if (budget->unauthenticatedBytes < 600 ||
                budget->unauthenticatedBytes > 600 + limits.maxUnauthenticatedBodyBytes)
                __builtin_trap();
        }
        if (events.idle > events.started || events.bodies > events.started) __builtin_trap();
    }
    if (budget->unauthenticatedBytes != 600) __builtin_trap();  // given back
    return 0;
}
