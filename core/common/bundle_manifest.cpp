#include "common/bundle_manifest.h"

#include "common/sha256.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace fmc {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// ---------------------------------------------------------------- manifest parsing

class ManifestReader {
public:
    ManifestReader(const Json& root, std::string origin) : root_(root), origin_(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw Error(origin_ + ": field '" + field + "' " + what);
    }

    const Json& require(const Json& obj, const std::string& key, const std::string& field) const {
        auto it = obj.find(key);
        if (it == obj.end()) throw Error(origin_ + ": missing field '" + field + "'");
        return *it;
    }

    std::string string(const Json& obj, const std::string& key, const std::string& field, bool allowEmpty) const {
        const Json& v = require(obj, key, field);
        if (!v.is_string()) fail(field, "must be a string, got " + std::string(v.type_name()));
        auto s = v.get<std::string>();
        if (!allowEmpty && s.empty()) fail(field, "must not be empty");
        return s;
    }

    std::int64_t positiveInt(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_number_integer()) fail(field, "must be an integer, got " + describe(v));
        const auto n = v.get<std::int64_t>();
        if (n <= 0) fail(field, "must be positive, got " + std::to_string(n));
        return n;
    }

    double positiveNumber(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_number()) fail(field, "must be a number, got " + describe(v));
        const double d = v.get<double>();
        if (!std::isfinite(d) || d <= 0.0) fail(field, "must be a positive finite number, got " + v.dump());
        return d;
    }

    bool boolean(const Json& obj, const std::string& key, const std::string& field) const {
        const Json& v = require(obj, key, field);
        if (!v.is_boolean()) fail(field, "must be true or false, got " + describe(v));
        return v.get<bool>();
    }

    std::array<double, 3> triple(const Json& obj, const std::string& key, const std::string& field,
                                 bool positive) const {
        const Json& v = require(obj, key, field);
        if (!v.is_array() || v.size() != 3) fail(field, "must be an array of 3 numbers, got " + describe(v));
        std::array<double, 3> out{};
        for (size_t i = 0; i < 3; ++i) {
            if (!v[i].is_number()) fail(field, "must be an array of 3 numbers, got " + describe(v));
            out[i] = v[i].get<double>();
            if (!std::isfinite(out[i]) || (positive && out[i] <= 0.0))
                fail(field, std::string("must hold 3 ") + (positive ? "positive " : "") + "finite numbers, got " +
                                v.dump());
        }
        return out;
    }

    std::string sha(const Json& obj, const std::string& key, const std::string& field) const {
        auto s = string(obj, key, field, false);
        const bool ok = s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
                            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                        });
        if (!ok) fail(field, "must be 64 lowercase hex characters (a SHA-256), got '" + s + "'");
        return s;
    }

    BundleFile file(const Json& files, const std::string& key) const {
        const std::string field = "files." + key;
        const Json& v = require(files, key, field);
        if (!v.is_object()) fail(field, "must be an object {path, sha256}, got " + describe(v));
        BundleFile f;
        f.path = string(v, "path", field + ".path", false);
        const fs::path p(f.path);
        bool escapes = p.is_absolute() || f.path.find('\\') != std::string::npos;
        for (const auto& part : p)
            if (part == "..") escapes = true;
        if (escapes) fail(field + ".path", "must be a path inside the bundle folder, got '" + f.path + "'");
        f.sha256 = sha(v, "sha256", field + ".sha256");
        return f;
    }

    static std::string describe(const Json& v) {
        std::string dumped = v.dump();
        if (dumped.size() > 60) dumped = dumped.substr(0, 57) + "...";
        return std::string(v.type_name()) + " " + dumped;
    }

private:
    const Json& root_;
    std::string origin_;
};

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(path + ": read error");
    return ss.str();
}

}  // namespace

// ---------------------------------------------------------------- manifest API

std::string computeBundleHash(const std::string& imageEncoderSha256, const std::string& textEncoderSha256,
                              const std::string& vocabularySha256) {
    return sha256Hex(imageEncoderSha256 + textEncoderSha256 + vocabularySha256);
}

std::string computeBundleHash(const BundleManifest& m) {
    return computeBundleHash(m.imageEncoder.sha256, m.textEncoder.sha256, m.vocabulary.sha256);
}

