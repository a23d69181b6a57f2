#include "shell/runtime_setup.h"

#include "shell/app_settings.h"
#include "engine/runtime.h"
#include "shell/logging.h"

#include <QCoreApplication>

namespace fmc::ui {
namespace {

// The translation context of this file's messages.
class RuntimeSetup {
    Q_DECLARE_TR_FUNCTIONS(RuntimeSetup)
};

RuntimeStatus& status() {
    static RuntimeStatus current;
    return current;
}

}  // namespace

RuntimeStatus applyRuntimeSettings() {
    RuntimeStatus result;
    const auto threads = AppSettings::cpuThreads();
    reserveCoresForInteractiveUse(1);  // the GUI thread keeps a core while the encoders run
    RuntimeInfo info;
    try {
        info = configureRuntime(AppSettings::device().toStdString(), threads);
    } catch (const std::exception& error) {
        qCWarning(lcApp) << "device setting not usable:" << error.what();
        result.warning = RuntimeSetup::tr("CUDA was chosen in Settings, but no GPU is available; the CPU is used instead.");
        info = configureRuntime("cpu", threads);
    }
    result.device = QString::fromStdString(info.device);
    result.cudaAvailable = info.cudaAvailable;
    result.threads = info.threads;
    result.referenceBlas = info.referenceBlas;
    if (info.referenceBlas && result.warning.isEmpty())
        result.warning = RuntimeSetup::tr("The model runs on a slow maths library; ask your IT department to install OpenBLAS.");
    status() = result;
    return result;
}

const RuntimeStatus& currentRuntime() { return status(); }

}  // namespace fmc::ui
