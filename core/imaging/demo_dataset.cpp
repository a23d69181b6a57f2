#include "imaging/demo_dataset.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <system_error>

namespace fmc {
namespace {

namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------------------
// Deterministic randomness: std::mt19937 (fully specified by the standard) seeded through
// std::seed_seq (also fully specified), mapped to numbers by our own code.
// ---------------------------------------------------------------------------------------
class Rng {
public:
    Rng(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d, std::uint32_t e) {
        std::seed_seq seq{a, b, c, d, e};
        mt_.seed(seq);
    }
    double uni() { return mt_() * (1.0 / 4294967296.0); }  // [0, 1)
    double range(double lo, double hi) { return lo + (hi - lo) * uni(); }
    int below(int n) { return std::min(n - 1, static_cast<int>(uni() * n)); }
    // Approximately standard normal (Irwin-Hall of 4 uniforms): no libm involved.
    double normal() { return (uni() + uni() + uni() + uni() - 2.0) * 1.7320508075688772; }

private:
    std::mt19937 mt_;
};

struct C3 {
    float r = 0, g = 0, b = 0;
};
C3 operator*(C3 c, float s) { return {c.r * s, c.g * s, c.b * s}; }
C3 operator+(C3 a, C3 b) { return {a.r + b.r, a.g + b.g, a.b + b.b}; }
C3 lerp(C3 a, C3 b, float t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

float clamp01(float v) { return v < 0.f ? 0.f : (v > 1.f ? 1.f : v); }
float smoothstep(float e0, float e1, float x) {
    const float t = clamp01((x - e0) / (e1 - e0));
    return t * t * (3.f - 2.f * t);
}

// Smooth value noise on a g x g lattice; at(fx, fy) with fx, fy in [0, 1] (clamped).
class ValueNoise {
public:
    ValueNoise(Rng& rng, int grid) : g_(grid), v_(static_cast<std::size_t>(grid) * grid) {
        for (auto& x : v_) x = static_cast<float>(rng.uni());
    }
    float at(float fx, float fy) const {
        const float maxc = static_cast<float>(g_ - 1) - 1e-4f;
        const float x = std::min(std::max(fx, 0.f) * (g_ - 1), maxc);
        const float y = std::min(std::max(fy, 0.f) * (g_ - 1), maxc);
        const int ix = static_cast<int>(x), iy = static_cast<int>(y);
        float tx = x - ix, ty = y - iy;
        tx = tx * tx * (3.f - 2.f * tx);
        ty = ty * ty * (3.f - 2.f * ty);
        const float* r0 = &v_[static_cast<std::size_t>(iy) * g_ + ix];
        const float* r1 = r0 + g_;
        return (r0[0] * (1 - tx) + r0[1] * tx) * (1 - ty) + (r1[0] * (1 - tx) + r1[1] * tx) * ty;
    }

private:
    int g_;
    std::vector<float> v_;
};

// How one site's "dermatoscope" changes the picture.
struct SiteProfile {
    float gain[3];
    float contrast;
    float brightness;
    float noise;          // sensor noise sigma (0..1 scale)
    float magnification;  // lesion size factor
    float vignette;       // 0 = none, else radius of the bright field (fraction of size)
    int blur;             // 0 = sharp, 1 = soft optics (3x3 box)
    float hairProbability;
};

SiteProfile siteProfile(int site, std::uint32_t seed) {
    static const SiteProfile kBase[4] = {
        {{1.00f, 1.00f, 1.00f}, 1.00f, 0.00f, 0.015f, 1.00f, 0.00f, 0, 0.30f},   // neutral
        {{1.08f, 0.97f, 0.82f}, 1.18f, -0.04f, 0.020f, 1.15f, 0.52f, 0, 0.20f},  // warm, contrasty, round field
        {{0.86f, 0.97f, 1.10f}, 0.82f, 0.06f, 0.030f, 0.90f, 0.00f, 1, 0.35f},   // cool, flat, soft optics
        {{1.03f, 0.90f, 1.03f}, 1.05f, -0.07f, 0.025f, 1.05f, 0.56f, 0, 0.30f},  // magenta cast, dark
    };
    SiteProfile p = kBase[site % 4];
    // Small seeded jitter so that sites beyond the fourth (and different seeds) differ too.
    Rng rng(seed, 0x5173u, static_cast<std::uint32_t>(site), 0u, 0u);
    const float j = site < 4 ? 0.02f : 0.06f;
    for (float& g : p.gain) g *= static_cast<float>(rng.range(1.0 - j, 1.0 + j));
    p.contrast *= static_cast<float>(rng.range(1.0 - j, 1.0 + j));
    p.brightness += static_cast<float>(rng.range(-j, j));
    return p;
}

// Rotates a colour around the grey axis (used to give classes beyond the fourth their own hue).
C3 hueRotate(C3 c, float angle) {
    if (angle == 0.f) return c;
    const float cs = std::cos(angle), sn = std::sin(angle);
    const float k = (1.f - cs) / 3.f, s3 = sn * 0.57735027f;
    const float a = cs + k, b = k - s3, d = k + s3;
    return {c.r * a + c.g * b + c.b * d, c.r * d + c.g * a + c.b * b, c.r * b + c.g * d + c.b * a};
}

struct Canvas {
    int n;
    std::vector<C3> px;
    explicit Canvas(int size) : n(size), px(static_cast<std::size_t>(size) * size) {}
    C3& at(int x, int y) { return px[static_cast<std::size_t>(y) * n + x]; }
};

// ---------------------------------------------------------------------------------------
// Lesion patterns. Each draws over the skin in `cv`; geometry is in a rotated frame around
// (cx, cy) so size, position and rotation vary per image.
// ---------------------------------------------------------------------------------------
struct Frame {
    float cx, cy, cosT, sinT;
    void local(int x, int y, float& u, float& v) const {
        const float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
        u = dx * cosT + dy * sinT;
        v = -dx * sinT + dy * cosT;
    }
};

void drawNevus(Canvas& cv, const Frame& f, Rng& rng, float mag, float hue) {
    const int n = cv.n;
    const float R = static_cast<float>(n * rng.range(0.14, 0.22) * mag);
    const float aspect = static_cast<float>(rng.range(1.0, 1.25));
    const float a3 = static_cast<float>(rng.range(0.0, 0.04)), p3 = static_cast<float>(rng.range(0, 2 * kPi));
    const float shade = static_cast<float>(rng.range(0.8, 1.15));
    const C3 col = hueRotate(C3{0.44f, 0.27f, 0.16f} * shade, hue);
    const ValueNoise tex(rng, 10);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            float u, v;
            f.local(x, y, u, v);
            u /= aspect;
            const float rr = std::sqrt(u * u + v * v);
            const float phi = std::atan2(v, u);
            const float rho = rr / (R * (1.f + a3 * std::sin(3.f * phi + p3)));
            if (rho > 1.1f) continue;
            const float m = 1.f - smoothstep(0.85f, 1.05f, rho);
            const float t = tex.at(0.5f + u / (2.4f * R), 0.5f + v / (2.4f * R));
            const C3 lc = col * (0.82f + 0.18f * rho + 0.08f * (t - 0.5f));
            cv.at(x, y) = lerp(cv.at(x, y), lc, 0.95f * m);
        }
}

void drawMelanoma(Canvas& cv, const Frame& f, Rng& rng, float mag, float hue) {
    const int n = cv.n;
    const float R = static_cast<float>(n * rng.range(0.24, 0.33) * mag);
    const float aspect = static_cast<float>(rng.range(1.0, 1.35));
    float amp[5], ph[5];
    for (int k = 0; k < 5; ++k) {
        amp[k] = static_cast<float>(rng.range(0.04, 0.12));
        ph[k] = static_cast<float>(rng.range(0, 2 * kPi));
    }
    const C3 black = hueRotate({0.10f, 0.06f, 0.05f}, hue), brown = hueRotate({0.36f, 0.20f, 0.11f}, hue);
    const C3 light = hueRotate({0.56f, 0.37f, 0.24f}, hue), blue = hueRotate({0.42f, 0.46f, 0.56f}, hue);
    const C3 red = hueRotate({0.70f, 0.30f, 0.28f}, hue);
    const ValueNoise n1(rng, 5), n2(rng, 6), n3(rng, 18);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            float u, v;
            f.local(x, y, u, v);
            u /= aspect;
            const float rr = std::sqrt(u * u + v * v);
            if (rr > 1.7f * R) continue;
            const float phi = std::atan2(v, u);
            float b = 1.f;
            for (int k = 0; k < 5; ++k) b += amp[k] * std::sin((k + 2) * phi + ph[k]);
            const float rho = rr / (R * std::max(b, 0.45f));
            if (rho > 1.05f) continue;
            const float m = 1.f - smoothstep(0.95f, 1.02f, rho);
            const float fx = 0.5f + u / (2.8f * R), fy = 0.5f + v / (2.8f * R);
            const float t1 = n1.at(fx, fy), t2 = n2.at(fx, fy), t3 = n3.at(fx, fy);
            const float dark = clamp01((t1 - 0.2f) * 1.9f);
            C3 c = dark < 0.5f ? lerp(light, brown, dark * 2.f) : lerp(brown, black, (dark - 0.5f) * 2.f);
            c = lerp(c, blue, 0.7f * smoothstep(0.62f, 0.74f, t2));
            c = lerp(c, red, 0.6f * smoothstep(0.32f, 0.22f, t2));
            c = c * (0.85f + 0.3f * t3);
            cv.at(x, y) = lerp(cv.at(x, y), c, m);
        }
}

void drawKeratosis(Canvas& cv, const Frame& f, Rng& rng, float mag, float hue) {
    const int n = cv.n;
    const float R = static_cast<float>(n * rng.range(0.17, 0.26) * mag);
    const float aspect = static_cast<float>(rng.range(1.1, 1.6));
    const float p = static_cast<float>(rng.range(2.6, 4.0));  // superellipse: squarish patch
    const float a7 = static_cast<float>(rng.range(0.02, 0.05)), p7 = static_cast<float>(rng.range(0, 2 * kPi));
    const C3 base = hueRotate(lerp({0.64f, 0.50f, 0.34f}, {0.54f, 0.45f, 0.36f}, static_cast<float>(rng.uni())), hue);
    const C3 crack = hueRotate({0.27f, 0.18f, 0.12f}, hue);
    const float freq = static_cast<float>(2 * kPi / (R * rng.range(0.40, 0.55)));
    const ValueNoise w1(rng, 7), w2(rng, 7);
    const float pxScale = n / 96.f;
    struct Dot { float u, v, r; };
    std::vector<Dot> dots(static_cast<std::size_t>(3 + rng.below(6)));
    for (auto& d : dots) {
        const float ang = static_cast<float>(rng.range(0, 2 * kPi)), rad = static_cast<float>(0.7 * std::sqrt(rng.uni()));
        d = {rad * R * aspect * std::cos(ang), rad * R * std::sin(ang), static_cast<float>(rng.range(0.7, 1.6)) * pxScale};
    }
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            float u, v;
            f.local(x, y, u, v);
            const float uu = u / aspect;
            const float rs = std::pow(std::pow(std::fabs(uu), p) + std::pow(std::fabs(v), p), 1.f / p);
            if (rs > 1.3f * R) continue;
            const float phi = std::atan2(v, uu);
            const float rho = rs / (R * (1.f + a7 * std::sin(7.f * phi + p7)));
            if (rho > 1.03f) continue;
            const float m = 1.f - smoothstep(0.96f, 1.01f, rho);
            const float fx = 0.5f + uu / (2.6f * R), fy = 0.5f + v / (2.6f * R);
            const float w = std::sin(freq * u + 7.f * w1.at(fx, fy)) + std::sin(freq * v + 7.f * w2.at(fx, fy));
            C3 c = lerp(base, crack, 0.8f * (1.f - smoothstep(0.06f, 0.32f, std::fabs(w))));
            c = c * (1.f + 0.10f * (-u - v) / (2.f * R));  // raised, lit from the top-left
            for (const auto& d : dots) {
                const float du = u - d.u, dv = v - d.v;
                const float dd = std::sqrt(du * du + dv * dv);
                if (dd < d.r + 1.f) c = lerp(c, {0.93f, 0.90f, 0.78f}, clamp01(d.r + 0.5f - dd));
            }
            cv.at(x, y) = lerp(cv.at(x, y), c, m);
        }
    // Scaly, granular roughness on top (per pixel, inside the patch only).
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            float u, v;
            f.local(x, y, u, v);
            const float uu = u / aspect;
            const float rs = std::pow(std::pow(std::fabs(uu), p) + std::pow(std::fabs(v), p), 1.f / p);
            if (rs > R) continue;
            const float g = static_cast<float>(rng.range(0.88, 1.12));
            cv.at(x, y) = cv.at(x, y) * g;
        }
}

