#pragma once
// One identity for every FedMedCLIP executable that keeps user data (the desktop app and
// fedmedclip-cli), so both find the same data, cache and settings folders, e.g.
// ~/.local/share/FedMedCLIP/fedmedclip/demo: the demo is prepared once for both.

namespace fmc {

inline constexpr const char* kOrganizationName = "FedMedCLIP";
inline constexpr const char* kApplicationName = "fedmedclip";

}  // namespace fmc
