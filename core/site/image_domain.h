#pragma once
// The kind of image a site's model is for, and what one image file is, for the
// out-of-distribution check before classification (common/calibration.h):
//  * declared: the store setting settings::kImageDomain, JSON
//    {"modalities": ["photo"] | ["CT", ...], "body_parts": ["HEAD", ...], "photometric": ["colour"|"grey"]}
//    (an empty or absent list accepts anything), written from the federation's task or by
//    `fedmedclip-cli task-domain`;
//  * otherwise seen in the training images: the modalities, body parts and photometric kinds
//    of up to kDomainSampleImages of them, evenly spaced.
#include "common/calibration.h"
#include "site/image_samples.h"
#include "site/site_store.h"

#include <optional>
#include <string>
#include <vector>

namespace fmc {

namespace settings {
constexpr const char* kImageDomain = "task.image_domain";
}

constexpr int kDomainSampleImages = 64;

// Modality "photo" for a photo, the DICOM Modality otherwise; body part from
// BodyPartExamined; photometric from the DICOM PhotometricInterpretation or the photo's pixels.
ImageAttributes imageAttributesOf(const DecodedFile& file, const RgbImage& sample);

// Throws fmc::Error naming the setting and the field when the JSON is not a domain.
ImageDomain imageDomainFromJson(const std::string& text, const std::string& origin);
std::string imageDomainToJson(const ImageDomain& domain);

// The declared domain when the store has one, else the one seen in `trainImages` (files that
// cannot be read are left out of the sample).
ImageDomain siteImageDomain(SiteStore& store, const std::vector<StoredImage>& trainImages, const ImageLimits& limits);

}  // namespace fmc