void drawVascular(Canvas& cv, const Frame& f, Rng& rng, float mag, float hue) {
    const int n = cv.n;
    const float Rc = static_cast<float>(n * rng.range(0.13, 0.21) * mag);
    const C3 halo = hueRotate({0.88f, 0.52f, 0.54f}, hue);
    // Pinkish halo under the cluster.
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            float u, v;
            f.local(x, y, u, v);
            const float r = std::sqrt(u * u * 0.8f + v * v) / Rc;
            if (r > 1.3f) continue;
            cv.at(x, y) = lerp(cv.at(x, y), halo, 0.45f * (1.f - smoothstep(0.7f, 1.3f, r)));
        }
    const int count = 9 + rng.below(14);
    for (int i = 0; i < count; ++i) {
        const float ang = static_cast<float>(rng.range(0, 2 * kPi));
        const float rad = static_cast<float>(Rc * 0.85 * std::sqrt(rng.uni()));
        const float du = rad * std::cos(ang) * 1.12f, dv = rad * std::sin(ang);
        // Back to image coordinates.
        const float px = f.cx + du * f.cosT - dv * f.sinT;
        const float py = f.cy + du * f.sinT + dv * f.cosT;
        const float r = static_cast<float>(n * rng.range(0.022, 0.05) * mag);
        const C3 col = hueRotate(lerp({0.80f, 0.10f, 0.16f}, {0.42f, 0.10f, 0.44f}, static_cast<float>(rng.uni())), hue) *
                       static_cast<float>(rng.range(0.75, 1.05));
        const int x0 = std::max(0, static_cast<int>(px - r - 2)), x1 = std::min(n - 1, static_cast<int>(px + r + 2));
        const int y0 = std::max(0, static_cast<int>(py - r - 2)), y1 = std::min(n - 1, static_cast<int>(py + r + 2));
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const float dx = x + 0.5f - px, dy = y + 0.5f - py;
                const float d = std::sqrt(dx * dx + dy * dy) / r;
                if (d > 1.1f) continue;
                const float m = 1.f - smoothstep(0.75f, 1.08f, d);
                cv.at(x, y) = lerp(cv.at(x, y), col * (0.8f + 0.25f * (1.f - d)), 0.95f * m);
            }
    }
}

