#include "site/importer.h"

#include "common/csv.h"
#include "common/sha256.h"
#include "site/image_samples.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <sys/stat.h>

namespace fs = std::filesystem;

namespace fmc {
namespace {

// Identifying attributes must never become labels, which leave the site with the model.
bool isIdentifyingKeyword(const std::string& keyword) {
    static const std::set<std::string> identifying{
        "PatientName",       "PatientID",          "PatientBirthDate",  "PatientSex",
        "OtherPatientIDs",   "AccessionNumber",    "InstitutionName",   "InstitutionAddress",
        "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "StationName",
        "StudyDate",         "StudyTime",          "StudyID",           "SOPInstanceUID",
        "StudyInstanceUID",  "SeriesInstanceUID",  "PatientAddress",    "PatientTelephoneNumbers",
        "IssuerOfPatientID", "PatientBirthName",   "PatientMotherBirthName", "MedicalRecordLocator"};
    return identifying.count(keyword) > 0 || keyword.rfind("Patient", 0) == 0;
}

std::string normalPath(const fs::path& path) { return fs::absolute(path).lexically_normal().string(); }

struct GivenLabel {
    std::optional<std::string> label;
    std::optional<Split> split;
    std::string site;
};

// --- labels CSV ------------------------------------------------------------------------

std::string lowerAscii(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

struct LabelsCsv {
    std::unordered_map<std::string, GivenLabel> byPath;
    std::string path;
};

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The placeholder of a CSV path format: "{}", or "{:0N}" for the value left-padded with
// zeros to N characters (ids 7 -> "007" for files named 007.png). {position, length, width}.
std::optional<std::tuple<size_t, size_t, size_t>> csvPathPlaceholder(const std::string& format) {
    const auto open = format.find('{');
    if (open == std::string::npos) return std::nullopt;
    const auto close = format.find('}', open);
    if (close == std::string::npos) return std::nullopt;
    const auto inside = format.substr(open + 1, close - open - 1);
    if (inside.empty()) return std::make_tuple(open, close - open + 1, size_t(0));
    if (inside.size() >= 3 && inside.compare(0, 2, ":0") == 0 &&
        std::all_of(inside.begin() + 2, inside.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
        return std::make_tuple(open, close - open + 1, size_t(std::stoul(inside.substr(2))));
    return std::nullopt;
}

// "{}.png" with "049" -> "049.png"; "{:03}.png" with "7" -> "007.png".
std::string formatCsvPath(const std::string& format, const std::string& value) {
    const auto [at, length, width] = *csvPathPlaceholder(format);
    const std::string padded = value.size() < width ? std::string(width - value.size(), '0') + value : value;
    return format.substr(0, at) + padded + format.substr(at + length);
}

LabelsCsv readLabelsCsv(const ImportOptions& options) {
    const std::string& csvPath = options.csvPath;
    if (!csvPathPlaceholder(options.csvPathFormat))
        throw Error("import: the CSV path format '" + options.csvPathFormat +
                    "' has no {} (or {:03}) for the value of the file column, e.g. {}.png");
    const auto pathName = lowerAscii(options.csvPathColumn), labelName = lowerAscii(options.csvLabelColumn);
    if (pathName.empty() || labelName.empty()) throw Error("import: the CSV file and label column names must not be empty");
    if (pathName == labelName)
        throw Error("import: the CSV file column and label column are both '" + options.csvPathColumn + "'");
    std::ifstream in(csvPath, std::ios::binary);
    if (!in) throw Error(csvPath + ": cannot open labels CSV");
    LabelsCsv csv;
    csv.path = csvPath;
    const auto base = fs::absolute(fs::path(csvPath)).parent_path();
    CsvReader reader(in);
    std::vector<std::string> fields;
    auto where = [&](int at) { return csvPath + " line " + std::to_string(at); };
    auto read = [&] {
        try {
            return reader.next(fields);
        } catch (const Error& error) {
            throw Error(where(reader.recordLine()) + ": " + error.what());
        }
    };
    if (!read()) throw Error(where(1) + ": " + csvPath + ": empty labels CSV, expected a header row");
    int pathColumn = -1, labelColumn = -1, siteColumn = -1, splitColumn = -1;
    for (size_t i = 0; i < fields.size(); ++i) {
        const auto name = lowerAscii(trimmed(fields[i]));
        const int column = static_cast<int>(i);
        if (name == pathName) pathColumn = column;
        else if (name == labelName) labelColumn = column;
        else if (name == "site" || (name == "center" && siteColumn < 0)) siteColumn = column;
        else if (name == "split") splitColumn = column;
    }
    std::string columns;
    for (const auto& field : fields) columns += (columns.empty() ? "" : ", ") + trimmed(field);
    if (pathColumn < 0)
        throw Error(where(1) + ": the header has no '" + options.csvPathColumn + "' column (it has: " + columns +
                    "); name the file column (--csv-path-column)");
    if (labelColumn < 0)
        throw Error(where(1) + ": the header has no '" + options.csvLabelColumn + "' column (it has: " + columns +
                    "); name the label column (--csv-label-column)");
    while (read()) {
        const int recordLine = reader.recordLine();
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        const auto needed = static_cast<size_t>(std::max({pathColumn, labelColumn, siteColumn, splitColumn}) + 1);
        if (fields.size() < needed)
            throw Error(where(recordLine) + ": " + std::to_string(fields.size()) + " fields, the header needs " +
                        std::to_string(needed));
        const auto value = trimmed(fields[static_cast<size_t>(pathColumn)]);
        if (value.empty()) throw Error(where(recordLine) + ": empty '" + options.csvPathColumn + "'");
        const auto relative = formatCsvPath(options.csvPathFormat, value);
        GivenLabel given;
        if (const auto label = trimmed(fields[static_cast<size_t>(labelColumn)]); !label.empty()) given.label = label;
        if (siteColumn >= 0) given.site = fields[static_cast<size_t>(siteColumn)];
        if (splitColumn >= 0 && !fields[static_cast<size_t>(splitColumn)].empty()) {
            given.split = parseSplit(fields[static_cast<size_t>(splitColumn)]);
            if (!given.split)
                throw Error(where(recordLine) + ": 'split' is '" + fields[static_cast<size_t>(splitColumn)] +
                            "'; expected train, validation or test");
        }
        fs::path file(relative);
        if (file.is_relative()) file = base / file;
        if (!csv.byPath.emplace(normalPath(file), given).second)
            throw Error(where(recordLine) + ": '" + options.csvPathColumn + "' " + relative + " is listed twice");
    }
    return csv;
}

// --- folders ---------------------------------------------------------------------------

struct Candidate {
    std::string path;
    fs::path root;  // the folder it was found under; empty for a path given directly
    // Set for a path that is reported without being read: a missing path, an unreadable
    // folder, a dangling or looping symbolic link, a FIFO, socket or device.
    ImportOutcome problemOutcome = ImportOutcome::Error;
    std::string problemClass;
    std::string problemReason;
};

Candidate problemCandidate(const fs::path& path, const fs::path& root, ImportOutcome outcome, std::string errorClass,
                           std::string reason) {
    Candidate candidate;
    candidate.path = path.string();
    candidate.root = root;
    candidate.problemOutcome = outcome;
    candidate.problemClass = std::move(errorClass);
    candidate.problemReason = std::move(reason);
    return candidate;
}

// Walks the given paths. Symbolic links to folders are followed, each folder at most once
// (by device and inode), so a link back up the tree is reported instead of looping; links to
// files are imported under the link's path. Nothing is dropped silently: every path that
// is not imported comes back with its reason.
class PathWalker {
public:
    std::vector<Candidate> walk(const std::vector<std::string>& paths) {
        for (const auto& given : paths) {
            fs::path path = normalPath(given);
            if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();  // "dir/" -> "dir"
            std::vector<Candidate> found;
            visit(path, {}, found);
            std::sort(found.begin(), found.end(),
                      [](const Candidate& a, const Candidate& b) { return a.path < b.path; });
            for (auto& candidate : found) candidates_.push_back(std::move(candidate));
        }
        return std::move(candidates_);
    }

private:
    // `root` is the folder given for import; empty while visiting a path given directly.
    void visit(const fs::path& path, const fs::path& root, std::vector<Candidate>& found) {
        std::error_code error;
        const auto linkStatus = fs::symlink_status(path, error);
        if (error || linkStatus.type() == fs::file_type::not_found) {
            found.push_back(problemCandidate(path, root, ImportOutcome::Error, "not-found",
                                             path.string() + ": no such file or folder" +
                                                 (error && error != std::errc::no_such_file_or_directory
                                                      ? " (" + describeFileError(error.value()) + ")"
                                                      : "")));
            return;
        }
        fs::file_status status = linkStatus;
        if (fs::is_symlink(linkStatus)) {
            status = fs::status(path, error);
            if (error || status.type() == fs::file_type::not_found) {
                std::error_code ignored;
                const auto target = fs::read_symlink(path, ignored).string();
                const bool loop = error == std::errc::too_many_symbolic_link_levels;
                found.push_back(problemCandidate(
                    path, root, ImportOutcome::Error, loop ? "symlink-loop" : "dangling-symlink",
                    path.string() + (loop ? ": symbolic link loop (" + target + " leads back to itself)"
                                          : ": dangling symbolic link: its target " + target + " does not exist")));
                return;
            }
        }
        switch (status.type()) {
        case fs::file_type::regular: {
            Candidate candidate;
            candidate.path = path.lexically_normal().string();
            candidate.root = root;
            found.push_back(std::move(candidate));
            return;
        }
        case fs::file_type::directory: visitFolder(path, root.empty() ? path : root, found); return;
        case fs::file_type::fifo:
            found.push_back(problemCandidate(path, root, ImportOutcome::Skipped, "special-file",
                                             path.string() + ": is a FIFO (named pipe), not a file"));
            return;
        case fs::file_type::socket:
            found.push_back(problemCandidate(path, root, ImportOutcome::Skipped, "special-file",
                                             path.string() + ": is a socket, not a file"));
            return;
        case fs::file_type::block:
        case fs::file_type::character:
            found.push_back(problemCandidate(path, root, ImportOutcome::Skipped, "special-file",
                                             path.string() + ": is a device, not a file"));
            return;
        default:
            found.push_back(problemCandidate(path, root, ImportOutcome::Skipped, "special-file",
                                             path.string() + ": not a regular file or folder"));
            return;
        }
    }

    void visitFolder(const fs::path& folder, const fs::path& root, std::vector<Candidate>& found) {
        struct stat info {};
        if (::stat(folder.c_str(), &info) == 0) {
            const auto [it, inserted] = folders_.emplace(std::make_pair(info.st_dev, info.st_ino), folder.string());
            if (!inserted) {
                found.push_back(problemCandidate(folder, root, ImportOutcome::Skipped, "folder-visited",
                                                 folder.string() + ": the same folder as " + it->second +
                                                     ", which this import already walks (symbolic link); not walked "
                                                     "twice"));
                return;
            }
        }
        std::error_code error;
        fs::directory_iterator it(folder, error), end;
        if (error) {
            found.push_back(problemCandidate(folder, root, ImportOutcome::Error, "unreadable-folder",
                                             folder.string() + ": cannot list the folder: " +
                                                 describeFileError(error.value())));
            return;
        }
        std::vector<fs::path> entries;
        for (; !error && it != end; it.increment(error)) entries.push_back(it->path());
        if (error)
            found.push_back(problemCandidate(folder, root, ImportOutcome::Error, "unreadable-folder",
                                             folder.string() + ": listing the folder stopped: " +
                                                 describeFileError(error.value())));
        for (const auto& entry : entries) visit(entry, root, found);
    }

    std::vector<Candidate> candidates_;
    std::map<std::pair<dev_t, ino_t>, std::string> folders_;  // folders walked -> their first path
};

// A folder name that names a split: train / training, val / valid / validation, test /
// testing, alone or as one word of a name made of words (split at '_', '-', '.', spaces,
// digits and lower-to-upper case changes), e.g. "AugTraining", "brain_test", "Val 2".
// A name with words of two different splits names none.
std::optional<Split> splitOfFolderName(const std::string& name) {
    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) words.push_back(lowerAscii(word));
        word.clear();
    };
    for (size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (!std::isalpha(c)) {
            flush();
            continue;
        }
        if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1]))) flush();
        word += static_cast<char>(c);
    }
    flush();
    std::optional<Split> split;
    for (const auto& w : words) {
        const auto named = parseSplit(w);
        if (!named) continue;
        if (split && *split != *named) return std::nullopt;
        split = named;
    }
    return split;
}

