#include "site/site_store.h"

#include "site/calibration_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace fmc {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// Version 1: the whole site store. Timestamps are ISO 8601 UTC text; hashes lowercase hex.
const char* const kSchemaV1 = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE import_runs (
  id            INTEGER PRIMARY KEY,
  label_source  TEXT NOT NULL,
  started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at   TEXT,
  cancelled     INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  files         INTEGER NOT NULL DEFAULT 0,
  imported      INTEGER NOT NULL DEFAULT 0,
  already_imported INTEGER NOT NULL DEFAULT 0,
  duplicates    INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  errors        INTEGER NOT NULL DEFAULT 0,
  samples       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE images (
  id            INTEGER PRIMARY KEY,
  source_path   TEXT NOT NULL,
  frame         INTEGER NOT NULL DEFAULT 0 CHECK (frame >= 0),
  content_hash  TEXT NOT NULL CHECK (length(content_hash) = 64),
  pixel_hash    TEXT NOT NULL UNIQUE CHECK (length(pixel_hash) = 64),
  file_kind     TEXT NOT NULL CHECK (file_kind IN ('photo', 'dicom')),
  modality      TEXT NOT NULL DEFAULT '',
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  label         TEXT CHECK (label IS NULL OR length(label) > 0),
  split         TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
  site          TEXT NOT NULL DEFAULT '',
  import_run_id INTEGER NOT NULL REFERENCES import_runs(id),
  imported_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'unreadable')),
  error         TEXT,
  UNIQUE (source_path, frame)
);
CREATE INDEX images_by_content ON images (content_hash);
CREATE INDEX images_by_label ON images (label);
CREATE INDEX images_by_run ON images (import_run_id);

-- Patient-identifying DICOM attributes and instance UIDs: this table only, never exported.
CREATE TABLE image_identifiers (
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  keyword  TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (image_id, keyword)
) WITHOUT ROWID;

CREATE TABLE import_errors (
  id            INTEGER PRIMARY KEY,
  import_run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
  source_path   TEXT NOT NULL,
  outcome       TEXT NOT NULL CHECK (outcome IN ('duplicate', 'skipped', 'error')),
  error_class   TEXT NOT NULL,
  reason        TEXT NOT NULL,
  recorded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX import_errors_by_run ON import_errors (import_run_id);

CREATE TABLE label_sets (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TABLE label_set_classes (
  label_set_id INTEGER NOT NULL REFERENCES label_sets(id) ON DELETE CASCADE,
  position     INTEGER NOT NULL CHECK (position >= 0),
  class_name   TEXT NOT NULL CHECK (length(class_name) > 0),
  PRIMARY KEY (label_set_id, position),
  UNIQUE (label_set_id, class_name)
);
CREATE TABLE label_mappings (
  local_label      TEXT PRIMARY KEY CHECK (length(local_label) > 0),
  federation_class TEXT NOT NULL CHECK (length(federation_class) > 0)
) WITHOUT ROWID;

CREATE TABLE features (
  id           INTEGER PRIMARY KEY,
  content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
  frame        INTEGER NOT NULL CHECK (frame >= 0),
  bundle_hash  TEXT NOT NULL CHECK (length(bundle_hash) = 64),
  dim          INTEGER NOT NULL CHECK (dim > 0),
  vector       BLOB NOT NULL CHECK (length(vector) = 4 * dim),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (content_hash, frame, bundle_hash)
);

CREATE TABLE training_runs (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('local', 'federated')),
  bundle_hash       TEXT NOT NULL,
  classes           TEXT NOT NULL,
  options           TEXT NOT NULL,
  train_images      INTEGER NOT NULL,
  evaluation_images INTEGER NOT NULL,
  evaluation_split  TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
  started_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at       TEXT
);
CREATE TABLE training_rounds (
  run_id            INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  round             INTEGER NOT NULL CHECK (round >= 1),
  loss              REAL NOT NULL,
  accuracy          REAL,
  balanced_accuracy REAL,
  macro_f1          REAL,
  bytes_sent        INTEGER NOT NULL DEFAULT 0,
  bytes_received    INTEGER NOT NULL DEFAULT 0,
  seconds           REAL NOT NULL,
  recorded_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  PRIMARY KEY (run_id, round)
);

CREATE TABLE model_versions (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('global-fam', 'local-checkpoint')),
  file_name       TEXT NOT NULL UNIQUE,
  sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
  bytes           INTEGER NOT NULL CHECK (bytes > 0),
  bundle_hash     TEXT NOT NULL,
  classes         TEXT NOT NULL,
  prompt_template TEXT NOT NULL,
  options         TEXT NOT NULL,
  training_run_id INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,
  round           INTEGER,
  source          TEXT NOT NULL,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE predictions (
  id               INTEGER PRIMARY KEY,
  image_id         INTEGER REFERENCES images(id) ON DELETE SET NULL,
  source_path      TEXT NOT NULL,
  content_hash     TEXT NOT NULL CHECK (length(content_hash) = 64),
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
  predicted_class  TEXT NOT NULL,
  probabilities    TEXT NOT NULL,
  ensemble_entropy REAL NOT NULL,
  made_by          TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX predictions_by_model ON predictions (model_version_id);
)sql";

// Version 2: per-class recall of every round (a JSON list aligned with the run's classes,
// null for a class without evaluation images), and predictions of a model that has no
// version in the store (the zero-shot shared FAM of a site not trained yet): the model
// version becomes optional and every prediction says which model made it in words.
const char* const kSchemaV2 = R"sql(
ALTER TABLE training_rounds ADD COLUMN per_class_recall TEXT;

CREATE TABLE predictions_v2 (
  id                INTEGER PRIMARY KEY,
  image_id          INTEGER REFERENCES images(id) ON DELETE SET NULL,
  source_path       TEXT NOT NULL,
  content_hash      TEXT NOT NULL CHECK (length(content_hash) = 64),
  model_version_id  INTEGER REFERENCES model_versions(id),
  model_description TEXT NOT NULL DEFAULT '',
  predicted_class   TEXT NOT NULL,
  probabilities     TEXT NOT NULL,
  ensemble_entropy  REAL NOT NULL,
  made_by           TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
INSERT INTO predictions_v2 (id, image_id, source_path, content_hash, model_version_id, model_description,
                            predicted_class, probabilities, ensemble_entropy, made_by, created_at)
  SELECT id, image_id, source_path, content_hash, model_version_id, 'model version ' || model_version_id,
         predicted_class, probabilities, ensemble_entropy, made_by, created_at FROM predictions;
DROP TABLE predictions;
ALTER TABLE predictions_v2 RENAME TO predictions;
CREATE INDEX predictions_by_model ON predictions (model_version_id);
)sql";

// Version 3: a model version's calibration and model card (common/model_calibration.h) as
// JSON, and the novelty check's reference (unit-length training features, float32 rows of
// novelty_dim values), one row per calibrated version.
const char* const kSchemaModelCalibrations = R"sql(
CREATE TABLE model_calibrations (
  model_version_id  INTEGER PRIMARY KEY REFERENCES model_versions(id) ON DELETE CASCADE,
  calibration       TEXT NOT NULL,
  novelty_dim       INTEGER NOT NULL DEFAULT 0 CHECK (novelty_dim >= 0),
  novelty_reference BLOB,
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
)sql";

// Version 5: the training options of local runs and model versions spelled out. Rows
// written before every option of FedMedClipOptions was stored (pruning, mask-aware
// aggregation, the released code's switches, shuffling) get the values a missing key stood
// for then, the defaults of that time, so a later change of a default cannot change what an
// old row means. Keys a row has keep their values (json_patch: the row's keys win).
const char* const kSchemaTrainingOptions = R"sql(
UPDATE training_runs SET options = json_patch('{"mask_gradient":"window","use_mlp":true,"use_distillation":true,"adaptive_weighting":true,"use_masks":true,"prune_fam":true,"mask_aware_aggregation":true,"share_thresholds":true,"reset_thresholds_each_round":false,"entropy_on_softmax_twice":false,"keep_optimizer_state":true,"drop_last_batch":false,"detach_teacher":true,"normalise_fam_input":true,"shuffle":true,"mask_sparsity_weight":0.3,"fam_keep_target":0.5,"mask_forward_cutoff":0.0,"fam_learning_rate":0.0005,"mlp_learning_rate":0.0001,"learning_rate_decay":0.97,"weight_decay":0.02,"distillation_weight":0.04,"distillation_temperature":2.0,"minimum_keep_ratio":0.01,"batch_size":32,"local_epochs":1,"mlp_hidden_size":512}', options)
  WHERE kind = 'local' AND json_valid(options) AND json_type(options) = 'object';
UPDATE model_versions SET options = json_patch('{"mask_gradient":"window","use_mlp":true,"use_distillation":true,"adaptive_weighting":true,"use_masks":true,"prune_fam":true,"mask_aware_aggregation":true,"share_thresholds":true,"reset_thresholds_each_round":false,"entropy_on_softmax_twice":false,"keep_optimizer_state":true,"drop_last_batch":false,"detach_teacher":true,"normalise_fam_input":true,"shuffle":true,"mask_sparsity_weight":0.3,"fam_keep_target":0.5,"mask_forward_cutoff":0.0,"fam_learning_rate":0.0005,"mlp_learning_rate":0.0001,"learning_rate_decay":0.97,"weight_decay":0.02,"distillation_weight":0.04,"distillation_temperature":2.0,"minimum_keep_ratio":0.01,"batch_size":32,"local_epochs":1,"mlp_hidden_size":512}', options)
  WHERE json_valid(options) AND json_type(options) = 'object';
)sql";