void drawHairs(Canvas& cv, Rng& rng, float probability) {
    if (rng.uni() >= probability) return;
    const int n = cv.n;
    const int hairs = 1 + rng.below(3);
    std::vector<float> alpha(static_cast<std::size_t>(n) * n, 0.f);
    for (int h = 0; h < hairs; ++h) {
        const float x0 = static_cast<float>(rng.range(-0.1, 1.1) * n), y0 = static_cast<float>(rng.range(-0.1, 0.3) * n);
        const float x2 = static_cast<float>(rng.range(-0.1, 1.1) * n), y2 = static_cast<float>(rng.range(0.7, 1.1) * n);
        const float x1 = (x0 + x2) / 2 + static_cast<float>(rng.range(-0.3, 0.3) * n);
        const float y1 = (y0 + y2) / 2 + static_cast<float>(rng.range(-0.3, 0.3) * n);
        const float th = static_cast<float>(rng.range(0.45, 0.9)) * n / 96.f;
        const int steps = 3 * n;
        for (int s = 0; s <= steps; ++s) {
            const float t = static_cast<float>(s) / steps, it = 1.f - t;
            const float px = it * it * x0 + 2 * it * t * x1 + t * t * x2;
            const float py = it * it * y0 + 2 * it * t * y1 + t * t * y2;
            const int xa = std::max(0, static_cast<int>(px - th - 2)), xb = std::min(n - 1, static_cast<int>(px + th + 2));
            const int ya = std::max(0, static_cast<int>(py - th - 2)), yb = std::min(n - 1, static_cast<int>(py + th + 2));
            for (int y = ya; y <= yb; ++y)
                for (int x = xa; x <= xb; ++x) {
                    const float dx = x + 0.5f - px, dy = y + 0.5f - py;
                    const float a = clamp01(th + 0.5f - std::sqrt(dx * dx + dy * dy)) * 0.85f;
                    float& dst = alpha[static_cast<std::size_t>(y) * n + x];
                    dst = std::max(dst, a);
                }
        }
    }
    const C3 hair{0.16f, 0.11f, 0.09f};
    for (std::size_t i = 0; i < alpha.size(); ++i)
        if (alpha[i] > 0.f) cv.px[i] = lerp(cv.px[i], hair, alpha[i]);
}