// The sub-folders between the imported folder and the file, nearest first. The imported
// folder's own name is not among them: a file directly in it stays unlabelled, so a set's
// root folder never becomes a one-folder class. A file given directly (no imported folder)
// is labelled by the folder it is in.
std::vector<std::string> labelFolders(const Candidate& candidate) {
    std::vector<std::string> names;
    if (candidate.root.empty()) {
        const fs::path file(candidate.path);
        if (file.has_parent_path() && file.parent_path().has_filename())
            names.push_back(file.parent_path().filename().string());
        return names;
    }
    const auto relative = fs::path(candidate.path).parent_path().lexically_relative(candidate.root);
    for (const auto& part : relative)
        if (!part.empty() && part != ".") names.insert(names.begin(), part.string());
    return names;
}

GivenLabel labelFromFolders(const Candidate& candidate) {
    GivenLabel given;
    for (const auto& name : labelFolders(candidate)) {
        if (const auto split = splitOfFolderName(name)) {
            if (!given.split) given.split = split;
        } else if (!given.label) {
            given.label = name;
        }
    }
    // An imported folder named like a split ("Test") still gives its files that split.
    if (!given.split && candidate.root.has_filename()) given.split = splitOfFolderName(candidate.root.filename().string());
    return given;
}

// The first 32 bits of a SHA-256 (hex) as a fraction in [0, 1): uniform, and the same on
// every machine.
Split splitFromHash(const std::string& hash, double testShare, double validationShare) {
    const auto u = static_cast<double>(std::stoull(hash.substr(0, 8), nullptr, 16)) / 4294967296.0;
    if (u < testShare) return Split::Test;
    if (u < testShare + validationShare) return Split::Validation;
    return Split::Train;
}