// Version 6: a DICOM image's InstanceNumber, so a series lists and scrolls in its own order
// (images imported before keep NULL and come after the numbered ones, by path); and the
// interruptions of training runs (cancelled, failed, or stopped without a word when the app
// or agent was closed), so one federation stays one run with its interruptions marked on it.
const char* const kSchemaInstanceNumbersAndInterruptions = R"sql(
ALTER TABLE images ADD COLUMN instance_number INTEGER;
CREATE TABLE training_run_interruptions (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  reason      TEXT NOT NULL CHECK (reason IN ('cancelled', 'failed', 'stopped')),
  after_round INTEGER NOT NULL CHECK (after_round >= 0),
  at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX training_run_interruptions_by_run ON training_run_interruptions (run_id);
)sql";

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

Split splitFromColumn(const std::string& text) {
    const auto split = parseSplit(text);
    if (!split) throw Error("images.split holds an unknown value '" + text + "'");
    return *split;
}

std::string classesJson(const std::vector<std::string>& classes) { return nlohmann::json(classes).dump(); }

std::vector<std::string> classesFromJson(const std::string& text, const std::string& field) {
    try {
        return nlohmann::json::parse(text).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& error) {
        throw Error(field + " is not a JSON list of class names: " + error.what());
    }
}

std::optional<std::string> recallJson(const std::vector<std::optional<double>>& recall) {
    if (recall.empty()) return std::nullopt;
    auto list = nlohmann::json::array();
    for (const auto& value : recall) list.push_back(value ? nlohmann::json(*value) : nlohmann::json(nullptr));
    return list.dump();
}

std::vector<std::optional<double>> recallFromJson(const std::optional<std::string>& text, const std::string& field) {
    std::vector<std::optional<double>> recall;
    if (!text) return recall;
    try {
        for (const auto& value : nlohmann::json::parse(*text)) {
            if (value.is_null()) recall.emplace_back();
            else recall.emplace_back(value.get<double>());
        }
    } catch (const nlohmann::json::exception& error) {
        throw Error(field + " is not a JSON list of numbers: " + error.what());
    }
    return recall;
}

const char* const kImageColumns =
    "id, source_path, frame, content_hash, pixel_hash, file_kind, modality, width, height, label, split, site, "
    "import_run_id, imported_at, status, error, instance_number";