// Renders one picture as 8-bit BGR (OpenCV order, ready for imencode).
cv::Mat renderImage(int n, int classIndex, const SiteProfile& site, Rng& rng) {
    Canvas cv(n);
    // Skin: tone varies per image, with smooth shading and fine texture.
    const C3 skin = lerp({0.94f, 0.80f, 0.70f}, {0.80f, 0.60f, 0.47f}, static_cast<float>(rng.uni()));
    const ValueNoise shade(rng, 4), red(rng, 5), fine(rng, 24);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x) {
            const float fx = (x + 0.5f) / n, fy = (y + 0.5f) / n;
            C3 c = skin * (0.93f + 0.12f * shade.at(fx, fy) + 0.05f * (fine.at(fx, fy) - 0.5f));
            const float rd = 0.05f * (red.at(fx, fy) - 0.5f);
            cv.at(x, y) = c + C3{rd, -0.5f * rd, -0.5f * rd};
        }

    const float ang = static_cast<float>(rng.range(0, 2 * kPi));
    const Frame frame{static_cast<float>(n * (0.5 + rng.range(-0.12, 0.12))),
                      static_cast<float>(n * (0.5 + rng.range(-0.12, 0.12))), std::cos(ang), std::sin(ang)};
    const int pattern = classIndex % 4;
    const float hue = static_cast<float>((classIndex / 4) * 2.0 * kPi * 0.382);
    switch (pattern) {
        case 0: drawNevus(cv, frame, rng, site.magnification, hue); break;
        case 1: drawMelanoma(cv, frame, rng, site.magnification, hue); break;
        case 2: drawKeratosis(cv, frame, rng, site.magnification, hue); break;
        default: drawVascular(cv, frame, rng, site.magnification, hue); break;
    }
    drawHairs(cv, rng, site.hairProbability);

    if (site.blur) {  // soft optics: 3x3 box blur
        std::vector<C3> src = cv.px;
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x) {
                C3 acc;
                int cnt = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= n || yy >= n) continue;
                        acc = acc + src[static_cast<std::size_t>(yy) * n + xx];
                        ++cnt;
                    }
                cv.at(x, y) = acc * (1.f / cnt);
            }
    }

    cv::Mat out(n, n, CV_8UC3);
    for (int y = 0; y < n; ++y) {
        std::uint8_t* row = out.ptr<std::uint8_t>(y);
        for (int x = 0; x < n; ++x) {
            const C3 c = cv.at(x, y);
            float ch[3] = {c.r, c.g, c.b};
            float vig = 1.f;
            if (site.vignette > 0.f) {
                const float dx = (x + 0.5f) / n - 0.5f, dy = (y + 0.5f) / n - 0.5f;
                const float r = std::sqrt(dx * dx + dy * dy);
                vig = 1.f - 0.95f * smoothstep(site.vignette - 0.06f, site.vignette + 0.02f, r);
            }
            for (int k = 0; k < 3; ++k) {
                float v = ((ch[k] - 0.5f) * site.contrast + 0.5f + site.brightness) * site.gain[k];
                v = v * vig + static_cast<float>(rng.normal()) * site.noise;
                ch[k] = clamp01(v);
            }
            row[x * 3 + 0] = static_cast<std::uint8_t>(ch[2] * 255.f + 0.5f);
            row[x * 3 + 1] = static_cast<std::uint8_t>(ch[1] * 255.f + 0.5f);
            row[x * 3 + 2] = static_cast<std::uint8_t>(ch[0] * 255.f + 0.5f);
        }
    }
    if (n >= 48) {  // visible "DEMO" mark, same for every class and site
        const double scale = 0.55 * n / 96.0;
        int baseline = 0;
        const cv::Size ts = cv::getTextSize("DEMO", cv::FONT_HERSHEY_PLAIN, scale, 1, &baseline);
        cv::putText(out, "DEMO", cv::Point(n - ts.width - 2, n - 3), cv::FONT_HERSHEY_PLAIN, scale,
                    cv::Scalar(235, 235, 235), 1, cv::LINE_AA);
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Spec validation, counts and file output
// ---------------------------------------------------------------------------------------

void validate(const DemoDatasetSpec& spec) {
    if (spec.sites < 1 || spec.sites > 1000)
        throw Error("DemoDatasetSpec.sites must be in 1..1000, got " + std::to_string(spec.sites));
    if (spec.classNames.empty()) throw Error("DemoDatasetSpec.classNames is empty");
    if (spec.classNames.size() > 256) throw Error("DemoDatasetSpec.classNames has more than 256 classes");
    const int k = static_cast<int>(spec.classNames.size());
    if (spec.imagesPerSite < k || spec.imagesPerSite > 1'000'000)
        throw Error("DemoDatasetSpec.imagesPerSite must be at least the number of classes (" + std::to_string(k) +
                    ") and at most 1000000, got " + std::to_string(spec.imagesPerSite));
    if (spec.imageSize < 32 || spec.imageSize > 1024)
        throw Error("DemoDatasetSpec.imageSize must be in 32..1024, got " + std::to_string(spec.imageSize));
    if (!(spec.labelSkew >= 0.0 && spec.labelSkew <= 1.0))
        throw Error("DemoDatasetSpec.labelSkew must be in 0..1, got " + std::to_string(spec.labelSkew));
    std::set<std::string> seen;
    for (const auto& name : spec.classNames) {
        const std::string field = "DemoDatasetSpec.classNames entry '" + name + "'";
        if (name.empty() || name == "." || name == "..") throw Error(field + " is not a usable folder name");
        if (name.find_first_of("/\\<>:\"|?*") != std::string::npos)
            throw Error(field + " contains a character not allowed in folder names");
        for (unsigned char c : name)
            if (c < 0x20 || c == 0x7F) throw Error(field + " contains a control character");
        if (name.front() == ' ' || name.back() == ' ' || name.back() == '.')
            throw Error(field + " starts or ends with a space, or ends with a dot");
        if (!seen.insert(name).second) throw Error(field + " appears twice");
    }
}

std::vector<std::vector<int>> computeCounts(const DemoDatasetSpec& spec) {
    const int k = static_cast<int>(spec.classNames.size());
    const int n = spec.imagesPerSite;
    const int minPer = std::max(1, std::min(3, n / k));
    std::vector<std::vector<int>> counts(static_cast<std::size_t>(spec.sites), std::vector<int>(k, minPer));
    for (int s = 0; s < spec.sites; ++s) {
        // Site s prefers class s % k; preference halves with each step away from it.
        std::vector<double> q(k);
        double qs = 0;
        for (int c = 0; c < k; ++c) {
            const int rank = ((c - s) % k + k) % k;
            q[c] = std::ldexp(1.0, -rank);
            qs += q[c];
        }
        const int rest = n - k * minPer;
        std::vector<double> frac(k);
        int given = 0;
        for (int c = 0; c < k; ++c) {
            const double p = (1.0 - spec.labelSkew) / k + spec.labelSkew * q[c] / qs;
            const double exact = rest * p;
            const int fl = static_cast<int>(std::floor(exact));
            counts[s][c] += fl;
            given += fl;
            frac[c] = exact - fl;
        }
        // Largest remainder; ties go to the lower class index.
        std::vector<int> order(k);
        for (int c = 0; c < k; ++c) order[c] = c;
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return frac[a] > frac[b]; });
        for (int i = 0; given < rest; ++i, ++given) counts[s][order[i % k]] += 1;
    }
    return counts;
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void writeFile(const fs::path& path, const void* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path.string() + ": cannot open for writing");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) throw Error(path.string() + ": write failed (disk full?)");
}

}  // namespace

