#pragma once
// The kind of image a federation declares (its task's image_domain) against the modalities
// of the workspace's images, in the user's words: for the wizard before the site joins, and
// for the desktop's rounds before anything is trained.
#include "common/calibration.h"

#include <QCoreApplication>
#include <QStringList>

namespace fmc::ui {

struct ImageKindCheck {
    QString refusal;  // none of the images is of the federation's kind ("" otherwise)
    QString warning;  // some of them are not ("" otherwise)
};

class ImageKindChecker {
    Q_DECLARE_TR_FUNCTIONS(ImageKindChecker)
public:
    // `modalities`: one per image (ImageEntry::modality: "photo", or the DICOM Modality code;
    // "DICOM" where the file does not state one, which says nothing). Only the modality is
    // compared: the wizard does not decode images (the rounds check body parts and colour).
    static ImageKindCheck check(const QString& federationName, const ImageDomain& declared,
                                const QStringList& modalities);
    static QString modalityName(const QString& modality);
};

}  // namespace fmc::ui