void checkShare(const char* name, double share) {
    if (!(share >= 0 && share <= 1))  // also refuses NaN
        throw Error(std::string("import: ") + name + " must lie in [0, 1], not " + std::to_string(share));
}

std::string errorClassOf(const std::exception& error, ImageFileKind kind) {
    if (const auto* dicom = dynamic_cast<const DicomError*>(&error)) return dicomErrorKindName(dicom->kind());
    return kind == ImageFileKind::Photo ? "unreadable-image" : "unreadable";
}

class Importer {
public:
    Importer(SiteStore& store, const ImportOptions& options) : store_(store), options_(options) {
        checkShare("testShare", options_.testShare);
        checkShare("validationShare", options_.validationShare);
        if (options_.testShare + options_.validationShare > 1 + 1e-9)
            throw Error("import: testShare " + std::to_string(options_.testShare) + " and validationShare " +
                        std::to_string(options_.validationShare) + " add up to more than 1");
        if (options_.labelSource == LabelSource::Csv) csv_ = readLabelsCsv(options_);
        if (options_.labelSource == LabelSource::DicomTag) {
            const auto& keyword = options_.dicomTagKeyword;
            if (keyword.empty() || !isKnownDicomKeyword(keyword))
                throw Error("import: '" + keyword + "' is not a DICOM attribute keyword (e.g. BodyPartExamined)");
            if (isIdentifyingKeyword(keyword))
                throw Error("import: DICOM attribute '" + keyword +
                            "' identifies patients or staff and cannot be used as a label");
            extraAttributes_ = {keyword};
        }
    }