BundleManifest parseManifest(const std::string& jsonText, const std::string& origin) {
    Json root;
    try {
        root = Json::parse(jsonText);
    } catch (const Json::exception& e) {
        // Not only syntax: a number too large for a double ("66E666") is out_of_range.
        throw Error(origin + ": invalid JSON: " + e.what());
    }
    if (!root.is_object()) throw Error(origin + ": must hold a JSON object, got " + std::string(root.type_name()));
    ManifestReader r(root, origin);

    BundleManifest m;
    {
        const Json& v = r.require(root, "format_version", "format_version");
        if (!v.is_number_integer()) r.fail("format_version", "must be an integer, got " + ManifestReader::describe(v));
        const auto fv = v.get<std::int64_t>();
        if (fv != kBundleFormatVersion)
            r.fail("format_version", "is " + std::to_string(fv) + ", but this build reads only format_version " +
                                         std::to_string(kBundleFormatVersion));
        m.formatVersion = static_cast<int>(fv);
    }
    m.name = r.string(root, "name", "name", false);
    m.version = r.string(root, "version", "version", false);
    m.description = r.string(root, "description", "description", true);
    m.demo = r.boolean(root, "demo", "demo");
    m.embeddingDim = r.positiveInt(root, "embedding_dim", "embedding_dim");
    m.inputSize = r.positiveInt(root, "input_size", "input_size");
    m.mean = r.triple(root, "mean", "mean", false);
    m.std = r.triple(root, "std", "std", true);
    m.resizeMode = r.string(root, "resize_mode", "resize_mode", false);
    if (m.resizeMode != kResizeShorterSideCenterCrop && m.resizeMode != kResizeStretch)
        r.fail("resize_mode", "must be \"" + std::string(kResizeShorterSideCenterCrop) + "\" or \"" + kResizeStretch +
                                  "\", got \"" + m.resizeMode + "\"");
    m.tokenizer = r.string(root, "tokenizer", "tokenizer", false);
    m.contextLength = r.positiveInt(root, "context_length", "context_length");
    m.logitScale = r.positiveNumber(root, "logit_scale", "logit_scale");
    const Json& files = r.require(root, "files", "files");
    if (!files.is_object()) r.fail("files", "must be an object, got " + ManifestReader::describe(files));
    m.imageEncoder = r.file(files, "image_encoder");
    m.textEncoder = r.file(files, "text_encoder");
    m.vocabulary = r.file(files, "vocabulary");
    m.bundleHash = r.sha(root, "bundle_hash", "bundle_hash");
    return m;
}

BundleManifest readManifestFile(const std::string& manifestPath) {
    return parseManifest(readTextFile(manifestPath), manifestPath);
}

std::string manifestToJson(const BundleManifest& m) {
    auto fileJson = [](const BundleFile& f) {
        OrderedJson j;
        j["path"] = f.path;
        j["sha256"] = f.sha256;
        return j;
    };
    OrderedJson j;
    j["format_version"] = m.formatVersion;
    j["name"] = m.name;
    j["version"] = m.version;
    j["description"] = m.description;
    j["demo"] = m.demo;
    j["embedding_dim"] = m.embeddingDim;
    j["input_size"] = m.inputSize;
    j["mean"] = m.mean;
    j["std"] = m.std;
    j["resize_mode"] = m.resizeMode;
    j["tokenizer"] = m.tokenizer;
    j["context_length"] = m.contextLength;
    j["logit_scale"] = m.logitScale;
    OrderedJson files;
    files["image_encoder"] = fileJson(m.imageEncoder);
    files["text_encoder"] = fileJson(m.textEncoder);
    files["vocabulary"] = fileJson(m.vocabulary);
    j["files"] = files;
    j["bundle_hash"] = m.bundleHash;
    return j.dump(2) + "\n";
}

void writeManifestFile(const std::string& manifestPath, const BundleManifest& manifest) {
    const std::string text = manifestToJson(manifest);
    std::ofstream out(manifestPath, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(manifestPath + ": cannot open for writing");
    out << text;
    out.close();
    if (!out) throw Error(manifestPath + ": write failed");
}

void finalizeBundle(const std::string& dir, BundleManifest& m) {
    const fs::path root(dir);
    for (BundleFile* f : {&m.imageEncoder, &m.textEncoder, &m.vocabulary}) f->sha256 = sha256FileHex((root / f->path).string());
    m.bundleHash = computeBundleHash(m);
    writeManifestFile((root / kBundleManifestFileName).string(), m);
}

}  // namespace fmc
