#include "site/image_domain.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace fmc {
namespace {

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

ImageAttributes imageAttributesOf(const DecodedFile& file, const RgbImage& sample) {
    ImageAttributes attributes;
    if (file.kind == ImageFileKind::Photo || !file.dicom) {
        attributes.modality = kPhotoModality;
        attributes.photometric = photometricKindOfPixels(sample.pixels.data(),
                                                         static_cast<std::int64_t>(sample.width) * sample.height);
        return attributes;
    }
    attributes.modality = file.dicom->modality;
    attributes.bodyPart = upper(file.dicom->tagValue("BodyPartExamined"));
    attributes.photometric = photometricKindOfDicom(file.dicom->photometricInterpretation);
    return attributes;
}

ImageDomain imageDomainFromJson(const std::string& text, const std::string& origin) {
    ImageDomain domain;
    domain.declared = true;
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object()) throw Error(origin + ": expected a JSON object with modalities, body_parts, photometric");
        auto read = [&](const char* key, std::vector<std::string>& field) {
            if (j.contains(key)) j.at(key).get_to(field);
        };
        read("modalities", domain.modalities);
        read("body_parts", domain.bodyParts);
        read("photometric", domain.photometric);
    } catch (const nlohmann::json::exception& error) {
        throw Error(origin + ": not a valid image domain: " + error.what());
    }
    for (const auto& kind : domain.photometric)
        if (kind != kColourPhotometric && kind != kGreyPhotometric)
            throw Error(origin + ": photometric '" + kind + "' is neither 'colour' nor 'grey'");
    return domain;
}

std::string imageDomainToJson(const ImageDomain& domain) {
    return nlohmann::json{{"modalities", domain.modalities},
                          {"body_parts", domain.bodyParts},
                          {"photometric", domain.photometric}}
        .dump();
}

ImageDomain siteImageDomain(SiteStore& store, const std::vector<StoredImage>& trainImages, const ImageLimits& limits) {
    if (const auto declared = store.setting(settings::kImageDomain))
        return imageDomainFromJson(*declared, store.path() + ": setting " + settings::kImageDomain);
    return imageDomainSeenIn(trainImages, limits);
}

ImageDomain imageDomainSeenIn(const std::vector<StoredImage>& images, const ImageLimits& limits) {
    std::set<std::string> modalities, bodyParts, photometric;
    bool everyBodyPartKnown = true;
    const auto total = images.size();
    const auto count = std::min<size_t>(total, kDomainSampleImages);
    for (size_t i = 0; i < count; ++i) {
        const auto& image = images[i * total / count];
        try {
            const auto file = decodeImageFile(image.sourcePath, image.kind, limits);
            const auto attributes = imageAttributesOf(file, file.samples.front().image);
            modalities.insert(attributes.modality);
            photometric.insert(attributes.photometric);
            if (attributes.bodyPart.empty()) everyBodyPartKnown = false;
            else bodyParts.insert(attributes.bodyPart);
        } catch (const std::exception&) {
            // An unreadable file says nothing about the domain; training reports it already.
        }
    }
    ImageDomain domain;
    domain.modalities.assign(modalities.begin(), modalities.end());
    domain.photometric.assign(photometric.begin(), photometric.end());
    // Body parts only when every sampled image states one: photos and many DICOM files do not.
    if (everyBodyPartKnown) domain.bodyParts.assign(bodyParts.begin(), bodyParts.end());
    return domain;
}

std::vector<std::string> checkFederationImageDomain(const std::string& federation, const ImageDomain& declared,
                                                    const ImageDomain& seen) {
    std::string refused;
    std::vector<std::string> warnings;
    for (const auto& conflict : domainConflicts(declared, seen)) {
        if (conflict.noneFit) refused += (refused.empty() ? "" : "; ") + describeConflict(conflict);
        else
            warnings.push_back("federation " + federation + ": some of this site's training images are of " +
                               describeConflict(conflict) +
                               "; they are trained on as the federation's classes: remove them or check their labels");
    }
    if (!refused.empty())
        throw Error("federation " + federation + " is for another kind of image than this site's training images: " +
                    refused + ". Join a federation for these images, or import images of the kind it is for.");
    return warnings;
}

}  // namespace fmc