    ImportFileResult importFile(const Candidate& candidate, std::int64_t runId) {
        ImportFileResult result;
        result.path = candidate.path;
        if (!candidate.problemClass.empty())
            return problem(result, runId, candidate.problemOutcome, candidate.problemClass, candidate.problemReason);
        // Before classifying: a file that cannot be opened would otherwise look like "not an image".
        if (const auto cause = fileAccessProblem(candidate.path))
            return problem(result, runId, ImportOutcome::Error, cause->first, candidate.path + ": " + cause->second);
        const auto kind = classifyImageFile(candidate.path);
        if (!kind)
            return problem(result, runId, ImportOutcome::Skipped, "not-an-image",
                           candidate.path + ": not an image or DICOM file");
        try {
            return importImage(candidate, *kind, runId, result);
        } catch (const DicomError& error) {
            if (error.kind() == DicomErrorKind::NoPixelData)
                return problem(result, runId, ImportOutcome::Skipped, dicomErrorKindName(error.kind()), error.what());
            return problem(result, runId, ImportOutcome::Error, dicomErrorKindName(error.kind()), error.what());
        } catch (const std::exception& error) {
            const std::string message = error.what();
            const bool named = message.find(candidate.path) != std::string::npos;
            return problem(result, runId, ImportOutcome::Error, errorClassOf(error, *kind),
                           named ? message : candidate.path + ": " + message);
        }
    }