std::vector<std::vector<int>> demoDatasetClassCounts(const DemoDatasetSpec& spec) {
    validate(spec);
    return computeCounts(spec);
}

DemoDatasetSummary generateDemoDataset(const std::string& rootDir, const DemoDatasetSpec& spec) {
    validate(spec);
    if (rootDir.empty()) throw Error("generateDemoDataset: rootDir is empty");
    const fs::path root(rootDir);
    std::error_code ec;
    if (fs::exists(root, ec)) {
        if (!fs::is_directory(root, ec)) throw Error(rootDir + ": exists and is not a folder");
        if (!fs::is_empty(root, ec)) throw Error(rootDir + ": folder is not empty (the demo set needs an empty or new folder)");
    }
    fs::create_directories(root, ec);
    if (ec) throw Error(rootDir + ": cannot create folder: " + ec.message());

    DemoDatasetSummary summary;
    summary.rootDir = rootDir;
    summary.countsPerSiteAndClass = computeCounts(spec);
    const int k = static_cast<int>(spec.classNames.size());
    for (int s = 0; s < spec.sites; ++s) summary.siteNames.push_back("demo-site-" + std::to_string(s + 1));

    std::ostringstream csv;
    csv << "path,label,site\n";
    const std::vector<int> pngParams{cv::IMWRITE_PNG_COMPRESSION, 6};
    std::vector<std::uint8_t> bytes;
    for (int s = 0; s < spec.sites; ++s) {
        const SiteProfile profile = siteProfile(s, spec.seed);
        for (int c = 0; c < k; ++c) {
            const fs::path dir = root / summary.siteNames[s] / spec.classNames[c];
            fs::create_directories(dir, ec);
            if (ec) throw Error(dir.string() + ": cannot create folder: " + ec.message());
            for (int i = 0; i < summary.countsPerSiteAndClass[s][c]; ++i) {
                Rng rng(spec.seed, 0xDE40u, static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(c),
                        static_cast<std::uint32_t>(i));
                const cv::Mat img = renderImage(spec.imageSize, c, profile, rng);
                bytes.clear();
                if (!cv::imencode(".png", img, bytes, pngParams))
                    throw Error((dir / (std::to_string(i) + ".png")).string() + ": PNG encoding failed");
                const std::string file = std::to_string(i) + ".png";
                writeFile(dir / file, bytes.data(), bytes.size());
                csv << csvField(summary.siteNames[s] + "/" + spec.classNames[c] + "/" + file) << ','
                    << csvField(spec.classNames[c]) << ',' << csvField(summary.siteNames[s]) << '\n';
            }
        }
    }
    const std::string csvText = csv.str();
    writeFile(root / "labels.csv", csvText.data(), csvText.size());

    std::ostringstream readme;
    readme << "FedMedCLIP Desktop - SYNTHETIC DEMO DATA\n"
              "========================================\n\n"
              "Every picture in this folder is a procedurally generated drawing made for offline\n"
              "demonstrations of the software. These are NOT medical images: they do not show real\n"
              "patients or real skin lesions, carry no medical meaning, and must not be used to train,\n"
              "validate or evaluate any medical model, nor to inform any clinical decision.\n"
              "Class names start with \"demo\" and each picture carries a small \"DEMO\" mark for this reason.\n\n"
              "What the classes look like (lesion-like shapes on a skin-coloured background):\n"
              "  pattern 1: round, smooth, uniformly brown blob\n"
              "  pattern 2: large irregular, asymmetric blob with several colours\n"
              "  pattern 3: scaly, rough, light-brown/grey patch with cracks and bright dots\n"
              "  pattern 4: cluster of red/purple round dots\n"
              "Class i uses pattern (i mod 4) + 1; classes beyond the fourth get a different hue.\n"
              "Each site imitates a different dermatoscope (colour cast, contrast, brightness, blur,\n"
              "noise, vignette) and has its own class proportions (label skew).\n\n"
              "Generator: fmc::generateDemoDataset\n"
           << "Seed: " << spec.seed << "\n"
           << "Sites: " << spec.sites << ", images per site: " << spec.imagesPerSite << ", image size: "
           << spec.imageSize << " x " << spec.imageSize << " px, label skew: " << spec.labelSkew << "\n\n"
           << "Layout: <site>/<class>/<n>.png; labels.csv lists path,label,site (paths relative to this folder).\n\n"
           << "Images per site and class:\n";
    for (int s = 0; s < spec.sites; ++s) {
        readme << "  " << summary.siteNames[s] << ":";
        for (int c = 0; c < k; ++c)
            readme << (c ? ", " : " ") << spec.classNames[c] << " " << summary.countsPerSiteAndClass[s][c];
        readme << "\n";
    }
    const std::string readmeText = readme.str();
    writeFile(root / "README.txt", readmeText.data(), readmeText.size());
    return summary;
}

}  // namespace fmc