StoredImage readImage(const sqlite::Statement& row) {
    StoredImage image;
    image.id = row.columnInt(0);
    image.sourcePath = row.columnText(1);
    image.frame = static_cast<int>(row.columnInt(2));
    image.contentHash = row.columnText(3);
    image.pixelHash = row.columnText(4);
    image.kind = row.columnText(5) == "dicom" ? ImageFileKind::Dicom : ImageFileKind::Photo;
    image.modality = row.columnText(6);
    image.width = static_cast<int>(row.columnInt(7));
    image.height = static_cast<int>(row.columnInt(8));
    image.label = row.columnOptionalText(9);
    image.split = splitFromColumn(row.columnText(10));
    image.site = row.columnText(11);
    image.importRunId = row.columnInt(12);
    image.importedAt = row.columnText(13);
    image.readable = row.columnText(14) == "ok";
    image.error = row.columnText(15);
    if (!row.isNull(16)) image.instanceNumber = static_cast<int>(row.columnInt(16));
    return image;
}

std::vector<StoredImage> readImages(sqlite::Statement& statement) {
    std::vector<StoredImage> images;
    while (statement.step()) images.push_back(readImage(statement));
    return images;
}

const char* const kModelColumns =
    "id, kind, file_name, sha256, bytes, bundle_hash, classes, prompt_template, options, training_run_id, round, "
    "source, created_at";

ModelVersion readModelVersion(const sqlite::Statement& row) {
    ModelVersion version;
    version.id = row.columnInt(0);
    version.kind = row.columnText(1) == "global-fam" ? ModelVersionKind::GlobalFam : ModelVersionKind::LocalCheckpoint;
    version.fileName = row.columnText(2);
    version.sha256 = row.columnText(3);
    version.bytes = row.columnInt(4);
    version.bundleHash = row.columnText(5);
    version.classes = classesFromJson(row.columnText(6), "model_versions.classes of version " +
                                                             std::to_string(version.id));
    version.promptTemplate = row.columnText(7);
    version.optionsJson = row.columnText(8);
    if (!row.isNull(9)) version.trainingRunId = row.columnInt(9);
    if (!row.isNull(10)) version.round = static_cast<int>(row.columnInt(10));
    version.source = row.columnText(11);
    version.createdAt = row.columnText(12);
    return version;
}

// Feature vectors as IEEE 754 binary16 ("f16"): 2 bytes a value instead of 4, so a D = 512
// row (1 KB) shares its 4 KB page with two others instead of taking one alone. Rows cached
// before keep their float32 values ("f32") and stay readable.
const char* const kSchemaFeatureVectors = R"sql(
CREATE TABLE feature_vectors (
  id           INTEGER PRIMARY KEY,
  content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
  frame        INTEGER NOT NULL CHECK (frame >= 0),
  bundle_hash  TEXT NOT NULL CHECK (length(bundle_hash) = 64),
  dim          INTEGER NOT NULL CHECK (dim > 0),
  encoding     TEXT NOT NULL CHECK (encoding IN ('f16', 'f32')),
  vector       BLOB NOT NULL CHECK (length(vector) = (CASE encoding WHEN 'f16' THEN 2 ELSE 4 END) * dim),
  UNIQUE (content_hash, frame, bundle_hash)
);
INSERT INTO feature_vectors (content_hash, frame, bundle_hash, dim, encoding, vector)
  SELECT content_hash, frame, bundle_hash, dim, 'f32', vector FROM features ORDER BY id;
DROP TABLE features;
)sql";

// float32 -> binary16, round to nearest even; overflow to infinity, NaN kept.
std::uint16_t halfFromFloat(float value) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    const std::uint32_t sign = (bits >> 16) & 0x8000u;
    const std::uint32_t exponent = (bits >> 23) & 0xFFu;
    std::uint32_t mantissa = bits & 0x7FFFFFu;
    if (exponent == 0xFF) return static_cast<std::uint16_t>(sign | 0x7C00u | (mantissa ? 0x200u : 0u));
    const int halfExponent = static_cast<int>(exponent) - 127 + 15;
    if (halfExponent >= 0x1F) return static_cast<std::uint16_t>(sign | 0x7C00u);
    if (halfExponent <= 0) {  // subnormal or zero
        if (halfExponent < -10) return static_cast<std::uint16_t>(sign);
        mantissa |= 0x800000u;
        const int shift = 14 - halfExponent;
        std::uint32_t half = mantissa >> shift;
        const std::uint32_t rest = mantissa & ((1u << shift) - 1u), halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
        return static_cast<std::uint16_t>(sign | half);
    }
    std::uint32_t half = (static_cast<std::uint32_t>(halfExponent) << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent: correct
    return static_cast<std::uint16_t>(sign | half);
}

float floatFromHalf(std::uint16_t half) {
    const std::uint32_t sign = (half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1Fu;
    std::uint32_t mantissa = half & 0x3FFu;
    std::uint32_t bits = 0;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while ((mantissa & 0x400u) == 0);
            bits = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | ((mantissa & 0x3FFu) << 13);
        }
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float value = 0;
    std::memcpy(&value, &bits, 4);
    return value;
}

}  // namespace

const std::vector<sqlite::Migration>& siteStoreMigrations() {
    static const std::vector<sqlite::Migration> migrations{
        {1, "site store: images, import errors, labels, features, training, models, predictions", kSchemaV1},
        {2, "per-class recall of rounds; predictions of models without a stored version", kSchemaV2},
        {3, "feature vectors as float16", kSchemaFeatureVectors},
        {4, "calibration, prediction sets and novelty reference of model versions", kSchemaModelCalibrations},
        {5, "every training option of local runs and model versions", kSchemaTrainingOptions},
        {6, "instance numbers of DICOM images; interruptions of training runs", kSchemaInstanceNumbersAndInterruptions},
    };
    return migrations;
}

const char* splitName(Split split) {
    switch (split) {
    case Split::Train: return "train";
    case Split::Validation: return "validation";
    case Split::Test: return "test";
    }
    return "train";
}