    std::vector<std::string> unusedCsvRows() const {
        std::vector<std::string> unused;
        if (!csv_) return unused;
        for (const auto& [path, given] : csv_->byPath)
            if (!csvRowsUsed_.count(path)) unused.push_back(path);
        std::sort(unused.begin(), unused.end());
        return unused;
    }

private:
    ImportFileResult& problem(ImportFileResult& result, std::int64_t runId, ImportOutcome outcome,
                              const std::string& errorClass, const std::string& reason) {
        result.outcome = outcome;
        result.errorClass = errorClass;
        result.detail = reason;
        ImportIssue issue;
        issue.sourcePath = result.path;
        issue.outcome = outcome == ImportOutcome::Duplicate ? ImportIssue::Outcome::Duplicate
                        : outcome == ImportOutcome::Skipped ? ImportIssue::Outcome::Skipped
                                                            : ImportIssue::Outcome::Error;
        issue.errorClass = errorClass;
        issue.reason = reason;
        store_.addImportIssue(runId, issue);
        return result;
    }

    GivenLabel givenLabel(const Candidate& candidate, std::string& note) {
        switch (options_.labelSource) {
        case LabelSource::FolderNames: return labelFromFolders(candidate);
        case LabelSource::Csv: {
            const auto found = csv_->byPath.find(candidate.path);
            if (found == csv_->byPath.end()) {
                note = "no row in " + csv_->path + "; imported unlabelled";
                return {};
            }
            csvRowsUsed_.insert(found->first);
            return found->second;
        }
        case LabelSource::None:
        case LabelSource::DicomTag: return {};
        }
        return {};
    }

    // {error class, reason} for a file that cannot be imported whatever it holds.
    std::optional<std::pair<std::string, std::string>> fileSizeProblem(const std::string& path) const {
        std::error_code error;
        const auto size = fs::file_size(path, error);
        if (error)
            return std::pair<std::string, std::string>{"unreadable",
                                                       path + ": cannot read the file: " + describeFileError(error.value())};
        if (size == 0) return std::pair<std::string, std::string>{"empty-file", path + ": empty file (0 bytes)"};
        if (size > options_.limits.maxFileBytes)
            return std::pair<std::string, std::string>{
                "too-large", path + ": file is " + std::to_string(size) + " bytes, over the limit of " +
                                 std::to_string(options_.limits.maxFileBytes) + " bytes"};
        return std::nullopt;
    }

