#pragma once
// ModelCalibration (common/model_calibration.h) as the JSON the site store keeps. The novelty
// reference is not in it (the store keeps it as a BLOB); everything else round-trips exactly.
#include "common/model_calibration.h"

#include <string>

namespace fmc {

std::string modelCalibrationToJson(const ModelCalibration& calibration);
// Throws fmc::Error naming `origin` and the field when the text is not a calibration.
ModelCalibration modelCalibrationFromJson(const std::string& text, const std::string& origin);

}  // namespace fmc
