// The site protocol's JSON: an upload body (what the coordinator parses from any site) and a
// task (what a site parses from the coordinator). Each parses or throws fmc::Error.
#include "protocol/protocol.h"
#include "fuzz_support.h"

#include <QJsonDocument>
#include <QJsonObject>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    try {
        fmc::federation::uploadFromJson(body);
    } catch (const fmc::Error&) {
    }
    try {
        const auto task = fmc::federation::taskFromJson(QJsonDocument::fromJson(body).object(), "fuzz");
        // What parses is valid and survives a round trip.
        fmc::federation::validateSettings(task.settings);
        const auto again = fmc::federation::taskFromJson(fmc::federation::taskToJson(task), "fuzz round trip");
        if (fmc::federation::taskToJson(again) != fmc::federation::taskToJson(task)) __builtin_trap();
    } catch (const fmc::Error&) {
    }
    return 0;
}