    ImportFileResult importImage(const Candidate& candidate, ImageFileKind kind, std::int64_t runId,
                                 ImportFileResult& result) {
        const auto& path = candidate.path;
        // Checked before hashing, so a huge file costs nothing.
        if (const auto sizeProblem = fileSizeProblem(path))
            return problem(result, runId, ImportOutcome::Error, sizeProblem->first, sizeProblem->second);

        std::string note;
        auto given = givenLabel(candidate, note);
        const auto existing = store_.imagesOfFile(path);
        if (!existing.empty()) {
            const auto contentHash = sha256FileHex(path);
            const bool unchanged = std::all_of(existing.begin(), existing.end(),
                                               [&](const StoredImage& image) { return image.contentHash == contentHash; });
            if (unchanged) return alreadyImported(existing, given, result);
        }

        auto decoded = decodeImageFile(path, kind, options_.limits, options_.frames, extraAttributes_);
        if (options_.labelSource == LabelSource::DicomTag && decoded.dicom) {
            const auto value = decoded.dicom->tagValue(options_.dicomTagKeyword);
            if (!value.empty()) given.label = value;
            else note = options_.dicomTagKeyword + " is empty; imported unlabelled";
        }

        std::vector<NewImage> samples;
        std::optional<StoredImage> duplicateOf;
        int duplicateFrames = 0;
        std::unordered_set<std::string> seen;
        const auto splitKey = splitKeyOf(decoded);
        const auto instanceNumber = instanceNumberOf(decoded);
        for (auto& sample : decoded.samples) {
            const auto other = store_.imageByPixelHash(sample.pixelHash);
            if ((other && other->sourcePath != path) || !seen.insert(sample.pixelHash).second) {
                ++duplicateFrames;
                if (!duplicateOf && other) duplicateOf = other;
                continue;
            }
            NewImage image;
            image.sourcePath = path;
            image.frame = sample.frame;
            image.contentHash = decoded.contentHash;
            image.pixelHash = sample.pixelHash;
            image.kind = kind;
            image.modality = decoded.modality;
            image.width = sample.image.width;
            image.height = sample.image.height;
            image.label = given.label;
            image.split = given.split ? *given.split : keptSplit(existing, sample, splitKey);
            image.site = given.site;
            image.identifying = decoded.identifying;
            image.instanceNumber = instanceNumber;
            samples.push_back(std::move(image));
        }
        if (samples.empty()) {
            result.label = given.label;
            // The same picture under two labels is a labelling error worth its own class.
            if (duplicateOf && given.label && duplicateOf->label && *duplicateOf->label != *given.label)
                return problem(result, runId, ImportOutcome::Duplicate, "duplicate-label-conflict",
                               path + ": same pixels as " + duplicateOf->sourcePath + ", which is labelled '" +
                                   *duplicateOf->label + "', not '" + *given.label + "'");
            return problem(result, runId, ImportOutcome::Duplicate, "duplicate-pixels",
                           path + ": same pixels as " + (duplicateOf ? duplicateOf->sourcePath : path));
        }

        std::vector<std::int64_t> ids;
        try {
            ids = existing.empty() ? store_.addImages(runId, samples) : store_.replaceImagesOfFile(runId, path, samples);
        } catch (const Error&) {
            // Another process importing into the same workspace may have stored these pixels
            // since they were looked up; that is a duplicate, not a failure.
            for (const auto& sample : samples)
                if (const auto other = store_.imageByPixelHash(sample.pixelHash); other && other->sourcePath != path)
                    return problem(result, runId, ImportOutcome::Duplicate, "duplicate-pixels",
                                   path + ": same pixels as " + other->sourcePath);
            throw;
        }
        result.outcome = ImportOutcome::Imported;
        result.samples = static_cast<int>(ids.size());
        result.label = given.label;
        if (!existing.empty()) note = "replaced the rows of an earlier version of this file";
        if (duplicateFrames > 0)
            note += std::string(note.empty() ? "" : "; ") + std::to_string(duplicateFrames) + " of " +
                    std::to_string(decoded.samples.size()) + " frames were duplicates";
        result.detail = note;
        return result;
    }

    // InstanceNumber (IS: an integer string, maybe padded); nullopt when absent or not a number.
    static std::optional<int> instanceNumberOf(const DecodedFile& decoded) {
        if (!decoded.dicom) return std::nullopt;
        const auto text = decoded.dicom->tagValue("InstanceNumber");
        try {
            std::size_t used = 0;
            const int number = std::stoi(text, &used);
            if (text.find_first_not_of(' ', used) == std::string::npos) return number;
        } catch (const std::exception&) {
        }
        return std::nullopt;
    }

    // What a new file's split is drawn from: the patient, when the DICOM names one, so all
    // of a patient's images land in the same split (no patient in both train and test);
    // else the file's first frame, so the frames of one file stay together.
    static std::string splitKeyOf(const DecodedFile& decoded) {
        if (decoded.samples.empty()) return {};
        const auto patient = decoded.identifying.find("PatientID");
        if (patient != decoded.identifying.end() && !patient->second.empty())
            return sha256Hex("patient " + patient->second);
        return decoded.samples.front().pixelHash;
    }

    // The split of a sample whose folder or CSV row gives none. A changed file keeps the
    // split of its old rows (the same frame's, else the file's first), so an edited test
    // image does not turn up in train; a new file gets one from its split key.
    Split keptSplit(const std::vector<StoredImage>& existing, const DecodedSample& sample,
                    const std::string& splitKey) const {
        if (existing.empty()) return splitFromHash(splitKey, options_.testShare, options_.validationShare);
        for (const auto& image : existing)
            if (image.frame == sample.frame) return image.split;
        return existing.front().split;
    }

    ImportFileResult alreadyImported(const std::vector<StoredImage>& existing, const GivenLabel& given,
                                     ImportFileResult& result) {
        result.outcome = ImportOutcome::AlreadyImported;
        result.label = existing.front().label;
        // Re-importing with a label source updates the labels; without one, keeps them. The
        // rows keep their splits unless the folder or CSV row names one.
        if (options_.labelSource == LabelSource::FolderNames || options_.labelSource == LabelSource::Csv) {
            if (store_.relabelFile(result.path, given.label, given.split, given.site) > 0) {
                result.detail = "label, split or site updated";
                result.label = given.label;
            }
        }
        return result;
    }

