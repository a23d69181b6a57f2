// The site protocol's JSON: an upload body (what the coordinator parses from any site) and a
// task (what a site parses from the coordinator). Each parses or throws fmc::Error.
#include "protocol/protocol.h"
#include "fuzz_support.h"

#include <QJsonDocument>
#include <QJsonObject>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    try {
        // Accepted: the payload it read is the one Qt's parser and base64 decoder read (the
        // parser cuts the payload string out of the body and decodes it on its own).
        const auto upload = fmc::federation::uploadFromJson(body);
        const auto text = QJsonDocument::fromJson(body).object().value("payload").toString().toLatin1();
        const auto qt = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
        if (!qt || qt.decoded != QByteArray(reinterpret_cast<const char*>(upload.payload.data()),
                                            static_cast<qsizetype>(upload.payload.size())))
            __builtin_trap();
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
