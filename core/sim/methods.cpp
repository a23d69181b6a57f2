#include "sim/federated_method.h"

namespace fmc {

std::vector<std::string> methodNames() {
    return {"fedmedclip", "local", "zeroshot", "fedclip", "fedavg", "fedprox", "moon"};
}

std::unique_ptr<FederatedMethod> makeMethod(const std::string& name, const MethodContext& context) {
    if (name == "fedmedclip") return makeFedMedClipMethod(context, true);
    if (name == "local") return makeFedMedClipMethod(context, false);
    if (name == "zeroshot") return makeZeroShotMethod(context);
    if (name == "fedclip") return makeFedClipMethod(context);
    if (name == "fedavg" || name == "fedprox" || name == "moon") return makeClipFinetuneMethod(context, name);
    std::string known;
    for (const auto& method : methodNames()) known += (known.empty() ? "" : ", ") + method;
    throw Error("method: unknown method '" + name + "' (known: " + known + ")");
}

}  // namespace fmc
