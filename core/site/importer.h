#pragma once
// Imports files and folders of a site's images into its SiteStore.
//
//  * Folders are walked recursively (sorted, so reports are stable). Photos (JPEG, PNG,
//    BMP, TIFF; recognised by extension, decoded by fmc::loadImageFile) give one sample;
//    DICOM files (fmc::looksLikeDicomFile) give one sample per frame the MultiFramePolicy
//    keeps. Any other file is reported as skipped.
//  * Every file ends in exactly one outcome in the report: imported, already imported (the
//    same path with the same content is in the store), duplicate (its pixels are already in
//    the store under another path), skipped (not an image, or a DICOM object without
//    pixels) or error (with the reason). One bad file never stops the import.
//  * Duplicates are found by pixel hash: photos hash their decoded 8-bit RGB pixels
//    (width, height and pixels); a single-frame DICOM file uses the reader's hash of its
//    native pixel data, a frame of a multi-frame file SHA-256("<that hash>:frame:<n>"). So
//    a lossless re-encoding of a DICOM image, or a re-saved copy of a photo, is a duplicate.
//  * Crash safety: each file's rows are committed in their own transaction, so a process
//    killed mid-import leaves whole files only, and importing the same paths again picks up
//    where it stopped ("already imported" for the files done before).
//  * Folders: symbolic links to folders are followed once (a link back into the walk is
//    reported, not followed again); dangling links, link loops, unreadable folders (also one
//    given directly), FIFOs, sockets and devices are reported with their reason, never
//    dropped. A file that cannot be opened says why (e.g. permission denied).
//  * Labels: none; the name of the nearest sub-folder that is not a split name, from the
//    file's own folder up to (not including) the imported folder, so files directly in the
//    imported folder stay unlabelled (a file given directly takes its own folder's name); a
//    CSV; or a DICOM attribute.
//    A sub-folder named like a split (train / training, val / valid / validation, test /
//    testing, any case, alone or as a word of the name: "AugTraining", "brain_test") sets
//    the split (the nearest one wins). Images without a split from their folder or CSV get one from a hash: of the
//    DICOM PatientID when the file names a patient (all of a patient's images land in one
//    split, so no patient is on both sides of train and test), else of the file's first
//    frame (a file's frames stay together). testShare of them go to "test",
//    validationShare to "validation" (where training picks its best round, so the test
//    split stays unseen), the rest to "train", the same way on every machine and re-run.
//  * Re-importing never moves an image between splits unless its folder or CSV row now names
//    one: a file already imported keeps its rows' splits, a changed file its old frames'.
//  * Labels CSV: a header row naming the columns; the file column ("path", or
//    ImportOptions::csvPathColumn, its values turned into paths by csvPathFormat) and the
//    label column ("label", or csvLabelColumn) are required, "site" (or "center") and
//    "split" optional, other columns ignored. RFC 4180 quoting. Relative paths are relative
//    to the CSV's folder. Files not in the CSV are imported unlabelled.
#include "dicom/dicom_reader.h"
#include "imaging/image_loader.h"
#include "site/site_store.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fmc {

enum class LabelSource { None, FolderNames, Csv, DicomTag };

struct ImportOptions {
    LabelSource labelSource = LabelSource::None;
    std::string csvPath;          // LabelSource::Csv
    // The CSV's columns holding the file and its label (matched case-insensitively), and how
    // a value of the file column becomes a path: "{}" stands for the value, e.g. "{}.png" or
    // "images/{}.dcm" for a column of image ids. Relative results are relative to the CSV's folder.
    std::string csvPathColumn = "path";
    std::string csvLabelColumn = "label";
    std::string csvPathFormat = "{}";
    std::string dicomTagKeyword;  // LabelSource::DicomTag, e.g. "BodyPartExamined"
    MultiFramePolicy frames = MultiFramePolicy::MiddleFrame;
    ImageLimits limits;
    // For images whose split is not given; each in [0, 1], together at most 1.
    double testShare = 0.2;
    double validationShare = 0.15;
};

// "none", "folder", "csv:<file>", "tag:<keyword>": what the import run records.
std::string describeLabelSource(const ImportOptions& options);

enum class ImportOutcome { Imported, AlreadyImported, Duplicate, Skipped, Error };
const char* importOutcomeName(ImportOutcome outcome);  // "imported", "already-imported", ...

struct ImportFileResult {
    std::string path;
    ImportOutcome outcome = ImportOutcome::Error;
    int samples = 0;            // image rows added
    std::string errorClass;     // for duplicate / skipped / error, e.g. "truncated"
    std::string detail;         // the reason, or a note (e.g. "2 of 10 frames were duplicates")
    std::optional<std::string> label;
};

struct ImportReport {
    std::int64_t importRunId = 0;
    std::vector<ImportFileResult> files;  // in processing order
    std::vector<std::string> notes;       // e.g. CSV rows naming files that were not found
    bool cancelled = false;
    int notProcessed = 0;                 // files left when cancelled
    double seconds = 0;

    int count(ImportOutcome outcome) const;
    ImportRunCounts counts() const;
};

struct ImportProgress {
    int done = 0;
    int total = 0;
    const std::string* currentPath = nullptr;
};
using ImportProgressCallback = std::function<void(const ImportProgress&)>;

// Throws fmc::Error (naming the file or option) only for a problem with the request itself:
// an unreadable or malformed labels CSV, an unknown or patient-identifying DICOM keyword,
// split shares out of range.
// A path that does not exist is reported as an error entry like any other bad file.
ImportReport importPaths(SiteStore& store, const std::vector<std::string>& paths, const ImportOptions& options,
                         const ImportProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr);

// A summary (counts, labels) followed by one line per file; with problemsOnly, imported
// and already-imported files are counted but not listed.
std::string formatImportReport(const ImportReport& report, bool problemsOnly = false);

}  // namespace fmc
