#pragma once
// The file side of an import, shared by every workspace: which files a set of dropped
// files and folders stands for, what label their folders give them, and whether each one
// really is an image this app can read (decoded once, under the configured limits).
#include "imaging/image_loader.h"
#include "workspace/workspace_types.h"

#include <QString>
#include <QStringList>

namespace fmc::ui {

struct ImportCandidate {
    QString path;
    QString folderLabel;  // the sub-folder holding it, below an imported folder; "" otherwise
};

struct ImportScan {
    QList<ImportCandidate> files;
    QList<ImportFailure> failures;  // paths that do not exist or cannot be listed
};

// Folders are searched recursively in name order; hidden files and folders are skipped.
ImportScan scanImportPaths(const QStringList& paths);

struct InspectedImage {
    QString contentHash;  // SHA-256 hex of the file's bytes
    QString modality;
    int width = 0;
    int height = 0;
};

// Reads and decodes the file. Throws fmc::Error with a plain reason naming the file (not an
// image, too large, truncated, ...).
InspectedImage inspectImageFile(const QString& path, const ImageLimits& limits);

// Loads a file for display or classification: photos through fmc_imaging, DICOM through the
// DICOM component where this build has it. Throws fmc::Error naming the file.
RgbImage loadAnyImage(const QString& path, const ImageLimits& limits);

// True for DICOM files (the "DICM" preamble marker), whatever their name.
bool isDicomFile(const QString& path);

}  // namespace fmc::ui