std::optional<Split> parseSplit(const std::string& text) {
    const auto value = lower(text);
    if (value == "train" || value == "training") return Split::Train;
    if (value == "val" || value == "valid" || value == "validation") return Split::Validation;
    if (value == "test" || value == "testing") return Split::Test;
    return std::nullopt;
}

const char* imageFileKindName(ImageFileKind kind) { return kind == ImageFileKind::Dicom ? "dicom" : "photo"; }

const char* importIssueOutcomeName(ImportIssue::Outcome outcome) {
    switch (outcome) {
    case ImportIssue::Outcome::Duplicate: return "duplicate";
    case ImportIssue::Outcome::Skipped: return "skipped";
    case ImportIssue::Outcome::Error: return "error";
    }
    return "error";
}

const char* modelVersionKindName(ModelVersionKind kind) {
    return kind == ModelVersionKind::GlobalFam ? "global-fam" : "local-checkpoint";
}

SiteStore::SiteStore(sqlite::Database database) : database_(std::move(database)) {}

SiteStore SiteStore::open(const std::string& databasePath) {
    auto database = sqlite::Database::open(databasePath);
    // A file that is not SQLite fails here, on the first read, with "file is not a database".
    sqlite::migrate(database, siteStoreMigrations());
    return SiteStore(std::move(database));
}

int SiteStore::schemaVersion() { return sqlite::schemaVersion(database_); }

std::optional<std::string> SiteStore::setting(const std::string& key) {
    auto query = database_.prepare("SELECT value FROM settings WHERE key = ?1");
    query.bindAll(key);
    if (!query.step()) return std::nullopt;
    return query.columnText(0);
}

