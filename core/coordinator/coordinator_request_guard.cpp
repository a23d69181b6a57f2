#include "coordinator/coordinator_request_guard.h"

#include <QRegularExpression>
#include <QString>

#include <algorithm>

namespace fmc::federation {

RequestGuard::RequestGuard(const HttpLimits& limits, std::shared_ptr<Budget> budget, Events& events)
    : limits_(limits), budget_(std::move(budget)), events_(events) {}

RequestGuard::~RequestGuard() { releaseBudget(); }

void RequestGuard::releaseBudget() {
    budget_->unauthenticatedBytes -= reserved_;
    reserved_ = 0;
}

void RequestGuard::startIdle() {
    phase_ = Phase::Idle;
    releaseBudget();
    events_.becameIdle();
}

// A bare LF (no CR before it) frames lines differently for different parsers: refused
// before Qt's parser, which accepts it, sees the bytes.
std::optional<RequestGuard::Refusal> RequestGuard::bareLineFeed(const QByteArray& data, qsizetype from, qsizetype to) {
    for (qsizetype i = from; i < to; ++i)
        if (data[i] == '\n' && (i > 0 ? data[i - 1] : lastByte_) != '\r')
            return Refusal{400, "malformed_request", "bare LF: every line of the request head must end with CRLF", 0};
    if (to > from) lastByte_ = data[to - 1];
    return std::nullopt;
}

std::optional<RequestGuard::Refusal> RequestGuard::inspect(const QByteArray& data) {
    if (phase_ == Phase::Refused) return std::nullopt;
    const auto refused = [this](Refusal refusal) {
        phase_ = Phase::Refused;
        releaseBudget();
        return std::optional<Refusal>(std::move(refusal));
    };
    qsizetype position = 0;
    while (position < data.size()) {
        if (phase_ == Phase::Idle) {
            // Empty lines before a request line are allowed (RFC 9112 2.2), with CRLF.
            const auto start = position;
            while (position < data.size() && (data[position] == '\r' || data[position] == '\n')) ++position;
            if (auto refusal = bareLineFeed(data, start, position)) return refused(*refusal);
            if (position == data.size()) break;
            phase_ = Phase::Headers;
            events_.requestStarted();
        }
        if (phase_ == Phase::Headers) {
            const auto searchFrom = std::max<qsizetype>(0, headers_.size() - 3);
            const auto room = static_cast<qsizetype>(limits_.maxHeaderBytes) + 4 - headers_.size();
            const auto take = std::min(data.size() - position, std::max<qsizetype>(room, 0));
            headers_.append(data.constData() + position, take);
            const auto blank = headers_.indexOf("\r\n\r\n", searchFrom);
            // Of this piece, only the bytes up to the head's end are the head's.
            const auto headBytes = blank < 0 ? take : blank + 4 - (headers_.size() - take);
            if (auto refusal = bareLineFeed(data, position, position + headBytes)) return refused(*refusal);
            if (blank < 0) {
                if (headers_.size() > limits_.maxHeaderBytes)
                    return refused({431, "headers_too_large",
                                    "request headers exceed " + std::to_string(limits_.maxHeaderBytes) + " bytes", 0});
                position += take;
                continue;
            }
            // Bytes after the blank line belong to the body (or the next request).
            position += blank + 4 - (headers_.size() - take);
            headers_.truncate(blank);
            if (auto refusal = checkHeaders(data.size() - position)) return refused(*refusal);
            headers_.clear();
            if (bodyRemaining_ == 0) {
                startIdle();
            } else {
                phase_ = Phase::Body;
                events_.bodyStarted();
            }
            continue;
        }
        if (phase_ == Phase::Body) {
            const auto take = std::min<std::int64_t>(bodyRemaining_, data.size() - position);
            bodyRemaining_ -= take;
            position += take;
            if (bodyRemaining_ == 0) startIdle();
        }
    }
    return std::nullopt;
}

// Request line, header syntax and body framing.
std::optional<RequestGuard::Refusal> RequestGuard::checkHeaders(std::int64_t bodyBytesBuffered) {
    static const QRegularExpression requestLine(
        QStringLiteral("^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) /[\\x21-\\x7e]{0,2047} HTTP/1\\.[01]$"));
    static const QRegularExpression headerLine(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t\\x20-\\x7e]*$"));
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,15}$"));
    const auto lines = headers_.split('\n');
    bodyRemaining_ = 0;
    bool sawLength = false;
    QByteArray authorization;
    for (int i = 0; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (i + 1 < lines.size()) {
            if (!line.endsWith('\r')) return Refusal{400, "malformed_request", "header lines must end with CRLF", 0};
            line.chop(1);
        }
        const auto text = QString::fromLatin1(line);
        if (i == 0) {
            if (!requestLine.match(text).hasMatch()) return Refusal{400, "malformed_request", "malformed request line", 0};
            continue;
        }
        if (!headerLine.match(text).hasMatch())
            return Refusal{400, "malformed_request", "malformed header line " + std::to_string(i), 0};
        const auto colon = line.indexOf(':');
        const auto name = line.left(colon).toLower();
        const auto value = line.mid(colon + 1).trimmed();
        if (name == "authorization") authorization = value;
        if (name == "transfer-encoding")
            return Refusal{411, "length_required", "Transfer-Encoding is not accepted; send the body with Content-Length", 0};
        if (name == "content-length") {
            const auto length = value.toLongLong();
            if (!digits.match(QString::fromLatin1(value)).hasMatch() || (sawLength && length != bodyRemaining_))
                return Refusal{400, "malformed_request", "invalid Content-Length", 0};
            if (length > limits_.maxBodyBytes)
                // A body up to twice the limit is swallowed; anything bigger is cut off.
                return Refusal{413, "body_too_large",
                               "body: " + std::to_string(length) + " bytes exceed the limit of " +
                                   std::to_string(limits_.maxBodyBytes),
                               std::min<std::int64_t>(length, 2 * limits_.maxBodyBytes) - bodyBytesBuffered};
            sawLength = true;
            bodyRemaining_ = length;
        }
    }
    return bodyMayFollow(authorization, bodyBytesBuffered);
}

// A body is read only from a site whose token is valid, or, small, into a bounded budget
// shared by every unauthenticated request (enrollment needs a few hundred bytes).
std::optional<RequestGuard::Refusal> RequestGuard::bodyMayFollow(const QByteArray& authorization,
                                                                 std::int64_t bodyBytesBuffered) {
    if (bodyRemaining_ == 0) return std::nullopt;
    largestBody_ = std::max(largestBody_, bodyRemaining_);
    if (!authorization.isEmpty() && budget_->acceptsToken && budget_->acceptsToken(authorization)) return std::nullopt;
    const auto linger =
        std::min<std::int64_t>(bodyRemaining_, 2 * limits_.maxUnauthenticatedBodyBytes) - bodyBytesBuffered;
    if (bodyRemaining_ > limits_.maxUnauthenticatedBodyBytes)
        return Refusal{401, "authentication_required",
                       "a body of " + std::to_string(bodyRemaining_) +
                           " bytes needs a valid site token (Authorization: Bearer <site token>); without one a "
                           "body may hold at most " +
                           std::to_string(limits_.maxUnauthenticatedBodyBytes) + " bytes",
                       linger};
    if (budget_->unauthenticatedBytes + bodyRemaining_ > limits_.maxUnauthenticatedBufferedBytes)
        return Refusal{503, "busy", "too many unauthenticated requests are being received; retry later", linger};
    reserved_ = bodyRemaining_;
    budget_->unauthenticatedBytes += reserved_;
    return std::nullopt;
}

}  // namespace fmc::federation
