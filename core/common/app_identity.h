#pragma once
// One identity for every FedMedCLIP executable that keeps user data (the desktop app and
// fedmedclip-cli), so both find the same data, cache and settings folders, e.g.
// ~/.local/share/FedMedCLIP/fedmedclip/demo: the demo is prepared once for both.

namespace fmc {

inline constexpr const char* kOrganizationName = "FedMedCLIP";
inline constexpr const char* kApplicationName = "fedmedclip";

// The demo's folders under the shared data folder (AppLocalDataLocation): the desktop app's
// demo workspace, and inside it the federation that fedmedclip-cli demo runs and whose
// bundle and images the desktop demo reuses.
inline constexpr const char* kDemoFolder = "demo";
inline constexpr const char* kDemoFederationFolder = "federation";

}  // namespace fmc