void SiteStore::setSetting(const std::string& key, const std::string& value) {
    database_
        .prepare("INSERT INTO settings (key, value) VALUES (?1, ?2) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bindAll(key, value)
        .run();
}

void SiteStore::removeSetting(const std::string& key) {
    database_.prepare("DELETE FROM settings WHERE key = ?1").bindAll(key).run();
}

std::int64_t SiteStore::beginImportRun(const std::string& labelSource) {
    database_.prepare("INSERT INTO import_runs (label_source) VALUES (?1)").bindAll(labelSource).run();
    return database_.lastInsertRowId();
}

void SiteStore::finishImportRun(std::int64_t runId, const ImportRunCounts& c, bool cancelled) {
    database_
        .prepare(std::string("UPDATE import_runs SET finished_at = ") + kNow +
                 ", cancelled = ?2, files = ?3, imported = ?4, already_imported = ?5, duplicates = ?6, "
                 "skipped = ?7, errors = ?8, samples = ?9 WHERE id = ?1")
        .bindAll(runId, cancelled ? 1 : 0, c.files, c.imported, c.alreadyImported, c.duplicates, c.skipped, c.errors,
                 c.samples)
        .run();
}

std::vector<ImportRun> SiteStore::importRuns() {
    auto query = database_.prepare(
        "SELECT id, started_at, finished_at, label_source, cancelled, files, imported, already_imported, duplicates, "
        "skipped, errors, samples FROM import_runs ORDER BY id");
    std::vector<ImportRun> runs;
    while (query.step()) {
        ImportRun run;
        run.id = query.columnInt(0);
        run.startedAt = query.columnText(1);
        run.finishedAt = query.columnOptionalText(2);
        run.labelSource = query.columnText(3);
        run.cancelled = query.columnInt(4) != 0;
        auto& c = run.counts;
        c.files = static_cast<int>(query.columnInt(5));
        c.imported = static_cast<int>(query.columnInt(6));
        c.alreadyImported = static_cast<int>(query.columnInt(7));
        c.duplicates = static_cast<int>(query.columnInt(8));
        c.skipped = static_cast<int>(query.columnInt(9));
        c.errors = static_cast<int>(query.columnInt(10));
        c.samples = static_cast<int>(query.columnInt(11));
        runs.push_back(std::move(run));
    }
    return runs;
}

std::vector<std::int64_t> SiteStore::insertImages(std::int64_t importRunId, const std::vector<NewImage>& samples) {
    auto insertImage = database_.prepare(
        "INSERT INTO images (source_path, frame, content_hash, pixel_hash, file_kind, modality, width, height, label, "
        "split, site, import_run_id, instance_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    auto insertIdentifier =
        database_.prepare("INSERT INTO image_identifiers (image_id, keyword, value) VALUES (?1, ?2, ?3)");
    std::vector<std::int64_t> ids;
    for (const auto& sample : samples) {
        insertImage
            .bindAll(sample.sourcePath, sample.frame, sample.contentHash, sample.pixelHash,
                     std::string(imageFileKindName(sample.kind)), sample.modality, sample.width, sample.height,
                     sample.label, std::string(splitName(sample.split)), sample.site, importRunId,
                     sample.instanceNumber)
            .run();
        const auto id = database_.lastInsertRowId();
        for (const auto& [keyword, value] : sample.identifying) insertIdentifier.bindAll(id, keyword, value).run();
        ids.push_back(id);
    }
    return ids;
}

std::vector<std::int64_t> SiteStore::addImages(std::int64_t importRunId, const std::vector<NewImage>& samples) {
    sqlite::Transaction transaction(database_);
    auto ids = insertImages(importRunId, samples);
    transaction.commit();
    return ids;
}

std::vector<std::int64_t> SiteStore::replaceImagesOfFile(std::int64_t importRunId, const std::string& sourcePath,
                                                         const std::vector<NewImage>& samples) {
    sqlite::Transaction transaction(database_);
    database_.prepare("DELETE FROM images WHERE source_path = ?1").bindAll(sourcePath).run();
    auto ids = insertImages(importRunId, samples);
    transaction.commit();
    return ids;
}

std::optional<StoredImage> SiteStore::imageByPixelHash(const std::string& pixelHash) {
    auto query = database_.prepare(std::string("SELECT ") + kImageColumns + " FROM images WHERE pixel_hash = ?1");
    query.bindAll(pixelHash);
    if (!query.step()) return std::nullopt;
    return readImage(query);
}

std::optional<StoredImage> SiteStore::imageBySource(const std::string& sourcePath, int frame) {
    auto query = database_.prepare(std::string("SELECT ") + kImageColumns +
                                   " FROM images WHERE source_path = ?1 AND frame = ?2");
    query.bindAll(sourcePath, frame);
    if (!query.step()) return std::nullopt;
    return readImage(query);
}

std::vector<StoredImage> SiteStore::imagesOfFile(const std::string& sourcePath) {
    auto query = database_.prepare(std::string("SELECT ") + kImageColumns +
                                   " FROM images WHERE source_path = ?1 ORDER BY frame");
    query.bindAll(sourcePath);
    return readImages(query);
}

std::vector<StoredImage> SiteStore::images(const ImageFilter& filter) {
    auto query = database_.prepare(std::string("SELECT ") + kImageColumns +
                                   " FROM images WHERE (?1 IS NULL OR split = ?1) AND (?2 = 0 OR label IS NOT NULL) "
                                   "AND (?3 = 0 OR status = 'ok') ORDER BY id");
    query.bind(1, filter.split ? std::optional<std::string>(splitName(*filter.split)) : std::nullopt)
        .bind(2, filter.labelledOnly ? 1 : 0)
        .bind(3, filter.readableOnly ? 1 : 0);
    return readImages(query);
}

int SiteStore::imageCount() { return static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM images")); }

int SiteStore::relabelFile(const std::string& sourcePath, const std::optional<std::string>& label,
                           std::optional<Split> split, const std::string& site) {
    database_
        .prepare("UPDATE images SET label = ?2, split = COALESCE(?3, split), site = ?4 WHERE source_path = ?1 "
                 "AND (label IS NOT ?2 OR split IS NOT COALESCE(?3, split) OR site IS NOT ?4)")
        .bindAll(sourcePath, label, split ? std::optional<std::string>(splitName(*split)) : std::nullopt, site)
        .run();
    return database_.changes();
}

void SiteStore::markImageUnreadable(std::int64_t imageId, const std::string& reason) {
    database_.prepare("UPDATE images SET status = 'unreadable', error = ?2 WHERE id = ?1").bindAll(imageId, reason).run();
}

void SiteStore::markImageReadable(std::int64_t imageId) {
    database_.prepare("UPDATE images SET status = 'ok', error = NULL WHERE id = ?1").bindAll(imageId).run();
}

std::map<std::string, std::string> SiteStore::identifyingAttributes(std::int64_t imageId) {
    auto query = database_.prepare("SELECT keyword, value FROM image_identifiers WHERE image_id = ?1");
    query.bindAll(imageId);
    std::map<std::string, std::string> attributes;
    while (query.step()) attributes[query.columnText(0)] = query.columnText(1);
    return attributes;
}

void SiteStore::addImportIssue(std::int64_t importRunId, const ImportIssue& issue) {
    database_
        .prepare("INSERT INTO import_errors (import_run_id, source_path, outcome, error_class, reason) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)")
        .bindAll(importRunId, issue.sourcePath, std::string(importIssueOutcomeName(issue.outcome)), issue.errorClass,
                 issue.reason)
        .run();
}

std::vector<ImportIssue> SiteStore::importIssues(std::int64_t importRunId) {
    auto query = database_.prepare(
        "SELECT source_path, outcome, error_class, reason FROM import_errors WHERE import_run_id = ?1 ORDER BY id");
    query.bindAll(importRunId);
    std::vector<ImportIssue> issues;
    while (query.step()) {
        ImportIssue issue;
        issue.sourcePath = query.columnText(0);
        const auto outcome = query.columnText(1);
        issue.outcome = outcome == "duplicate" ? ImportIssue::Outcome::Duplicate
                        : outcome == "skipped" ? ImportIssue::Outcome::Skipped
                                               : ImportIssue::Outcome::Error;
        issue.errorClass = query.columnText(2);
        issue.reason = query.columnText(3);
        issues.push_back(std::move(issue));
    }
    return issues;
}

void SiteStore::setLabelMappings(const std::map<std::string, std::string>& localToFederation) {
    sqlite::Transaction transaction(database_);
    auto upsert = database_.prepare(
        "INSERT INTO label_mappings (local_label, federation_class) VALUES (?1, ?2) "
        "ON CONFLICT (local_label) DO UPDATE SET federation_class = excluded.federation_class");
    for (const auto& [local, federation] : localToFederation) {
        if (local.empty() || federation.empty())
            throw Error("label mapping '" + local + "=" + federation + "': both names must be non-empty");
        upsert.bindAll(local, federation).run();
    }
    transaction.commit();
}

std::map<std::string, std::string> SiteStore::labelMappings() {
    auto query = database_.prepare("SELECT local_label, federation_class FROM label_mappings");
    std::map<std::string, std::string> mappings;
    while (query.step()) mappings[query.columnText(0)] = query.columnText(1);
    return mappings;
}

std::string SiteStore::federationClassOf(const std::string& localLabel) {
    auto query = database_.prepare("SELECT federation_class FROM label_mappings WHERE local_label = ?1");
    query.bindAll(localLabel);
    return query.step() ? query.columnText(0) : localLabel;
}

void SiteStore::saveLabelSet(const std::string& name, const std::vector<std::string>& classes) {
    if (name.empty()) throw Error("label set: the name must not be empty");
    if (classes.empty()) throw Error("label set '" + name + "': no classes");
    sqlite::Transaction transaction(database_);
    database_.prepare("INSERT INTO label_sets (name) VALUES (?1) ON CONFLICT (name) DO NOTHING").bindAll(name).run();
    auto find = database_.prepare("SELECT id FROM label_sets WHERE name = ?1");
    find.bindAll(name);
    find.step();
    const auto id = find.columnInt(0);
    database_.prepare("DELETE FROM label_set_classes WHERE label_set_id = ?1").bindAll(id).run();
    auto insert =
        database_.prepare("INSERT INTO label_set_classes (label_set_id, position, class_name) VALUES (?1, ?2, ?3)");
    for (size_t i = 0; i < classes.size(); ++i) {
        try {
            insert.bindAll(id, static_cast<std::int64_t>(i), classes[i]).run();
        } catch (const Error&) {
            throw Error("label set '" + name + "': class " + std::to_string(i + 1) + " ('" + classes[i] +
                        "') is empty or repeated");
        }
    }
    transaction.commit();
}

std::optional<std::vector<std::string>> SiteStore::labelSet(const std::string& name) {
    auto query = database_.prepare(
        "SELECT c.class_name FROM label_sets s LEFT JOIN label_set_classes c ON c.label_set_id = s.id "
        "WHERE s.name = ?1 ORDER BY c.position");
    query.bindAll(name);
    std::optional<std::vector<std::string>> classes;
    while (query.step()) {
        if (!classes) classes.emplace();
        if (!query.isNull(0)) classes->push_back(query.columnText(0));
    }
    return classes;
}

std::vector<std::string> SiteStore::labelSetNames() {
    auto query = database_.prepare("SELECT name FROM label_sets ORDER BY name");
    std::vector<std::string> names;
    while (query.step()) names.push_back(query.columnText(0));
    return names;
}

void roundToStoredFeaturePrecision(FloatMatrix& features) {
    for (float& value : features.data) value = floatFromHalf(halfFromFloat(value));
}

std::optional<std::vector<float>> SiteStore::feature(const FeatureKey& key, const std::string& bundleHash) {
    auto query = database_.prepare(
        "SELECT encoding, dim, vector FROM feature_vectors WHERE content_hash = ?1 AND frame = ?2 AND bundle_hash = ?3");
    query.bindAll(key.contentHash, key.frame, bundleHash);
    if (!query.step()) return std::nullopt;
    const auto encoding = query.columnText(0);
    const auto dim = static_cast<std::size_t>(query.columnInt(1));
    const auto blob = query.columnBlob(2);
    std::vector<float> values(dim);
    if (encoding == "f16") {
        for (std::size_t i = 0; i < dim; ++i)
            values[i] = floatFromHalf(static_cast<std::uint16_t>(blob[2 * i] | (blob[2 * i + 1] << 8)));
    } else {
        std::memcpy(values.data(), blob.data(), dim * 4);
    }
    return values;
}

void SiteStore::storeFeatures(const std::string& bundleHash, const std::vector<FeatureKey>& keys,
                              const FloatMatrix& features) {
    if (static_cast<std::int64_t>(keys.size()) != features.rows)
        throw Error("features: " + std::to_string(keys.size()) + " keys for " + std::to_string(features.rows) +
                    " feature rows");
    sqlite::Transaction transaction(database_);
    auto insert = database_.prepare(
        "INSERT INTO feature_vectors (content_hash, frame, bundle_hash, dim, encoding, vector) "
        "VALUES (?1, ?2, ?3, ?4, 'f16', ?5) ON CONFLICT (content_hash, frame, bundle_hash) DO NOTHING");
    sqlite::Blob blob(static_cast<std::size_t>(features.cols) * 2);
    for (size_t i = 0; i < keys.size(); ++i) {
        const float* row = features.row(static_cast<std::int64_t>(i));
        for (std::int64_t c = 0; c < features.cols; ++c) {
            const std::uint16_t half = halfFromFloat(row[c]);
            blob[static_cast<std::size_t>(2 * c)] = static_cast<std::uint8_t>(half & 0xFF);
            blob[static_cast<std::size_t>(2 * c + 1)] = static_cast<std::uint8_t>(half >> 8);
        }
        insert.bindAll(keys[i].contentHash, keys[i].frame, bundleHash, features.cols).bind(5, blob).run();
    }
    transaction.commit();
}

std::int64_t SiteStore::beginTrainingRun(const TrainingRunInfo& info) {
    database_
        .prepare("INSERT INTO training_runs (kind, bundle_hash, classes, options, train_images, evaluation_images, "
                 "evaluation_split) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bindAll(info.kind, info.bundleHash, classesJson(info.classes), info.optionsJson, info.trainImages,
                 info.evaluationImages, info.evaluationSplit)
        .run();
    return database_.lastInsertRowId();
}

void SiteStore::recordRound(std::int64_t runId, const RoundMetrics& m) {
    database_
        .prepare("INSERT INTO training_rounds (run_id, round, loss, accuracy, balanced_accuracy, macro_f1, bytes_sent, "
                 "bytes_received, seconds, per_class_recall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        .bindAll(runId, m.round, m.loss, m.accuracy, m.balancedAccuracy, m.macroF1, m.bytesSent, m.bytesReceived,
                 m.seconds, recallJson(m.perClassRecall))
        .run();
}

void SiteStore::finishTrainingRun(std::int64_t runId, const std::string& status) {
    database_
        .prepare(std::string("UPDATE training_runs SET status = ?2, finished_at = ") + kNow + " WHERE id = ?1")
        .bindAll(runId, status)
        .run();
}

void SiteStore::interruptTrainingRun(std::int64_t runId, const std::string& reason) {
    if (reason != "cancelled" && reason != "failed" && reason != "stopped")
        throw Error("training run " + std::to_string(runId) + ": unknown interruption '" + reason + "'");
    sqlite::Transaction transaction(database_);
    auto status = database_.prepare("SELECT status FROM training_runs WHERE id = ?1");
    status.bindAll(runId);
    if (!status.step()) throw Error("training run " + std::to_string(runId) + " does not exist");
    const auto was = status.columnText(0);
    status.reset();
    if (was == "finished")
        throw Error("training run " + std::to_string(runId) + " has finished; it cannot be interrupted");
    database_
        .prepare("INSERT INTO training_run_interruptions (run_id, reason, after_round) "
                 "VALUES (?1, ?2, (SELECT COALESCE(MAX(round), 0) FROM training_rounds WHERE run_id = ?1))")
        .bindAll(runId, reason)
        .run();
    // A stopped run is no longer running either: it is cancelled until it is resumed.
    database_
        .prepare(std::string("UPDATE training_runs SET status = ?2, finished_at = ") + kNow + " WHERE id = ?1")
        .bindAll(runId, std::string(reason == "failed" ? "failed" : "cancelled"))
        .run();
    transaction.commit();
}

void SiteStore::resumeTrainingRun(std::int64_t runId) {
    sqlite::Transaction transaction(database_);
    auto status = database_.prepare("SELECT status FROM training_runs WHERE id = ?1");
    status.bindAll(runId);
    if (!status.step()) throw Error("training run " + std::to_string(runId) + " does not exist");
    const auto was = status.columnText(0);
    status.reset();
    if (was == "running") {
        // Still running for the store, yet resumed: whoever ran it stopped without a word.
        database_
            .prepare("INSERT INTO training_run_interruptions (run_id, reason, after_round, at) VALUES (?1, 'stopped', "
                     "(SELECT COALESCE(MAX(round), 0) FROM training_rounds WHERE run_id = ?1), "
                     "COALESCE((SELECT MAX(recorded_at) FROM training_rounds WHERE run_id = ?1), " +
                     std::string(kNow) + "))")
            .bindAll(runId)
            .run();
    }
    database_.prepare("UPDATE training_runs SET status = 'running', finished_at = NULL WHERE id = ?1").bindAll(runId).run();
    transaction.commit();
}

std::vector<TrainingRun> SiteStore::trainingRuns() {
    auto query = database_.prepare(
        "SELECT id, kind, bundle_hash, classes, options, train_images, evaluation_images, evaluation_split, status, "
        "started_at, finished_at FROM training_runs ORDER BY id");
    auto roundsQuery = database_.prepare(
        "SELECT round, loss, accuracy, balanced_accuracy, macro_f1, bytes_sent, bytes_received, seconds, "
        "per_class_recall FROM training_rounds WHERE run_id = ?1 ORDER BY round");
    auto interruptionsQuery = database_.prepare(
        "SELECT reason, after_round, at FROM training_run_interruptions WHERE run_id = ?1 ORDER BY id");
    auto optionalDouble = [](const sqlite::Statement& row, int column) {
        return row.isNull(column) ? std::nullopt : std::optional<double>(row.columnDouble(column));
    };
    std::vector<TrainingRun> runs;
    while (query.step()) {
        TrainingRun run;
        run.id = query.columnInt(0);
        run.info.kind = query.columnText(1);
        run.info.bundleHash = query.columnText(2);
        run.info.classes = classesFromJson(query.columnText(3), "training_runs.classes of run " + std::to_string(run.id));
        run.info.optionsJson = query.columnText(4);
        run.info.trainImages = static_cast<int>(query.columnInt(5));
        run.info.evaluationImages = static_cast<int>(query.columnInt(6));
        run.info.evaluationSplit = query.columnText(7);
        run.status = query.columnText(8);
        run.startedAt = query.columnText(9);
        run.finishedAt = query.columnOptionalText(10);
        roundsQuery.bindAll(run.id);
        while (roundsQuery.step()) {
            RoundMetrics m;
            m.round = static_cast<int>(roundsQuery.columnInt(0));
            m.loss = roundsQuery.columnDouble(1);
            m.accuracy = optionalDouble(roundsQuery, 2);
            m.balancedAccuracy = optionalDouble(roundsQuery, 3);
            m.macroF1 = optionalDouble(roundsQuery, 4);
            m.bytesSent = roundsQuery.columnInt(5);
            m.bytesReceived = roundsQuery.columnInt(6);
            m.seconds = roundsQuery.columnDouble(7);
            m.perClassRecall = recallFromJson(roundsQuery.columnOptionalText(8),
                                              "training_rounds.per_class_recall of run " + std::to_string(run.id));
            run.rounds.push_back(m);
        }
        roundsQuery.reset();
        interruptionsQuery.bindAll(run.id);
        while (interruptionsQuery.step())
            run.interruptions.push_back({interruptionsQuery.columnText(0), static_cast<int>(interruptionsQuery.columnInt(1)),
                                         interruptionsQuery.columnText(2)});
        interruptionsQuery.reset();
        runs.push_back(std::move(run));
    }
    return runs;
}

std::optional<TrainingRun> SiteStore::trainingRun(std::int64_t runId) {
    for (auto& run : trainingRuns())
        if (run.id == runId) return std::move(run);
    return std::nullopt;
}

std::int64_t SiteStore::addModelVersion(const ModelVersion& v) {
    database_
        .prepare("INSERT INTO model_versions (kind, file_name, sha256, bytes, bundle_hash, classes, prompt_template, "
                 "options, training_run_id, round, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
        .bindAll(std::string(modelVersionKindName(v.kind)), v.fileName, v.sha256, v.bytes, v.bundleHash,
                 classesJson(v.classes), v.promptTemplate, v.optionsJson, v.trainingRunId,
                 v.round ? std::optional<std::int64_t>(*v.round) : std::nullopt, v.source)
        .run();
    return database_.lastInsertRowId();
}

std::optional<ModelVersion> SiteStore::modelVersion(std::int64_t id) {
    auto query = database_.prepare(std::string("SELECT ") + kModelColumns + " FROM model_versions WHERE id = ?1");
    query.bindAll(id);
    if (!query.step()) return std::nullopt;
    return readModelVersion(query);
}

std::optional<ModelVersion> SiteStore::latestModelVersion(ModelVersionKind kind) {
    auto query = database_.prepare(std::string("SELECT ") + kModelColumns +
                                   " FROM model_versions WHERE kind = ?1 ORDER BY id DESC LIMIT 1");
    query.bindAll(std::string(modelVersionKindName(kind)));
    if (!query.step()) return std::nullopt;
    return readModelVersion(query);
}

std::vector<ModelVersion> SiteStore::modelVersions() {
    auto query = database_.prepare(std::string("SELECT ") + kModelColumns + " FROM model_versions ORDER BY id");
    std::vector<ModelVersion> versions;
    while (query.step()) versions.push_back(readModelVersion(query));
    return versions;
}

void SiteStore::setModelCalibration(std::int64_t modelVersionId, const ModelCalibration& calibration) {
    const auto& reference = calibration.novelty.reference;
    auto statement = database_.prepare(
        "INSERT INTO model_calibrations (model_version_id, calibration, novelty_dim, novelty_reference) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (model_version_id) DO UPDATE SET calibration = excluded.calibration, "
        "novelty_dim = excluded.novelty_dim, novelty_reference = excluded.novelty_reference");
    statement.bindAll(modelVersionId, modelCalibrationToJson(calibration),
                      calibration.hasNovelty ? reference.cols : std::int64_t{0});
    if (calibration.hasNovelty) statement.bind(4, reference.data.data(), reference.data.size());
    else statement.bindNull(4);
    statement.run();
}

std::optional<ModelCalibration> SiteStore::modelCalibration(std::int64_t modelVersionId) {
    auto query = database_.prepare(
        "SELECT calibration, novelty_dim, novelty_reference FROM model_calibrations WHERE model_version_id = ?1");
    query.bindAll(modelVersionId);
    if (!query.step()) return std::nullopt;
    const auto origin = path() + ": calibration of model version " + std::to_string(modelVersionId);
    auto calibration = modelCalibrationFromJson(query.columnText(0), origin);
    const auto dim = query.columnInt(1);
    if (calibration.hasNovelty) {
        auto values = query.isNull(2) ? std::vector<float>{} : query.columnFloats(2);
        if (dim <= 0 || values.empty() || values.size() % static_cast<size_t>(dim) != 0)
            throw Error(origin + ": the novelty reference holds " + std::to_string(values.size()) +
                        " values, not whole rows of " + std::to_string(dim));
        calibration.novelty.reference.cols = dim;
        calibration.novelty.reference.rows = static_cast<std::int64_t>(values.size()) / dim;
        calibration.novelty.reference.data = std::move(values);
    }
    return calibration;
}

std::int64_t SiteStore::addPrediction(const StoredPrediction& p) {
    database_
        .prepare("INSERT INTO predictions (image_id, source_path, content_hash, model_version_id, model_description, "
                 "predicted_class, probabilities, ensemble_entropy, made_by) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bindAll(p.imageId, p.sourcePath, p.contentHash, p.modelVersionId, p.modelDescription, p.predictedClass,
                 p.probabilitiesJson, p.ensembleEntropy, p.madeBy)
        .run();
    return database_.lastInsertRowId();
}

std::vector<StoredPrediction> SiteStore::predictions() {
    auto query = database_.prepare(
        "SELECT id, image_id, source_path, content_hash, model_version_id, model_description, predicted_class, "
        "probabilities, ensemble_entropy, made_by, created_at FROM predictions ORDER BY id");
    std::vector<StoredPrediction> predictions;
    while (query.step()) {
        StoredPrediction p;
        p.id = query.columnInt(0);
        if (!query.isNull(1)) p.imageId = query.columnInt(1);
        p.sourcePath = query.columnText(2);
        p.contentHash = query.columnText(3);
        if (!query.isNull(4)) p.modelVersionId = query.columnInt(4);
        p.modelDescription = query.columnText(5);
        p.predictedClass = query.columnText(6);
        p.probabilitiesJson = query.columnText(7);
        p.ensembleEntropy = query.columnDouble(8);
        p.madeBy = query.columnText(9);
        p.createdAt = query.columnText(10);
        predictions.push_back(std::move(p));
    }
    return predictions;
}

StoreSummary SiteStore::summary() {
    StoreSummary s;
    // One read transaction, so the counts agree with each other while an import is writing.
    database_.execute("BEGIN");
    try {
        s.images = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM images"));
        s.labelled = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM images WHERE label IS NOT NULL"));
        s.unreadable = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM images WHERE status != 'ok'"));
        auto perLabel = database_.prepare("SELECT COALESCE(label, ''), COUNT(*) FROM images GROUP BY 1");
        while (perLabel.step()) s.perLabel[perLabel.columnText(0)] = static_cast<int>(perLabel.columnInt(1));
        auto perSplit = database_.prepare("SELECT split, COUNT(*) FROM images GROUP BY 1");
        while (perSplit.step()) s.perSplit[perSplit.columnText(0)] = static_cast<int>(perSplit.columnInt(1));
        s.importRuns = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM import_runs"));
        s.interruptedImportRuns =
            static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM import_runs WHERE finished_at IS NULL"));
        s.importIssues = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM import_errors"));
        // A file reported by several runs counts once, and not at all once it was imported.
        s.filesNotImported = static_cast<int>(database_.queryInt(
            "SELECT COUNT(DISTINCT source_path) FROM import_errors "
            "WHERE source_path NOT IN (SELECT source_path FROM images)"));
        s.trainingRuns = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM training_runs"));
        s.modelVersions = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM model_versions"));
        s.predictions = static_cast<int>(database_.queryInt("SELECT COUNT(*) FROM predictions"));
        auto features = database_.prepare("SELECT bundle_hash, COUNT(*) FROM feature_vectors GROUP BY 1");
        while (features.step())
            s.featuresPerBundle[features.columnText(0)] = static_cast<int>(features.columnInt(1));
    } catch (...) {
        database_.execute("ROLLBACK");
        throw;
    }
    database_.execute("COMMIT");
    return s;
}

std::string SiteStore::integrityCheck() {
    auto query = database_.prepare("PRAGMA integrity_check");
    std::string result;
    while (query.step()) result += (result.empty() ? "" : "\n") + query.columnText(0);
    return result;
}

std::vector<std::string> SiteStore::foreignKeyViolations() {
    auto query = database_.prepare("PRAGMA foreign_key_check");
    std::vector<std::string> violations;
    while (query.step())
        violations.push_back(query.columnText(0) + " row " + query.columnText(1) + " -> " + query.columnText(2));
    return violations;
}

std::string SiteStore::journalMode() { return database_.queryText("PRAGMA journal_mode"); }

bool SiteStore::foreignKeysEnabled() { return database_.queryInt("PRAGMA foreign_keys") == 1; }

}  // namespace fmc
