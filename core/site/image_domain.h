#pragma once
// The kind of image a site's model is for, and what one image file is, for the
// out-of-distribution check before classification (common/calibration.h):
//  * declared: the store setting settings::kImageDomain, JSON
//    {"modalities": ["photo"] | ["CT", ...], "body_parts": ["HEAD", ...], "photometric": ["colour"|"grey"]}
//    (an empty or absent list accepts anything), set by `fedmedclip-cli calibration`; a
//    federation's final model uses the kind its task declares (task field image_domain)
//    instead, when the task declares one;
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
// The modalities, body parts (only when every sampled image states one) and photometric
// kinds of up to kDomainSampleImages of `images`, evenly spaced.
ImageDomain imageDomainSeenIn(const std::vector<StoredImage>& images, const ImageLimits& limits);

// A site's images against the kind of image a federation declares (`federation` names it,
// e.g. "'Dermoscopy' (fed-1a2b)"). Throws fmc::Error naming the federation and the kinds when,
// for some attribute, none of the site's images is of the declared kind; returns warnings
// (English) when only some are not. Nothing when the federation declares no kind.
std::vector<std::string> checkFederationImageDomain(const std::string& federation, const ImageDomain& declared,
                                                    const ImageDomain& seen);

}  // namespace fmc