    SiteStore& store_;
    ImportOptions options_;
    std::optional<LabelsCsv> csv_;
    std::unordered_set<std::string> csvRowsUsed_;
    std::vector<std::string> extraAttributes_;
};

}  // namespace

std::string describeLabelSource(const ImportOptions& options) {
    switch (options.labelSource) {
    case LabelSource::None: return "none";
    case LabelSource::FolderNames: return "folder";
    case LabelSource::Csv: return "csv:" + options.csvPath;
    case LabelSource::DicomTag: return "tag:" + options.dicomTagKeyword;
    }
    return "none";
}

const char* importOutcomeName(ImportOutcome outcome) {
    switch (outcome) {
    case ImportOutcome::Imported: return "imported";
    case ImportOutcome::AlreadyImported: return "already-imported";
    case ImportOutcome::Duplicate: return "duplicate";
    case ImportOutcome::Skipped: return "skipped";
    case ImportOutcome::Error: return "error";
    }
    return "error";
}

int ImportReport::count(ImportOutcome outcome) const {
    return static_cast<int>(
        std::count_if(files.begin(), files.end(), [&](const ImportFileResult& file) { return file.outcome == outcome; }));
}

ImportRunCounts ImportReport::counts() const {
    ImportRunCounts c;
    c.files = static_cast<int>(files.size());
    c.imported = count(ImportOutcome::Imported);
    c.alreadyImported = count(ImportOutcome::AlreadyImported);
    c.duplicates = count(ImportOutcome::Duplicate);
    c.skipped = count(ImportOutcome::Skipped);
    c.errors = count(ImportOutcome::Error);
    for (const auto& file : files) c.samples += file.samples;
    return c;
}

ImportReport importPaths(SiteStore& store, const std::vector<std::string>& paths, const ImportOptions& options,
                         const ImportProgressCallback& progress, const std::atomic<bool>* cancel) {
    const auto start = std::chrono::steady_clock::now();
    Importer importer(store, options);
    const auto candidates = PathWalker().walk(paths);
    ImportReport report;
    report.importRunId = store.beginImportRun(describeLabelSource(options));
    const int total = static_cast<int>(candidates.size());
    for (int i = 0; i < total; ++i) {
        if (cancel && cancel->load()) {
            report.cancelled = true;
            report.notProcessed = total - i;
            break;
        }
        report.files.push_back(importer.importFile(candidates[static_cast<size_t>(i)], report.importRunId));
        if (progress) progress({i + 1, total, &candidates[static_cast<size_t>(i)].path});
    }
    if (!report.cancelled) {
        const auto unused = importer.unusedCsvRows();
        if (!unused.empty())
            report.notes.push_back(std::to_string(unused.size()) + " rows of " + options.csvPath +
                                   " name files that were not among the imported paths, e.g. " + unused.front());
    }
    store.finishImportRun(report.importRunId, report.counts(), report.cancelled);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

std::string formatImportReport(const ImportReport& report, bool problemsOnly) {
    std::ostringstream out;
    const auto c = report.counts();
    out << "import run " << report.importRunId << ": " << c.files << " files, " << c.imported << " imported ("
        << c.samples << " images), " << c.alreadyImported << " already imported, " << c.duplicates << " duplicates, "
        << c.skipped << " skipped, " << c.errors << " errors";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", report.seconds);
    out << " in " << seconds << " s";
    if (report.cancelled) out << "; CANCELLED with " << report.notProcessed << " files not processed";
    out << "\n";
    std::map<std::string, int> labels;
    for (const auto& file : report.files)
        if (file.outcome == ImportOutcome::Imported) labels[file.label.value_or("(unlabelled)")] += file.samples;
    for (const auto& [label, count] : labels) out << "  " << count << "\t" << label << "\n";
    for (const auto& note : report.notes) out << "note: " << note << "\n";
    for (const auto& file : report.files) {
        const bool problem = file.outcome != ImportOutcome::Imported && file.outcome != ImportOutcome::AlreadyImported;
        if (problemsOnly && !problem) continue;
        out << importOutcomeName(file.outcome);
        if (!file.errorClass.empty()) out << " [" << file.errorClass << "]";
        out << "\t" << file.path;
        if (!file.detail.empty()) {
            // The reason usually starts with the path already; do not print it twice.
            auto detail = file.detail;
            if (detail.rfind(file.path + ": ", 0) == 0) detail.erase(0, file.path.size() + 2);
            out << "\t" << detail;
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace fmc
