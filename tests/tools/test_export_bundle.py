"""Tests for tools/export_bundle.py with a small CLIP-shaped torch module (no open_clip).

Run: /usr/bin/python3 -m unittest -v tests/tools/test_export_bundle.py   (from the repo root)
Optional: FMC_BUNDLE_CHECK=<path to the built tst_modelbundle> also checks that the C++
loader accepts the exported bundle and reproduces the Python features.
Optional: FMC_OPEN_CLIP_SRC=<open_clip's src folder> (a checkout of open_clip 2.x, which
runs on Debian's torch 1.13) exports open_clip's own ViT-B-32 with random weights through
main() and compares the C++ bundle with open_clip (features to 1e-4, tokenizer ids).
"""

import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tools"))

import export_bundle as eb  # noqa: E402


def vocabulary_path() -> Path:
    shipped = REPO_ROOT / "resources" / "clip" / eb.CLIP_VOCAB_NAME
    if shipped.is_file():
        return shipped
    shared = Path(os.environ.get("FMC_SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    return shared / "clip-tokenizer" / eb.CLIP_VOCAB_NAME


class TinyClip(torch.nn.Module):
    """CLIP-shaped: encode_image [N,3,S,S] -> [N,D], encode_text [N,L] -> [N,D] taking the
    feature at the end token (argmax id), a log logit_scale; full CLIP vocabulary."""

    def __init__(self, size=32, patch=8, width=32, embed=24, vocab=49408, context=77):
        super().__init__()
        torch.manual_seed(0)
        self.conv1 = torch.nn.Conv2d(3, width, patch, patch, bias=False)
        self.ln_post = torch.nn.LayerNorm(width)
        self.proj = torch.nn.Parameter(torch.randn(width, embed) * width ** -0.5)
        self.token_embedding = torch.nn.Embedding(vocab, width)
        self.positional_embedding = torch.nn.Parameter(torch.randn(context, width) * 0.01)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(width, 2 * width), torch.nn.GELU(),
                                       torch.nn.Linear(2 * width, width))
        self.ln_final = torch.nn.LayerNorm(width)
        self.text_projection = torch.nn.Parameter(torch.randn(width, embed) * width ** -0.5)
        self.logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, image):
        x = self.conv1(image).flatten(2)  # [N, W, G*G]
        x = x.mean(-1) + x.amax(-1)
        return self.ln_post(x) @ self.proj

    def encode_text(self, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = x.cumsum(1) / torch.arange(1, x.shape[1] + 1, dtype=x.dtype).unsqueeze(-1)  # causal mixing
        x = self.ln_final(x + self.mlp(x))
        x = x[torch.arange(x.shape[0]), text.argmax(dim=-1)]
        return x @ self.text_projection


def reference_clip_block(x, p, i, heads, mask=None):
    """One CLIP ResidualAttentionBlock ([L, N, C] layout) with PyTorch's own attention."""
    y = F.layer_norm(x, (x.shape[-1],), p["ln_1_weight"][i], p["ln_1_bias"][i])
    a, _ = F.multi_head_attention_forward(
        y, y, y, x.shape[-1], heads, p["attn_in_proj_weight"][i], p["attn_in_proj_bias"][i], None, None, False, 0.0,
        p["attn_out_proj_weight"][i], p["attn_out_proj_bias"][i], training=False, need_weights=False, attn_mask=mask)
    x = x + a
    y = F.layer_norm(x, (x.shape[-1],), p["ln_2_weight"][i], p["ln_2_bias"][i])
    y = F.linear(y, p["mlp_c_fc_weight"][i], p["mlp_c_fc_bias"][i])
    y = y * torch.sigmoid(1.702 * y)  # QuickGELU
    return x + F.linear(y, p["mlp_c_proj_weight"][i], p["mlp_c_proj_bias"][i])


def reference_clip_image(p, heads, x):
    """CLIP VisionTransformer.forward written with torch.nn.functional, on the demo weights."""
    w = p["conv1_weight"]
    x = F.conv2d(x, w, stride=w.shape[-1]).flatten(2).permute(0, 2, 1)
    x = torch.cat([p["class_embedding"].expand(x.shape[0], 1, -1), x], 1) + p["positional_embedding"]
    x = F.layer_norm(x, (x.shape[-1],), p["ln_pre_weight"], p["ln_pre_bias"]).permute(1, 0, 2)
    for i in range(p["ln_1_weight"].shape[0]):
        x = reference_clip_block(x, p, i, heads)
    x = x.permute(1, 0, 2)
    return F.layer_norm(x[:, 0], (x.shape[-1],), p["ln_post_weight"], p["ln_post_bias"]) @ p["proj"]


def reference_clip_text(p, heads, t):
    """CLIP encode_text written with torch.nn.functional, on the demo weights."""
    length = t.shape[1]
    x = (p["token_embedding"][t] + p["positional_embedding"][:length]).permute(1, 0, 2)
    mask = torch.full((length, length), float("-inf")).triu(1)
    for i in range(p["ln_1_weight"].shape[0]):
        x = reference_clip_block(x, p, i, heads, mask)
    x = F.layer_norm(x.permute(1, 0, 2), (x.shape[-1],), p["ln_final_weight"], p["ln_final_bias"])
    return x[torch.arange(x.shape[0]), t.argmax(-1)] @ p["text_projection"]


def export(model, out, **kwargs):
    args = dict(name="tiny-test", input_size=32, vocabulary_path=vocabulary_path(), description="unit test")
    args.update(kwargs)
    return eb.export_bundle(model, out, **args)


class ExportBundleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="fmc-export-")
        cls.model = TinyClip().eval()
        cls.out = Path(cls.tmp.name) / "bundle"
        cls.manifest = export(cls.model, cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_manifest_fields(self):
        m = json.loads((self.out / "manifest.json").read_text())
        self.assertEqual(m, self.manifest)
        self.assertEqual(list(m.keys()), [
            "format_version", "name", "version", "description", "demo", "embedding_dim", "input_size", "mean",
            "std", "resize_mode", "tokenizer", "context_length", "logit_scale", "files", "bundle_hash"])
        self.assertEqual(m["format_version"], 1)
        self.assertEqual(m["name"], "tiny-test")
        self.assertIs(m["demo"], False)
        self.assertEqual(m["embedding_dim"], 24)
        self.assertEqual(m["input_size"], 32)
        self.assertEqual(m["mean"], list(eb.OPENAI_MEAN))
        self.assertEqual(m["std"], list(eb.OPENAI_STD))
        self.assertEqual(m["resize_mode"], "shorter-side-center-crop")
        self.assertEqual(m["tokenizer"], "clip-bpe")
        self.assertEqual(m["context_length"], 77)
        self.assertAlmostEqual(m["logit_scale"], 1 / 0.07, places=3)
        self.assertEqual(m["files"]["vocabulary"]["path"], "bpe_simple_vocab_16e6.txt.gz")

    def test_hashes(self):
        files = self.manifest["files"]
        digests = []
        for key in ("image_encoder", "text_encoder", "vocabulary"):
            data = (self.out / files[key]["path"]).read_bytes()
            self.assertEqual(files[key]["sha256"], hashlib.sha256(data).hexdigest(), key)
            digests.append(files[key]["sha256"])
        self.assertEqual(self.manifest["bundle_hash"], hashlib.sha256("".join(digests).encode()).hexdigest())
        self.assertEqual(files["vocabulary"]["sha256"], hashlib.sha256(vocabulary_path().read_bytes()).hexdigest())

    def test_traced_equals_eager(self):
        image = torch.jit.load(str(self.out / "image_encoder.pt")).eval()
        text = torch.jit.load(str(self.out / "text_encoder.pt")).eval()
        with torch.no_grad():
            for n in (1, 4, 7):
                x = torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(n))
                torch.testing.assert_close(image(x), self.model.encode_image(x), rtol=1e-5, atol=1e-5)
                t = eb.clip_token_probe(n, 77, seed=n + 10)
                torch.testing.assert_close(text(t), self.model.encode_text(t), rtol=1e-5, atol=1e-5)

    def test_frozen_image_encoder_drops_text_tower(self):
        # The 49408 x 32 token embedding alone is 6.3 MB; the image encoder must not carry it.
        self.assertLess((self.out / "image_encoder.pt").stat().st_size, 1_000_000)
        self.assertGreater((self.out / "text_encoder.pt").stat().st_size, 6_000_000)

    def test_export_is_deterministic_per_process(self):
        # Same model and torch version in a fresh process -> same bytes -> same bundle_hash.
        # (Within one process TorchScript mangles re-traced class names, e.g.
        # ___torch_mangle_41, so a second export there gives other bytes.)
        script = (
            "import sys; sys.path[:0] = [sys.argv[2], sys.argv[3]];"
            "import test_export_bundle as t; print(t.export(t.TinyClip().eval(), sys.argv[1])['bundle_hash'])")
        hashes = []
        with tempfile.TemporaryDirectory() as d:
            for run in ("a", "b"):
                r = subprocess.run([sys.executable, "-c", script, str(Path(d) / run), str(REPO_ROOT / "tools"),
                                    str(Path(__file__).resolve().parent)], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                hashes.append(r.stdout.strip().splitlines()[-1])
        self.assertEqual(hashes[0], hashes[1])
        self.assertEqual(len(hashes[0]), 64)

    def test_refuses_existing_bundle_unless_overwrite(self):
        with self.assertRaisesRegex(eb.ExportError, "already holds a bundle"):
            export(self.model, self.out)
        with tempfile.TemporaryDirectory() as d:
            export(self.model, d)
            export(self.model, d, overwrite=True, name="second")
            self.assertEqual(json.loads((Path(d) / "manifest.json").read_text())["name"], "second")

    def test_unsupported_tokenizer_refused(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(eb.ExportError, "not supported by the FedMedCLIP C\\+\\+ loader.*clip-bpe"):
                export(self.model, d, tokenizer="hf-wordpiece")
            self.assertFalse((Path(d) / "manifest.json").exists())
            vocab = Path(d) / "vocab.txt"
            vocab.write_text("[PAD]\n[UNK]\n")
            tokens = eb.clip_token_probe(2, 77)
            m = export(self.model, Path(d) / "b", tokenizer="hf-wordpiece", vocabulary_path=vocab,
                       example_tokens=tokens, allow_unsupported_tokenizer=True)
            self.assertEqual(m["tokenizer"], "hf-wordpiece")
            self.assertEqual(m["files"]["vocabulary"]["path"], "vocab.txt")

    def test_bad_arguments(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(eb.ExportError, "resize_mode"):
                export(self.model, d, resize_mode="squash")
            with self.assertRaisesRegex(eb.ExportError, "vocabulary"):
                export(self.model, d, vocabulary_path=Path(d) / "missing.gz")
            with self.assertRaisesRegex(eb.ExportError, "encode_image"):
                export(torch.nn.Linear(2, 2), d)
            with self.assertRaisesRegex(eb.ExportError, "logit_scale"):
                export(self.model, d, logit_scale=-1.0)

    def test_untraceable_model_detected(self):
        class Branchy(TinyClip):
            def encode_image(self, image):  # Python branch on the batch size: tracing freezes one side
                y = super().encode_image(image)
                return y if int(image.shape[0]) <= 2 else -y

        with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            with self.assertRaisesRegex(eb.ExportError, "traced image encoder differs"):
                export(Branchy().eval(), d)

    def test_main_without_open_clip(self):
        try:
            import open_clip  # noqa: F401
            self.skipTest("open_clip is installed")
        except ImportError:
            pass
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "export_bundle.py"), "--model", "ViT-B-32",
                                "--pretrained", "openai", "--out", d], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("open_clip is not installed", r.stderr)

    def test_cpp_loader_accepts_bundle(self):
        check = os.environ.get("FMC_BUNDLE_CHECK")
        if not check:
            self.skipTest("FMC_BUNDLE_CHECK (path to the built tst_modelbundle) not set")
        with torch.no_grad():
            images = eb.image_probe(3, 32)
            tokens = eb.clip_token_probe(4, 77, seed=5)
            expected = {
                "tolerance": 1e-4,
                "image_features": self.model.encode_image(images).tolist(),
                "tokens": tokens.tolist(),
                "text_features": self.model.encode_text(tokens).tolist(),
            }
        with tempfile.TemporaryDirectory() as d:
            expected_path = Path(d) / "expected.json"
            expected_path.write_text(json.dumps(expected))
            env = dict(os.environ, FMC_EXTERNAL_BUNDLE=str(self.out), FMC_EXTERNAL_EXPECTED=str(expected_path),
                       QT_QPA_PLATFORM="offscreen")
            r = subprocess.run([check, "loadExternalBundle"], env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("PASS   : TestModelBundle::loadExternalBundle()", r.stdout)

            # A corrupted copy must be rejected, naming the file.
            broken = Path(d) / "broken"
            broken.mkdir()
            for f in self.out.iterdir():
                (broken / f.name).write_bytes(f.read_bytes())
            with open(broken / "text_encoder.pt", "ab") as f:
                f.write(b"x")
            env["FMC_EXTERNAL_BUNDLE"] = str(broken)
            r = subprocess.run([check, "loadExternalBundle"], env=env, capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("text_encoder.pt: SHA-256 mismatch", r.stdout + r.stderr)

    def test_cpp_demo_bundle_matches_reference_clip(self):
        """The C++ demo encoders (TorchScript source in core/engine/demo_bundle.cpp) compute
        exactly CLIP's ViT / text transformer."""
        check = os.environ.get("FMC_BUNDLE_CHECK")
        if not check:
            self.skipTest("FMC_BUNDLE_CHECK (path to the built tst_modelbundle) not set")
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, FMC_WRITE_TINY_BUNDLE=d, QT_QPA_PLATFORM="offscreen")
            r = subprocess.run([check, "writeTinyBundle"], env=env, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            manifest = json.loads((Path(d) / "manifest.json").read_text())
            self.assertTrue(manifest["demo"])
            image = torch.jit.load(str(Path(d) / "image_encoder.pt")).eval()
            text = torch.jit.load(str(Path(d) / "text_encoder.pt")).eval()
        with torch.no_grad():
            x = torch.randn(3, 3, 64, 64, generator=torch.Generator().manual_seed(3))
            torch.testing.assert_close(image(x), reference_clip_image(dict(image.named_parameters()), image.heads, x),
                                       rtol=1e-4, atol=1e-5)
            t = eb.clip_token_probe(3, 77, seed=4)
            torch.testing.assert_close(text(t), reference_clip_text(dict(text.named_parameters()), text.heads, t),
                                       rtol=1e-4, atol=1e-5)
            self.assertEqual(image(x).shape, (3, manifest["embedding_dim"]))


def pil_transforms():
    """What open_clip 2.23's evaluation transform takes from torchvision.transforms (Compose,
    Resize with an int size, CenterCrop, ToTensor, Normalize, InterpolationMode), on PIL
    images, written after torchvision 0.14's functional code for PIL, for a Python without
    torchvision (Debian has none). Anything else open_clip imports from there is inert.
    None when Pillow is missing."""
    try:
        from PIL import Image  # noqa: PLC0415
    except ImportError:
        return None

    class InterpolationMode:
        NEAREST, BILINEAR, BICUBIC = "nearest", "bilinear", "bicubic"

    pil_filter = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
                  InterpolationMode.BICUBIC: Image.BICUBIC}

    class Compose:
        def __init__(self, transforms):
            self.transforms = transforms

        def __call__(self, image):
            for transform in self.transforms:
                image = transform(image)
            return image

    class Resize:
        def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=None):
            self.size, self.interpolation = size, interpolation

        def __call__(self, image):
            w, h = image.size
            if isinstance(self.size, int):  # the shorter side to size, the longer truncated
                short, long = (w, h) if w <= h else (h, w)
                new_short, new_long = self.size, int(self.size * long / short)
                size = (new_short, new_long) if w <= h else (new_long, new_short)
            else:
                size = (self.size[1], self.size[0])
            return image if size == (w, h) else image.resize(size, pil_filter[self.interpolation])

    class CenterCrop:
        def __init__(self, size):
            self.size = (size, size) if isinstance(size, int) else tuple(size)

        def __call__(self, image):
            w, h = image.size
            crop_h, crop_w = self.size
            if crop_w > w or crop_h > h:
                raise ValueError("CenterCrop: an image smaller than the crop is not needed here")
            top, left = int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0))
            return image.crop((left, top, left + crop_w, top + crop_h))

    class ToTensor:
        def __call__(self, image):
            channels = len(image.getbands())
            data = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
            data = data.view(image.size[1], image.size[0], channels).permute(2, 0, 1).contiguous()
            return data.to(dtype=torch.get_default_dtype()).div(255)

    class Normalize:
        def __init__(self, mean, std):
            self.mean, self.std = mean, std

        def __call__(self, tensor):
            mean = torch.as_tensor(self.mean, dtype=tensor.dtype).view(-1, 1, 1)
            std = torch.as_tensor(self.std, dtype=tensor.dtype).view(-1, 1, 1)
            return tensor.sub(mean).div(std)

    return {"InterpolationMode": InterpolationMode, "Compose": Compose, "Resize": Resize,
            "CenterCrop": CenterCrop, "ToTensor": ToTensor, "Normalize": Normalize}


def import_open_clip(src):
    """open_clip from a source folder. Debian has neither torchvision (used by open_clip's
    image transforms), ftfy, tqdm nor huggingface_hub: each missing one is replaced by an inert
    module, which is enough to build a model from its config (no downloads); torchvision's
    evaluation transforms come from pil_transforms() where Pillow is there."""
    import types

    class Meta(type):
        def __getattr__(cls, name):
            return Inert

    class Inert(metaclass=Meta):
        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, *args, **kwargs):
            return Inert()

        def __getattr__(self, name):
            return Inert()

    for name in ("torchvision", "torchvision.ops", "torchvision.ops.misc", "torchvision.transforms",
                 "torchvision.transforms.functional", "ftfy", "tqdm", "huggingface_hub", "huggingface_hub.utils"):
        try:
            __import__(name)
        except ImportError:
            module = types.ModuleType(name)
            module.__getattr__ = lambda attribute: Inert
            module.__path__ = []
            sys.modules[name] = module
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(sys.modules[parent], child, module)
            transforms = pil_transforms() if name == "torchvision.transforms" else None
            if transforms:
                module.__dict__.update(transforms)
    if not hasattr(sys.modules["ftfy"], "fix_text") or sys.modules["ftfy"].fix_text is Inert:
        import unicodedata  # noqa: PLC0415  (the reference vectors approximate ftfy by NFC too)

        sys.modules["ftfy"].fix_text = lambda text: unicodedata.normalize("NFC", text)
    sys.path.insert(0, src)
    import open_clip  # noqa: PLC0415

    return open_clip


@unittest.skipUnless(os.environ.get("FMC_OPEN_CLIP_SRC"), "FMC_OPEN_CLIP_SRC (open_clip's src folder) not set")
class OpenClipViTB32Test(unittest.TestCase):
    PROMPTS = ["a picture of a glioma", "a picture of a pigmented benign keratosis",
               "a picture of a notumor", "a picture of an actinic keratosis"]

    @classmethod
    def setUpClass(cls):
        try:
            cls.open_clip = import_open_clip(os.environ["FMC_OPEN_CLIP_SRC"])
        except ImportError as error:  # e.g. python3-regex missing: say so rather than pass
            raise unittest.SkipTest(f"open_clip cannot be imported here: {error}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="fmc-openclip-")
        cls.out = Path(cls.tmp.name) / "vit-b-32"
        torch.manual_seed(0)
        sys.modules["open_clip"] = cls.open_clip
        status = eb.main(["--model", "ViT-B-32", "--out", str(cls.out), "--vocabulary", str(vocabulary_path())])
        assert status == 0, status
        torch.manual_seed(0)  # the same random weights as the exported model
        cls.model, _, cls.preprocess = cls.open_clip.create_model_and_transforms("ViT-B-32", pretrained=None)
        cls.model.eval()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_manifest_is_vit_b32(self):
        m = json.loads((self.out / "manifest.json").read_text())
        self.assertEqual((m["embedding_dim"], m["input_size"], m["context_length"]), (512, 224, 77))
        self.assertEqual(m["resize_mode"], "shorter-side-center-crop")
        self.assertEqual(m["tokenizer"], "clip-bpe")
        self.assertAlmostEqual(m["logit_scale"], float(self.model.logit_scale.exp()), places=4)

    def test_tokenizer_matches_openai_reference(self):
        # The C++ tokenizer is byte-exact with these ids (tests/text/tst_cliptokenizer.cpp).
        shared = Path(os.environ.get("FMC_SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
        vectors = shared / "clip-tokenizer" / "clip_tokenizer_vectors.json"
        if not vectors.is_file():
            self.skipTest(f"{vectors} not found")
        tokenizer = self.open_clip.get_tokenizer("ViT-B-32")
        cases = json.loads(vectors.read_text())
        cases = cases.get("vectors", cases) if isinstance(cases, dict) else cases
        differing = []
        for case in cases:
            ids = tokenizer([case["text"]])[0].tolist()
            if ids != case["context_77"]:
                differing.append(case["text"])
        # Without ftfy (not in Debian) both sides normalise by NFC: every text must match.
        print(f"open_clip tokenizer vs OpenAI reference: {len(cases) - len(differing)}/{len(cases)} identical; "
              f"differing: {differing}", file=sys.stderr)
        self.assertEqual(differing, [])

    def test_cpp_bundle_matches_open_clip(self):
        check = os.environ.get("FMC_BUNDLE_CHECK")
        if not check:
            self.skipTest("FMC_BUNDLE_CHECK (path to the built tst_modelbundle) not set")
        tokenizer = self.open_clip.get_tokenizer("ViT-B-32")
        with torch.no_grad():
            images = eb.image_probe(2, 224)
            tokens = tokenizer(self.PROMPTS)
            expected = {
                "tolerance": 1e-4,
                "image_features": self.model.encode_image(images).tolist(),
                "tokens": tokens.tolist(),
                "text_features": self.model.encode_text(tokens).tolist(),
                "prompts": self.PROMPTS,
                "prompt_features": self.model.encode_text(tokens).tolist(),
            }
        with tempfile.TemporaryDirectory() as d:
            expected_path = Path(d) / "expected.json"
            expected_path.write_text(json.dumps(expected))
            env = dict(os.environ, FMC_EXTERNAL_BUNDLE=str(self.out), FMC_EXTERNAL_EXPECTED=str(expected_path),
                       QT_QPA_PLATFORM="offscreen")
            r = subprocess.run([check, "loadExternalBundle"], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("PASS   : TestModelBundle::loadExternalBundle()", r.stdout)

    # Real files: dermoscopy (180 x 180 RGB, enlarged) and brain MRI (greyscale; square,
    # wide, tall and 1149 x 1019, reduced), so resizing both ways and both crops are covered.
    REAL_IMAGES = ["dermoscopy-isic9/Train/actinic keratosis/ISIC_0025780.jpg",
                   "dermoscopy-isic9/Train/melanoma/ISIC_0000139.jpg",
                   "brain-mri/glioma/Te-glTr_0000.jpg",
                   "brain-mri/meningioma/Te-meTr_0000.jpg",
                   "brain-mri/meningioma/Te-meTr_0001.jpg",
                   "brain-mri/meningioma/Te-me_0066.jpg"]

    def test_cpp_bundle_matches_open_clip_on_real_images(self):
        """Real JPEGs decoded by Pillow and preprocessed by open_clip's own evaluation transform
        give the image features the C++ side gets decoding and preprocessing them itself."""
        check = os.environ.get("FMC_BUNDLE_CHECK")
        if not check:
            self.skipTest("FMC_BUNDLE_CHECK (path to the built tst_modelbundle) not set")
        try:
            from PIL import Image  # noqa: PLC0415
        except ImportError:
            self.skipTest("Pillow is not installed (Debian: python3-pil)")
        shared = Path(os.environ.get("FMC_SHARED_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
        files = [shared / name for name in self.REAL_IMAGES]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            self.skipTest(f"shared test images not found: {missing}")
        with torch.no_grad():
            inputs = torch.stack([self.preprocess(Image.open(f)) for f in files])
            features = self.model.encode_image(inputs)
        with tempfile.TemporaryDirectory() as d:
            inputs_path = Path(d) / "inputs.f32"
            inputs_path.write_bytes(inputs.contiguous().numpy().tobytes())  # float32, native order
            expected_path = Path(d) / "expected.json"
            expected_path.write_text(json.dumps({"tolerance": 1e-4, "image_files": [str(f) for f in files],
                                                 "image_file_features": features.tolist(),
                                                 "image_file_inputs": str(inputs_path)}))
            env = dict(os.environ, FMC_EXTERNAL_BUNDLE=str(self.out), FMC_EXTERNAL_EXPECTED=str(expected_path),
                       QT_QPA_PLATFORM="offscreen")
            r = subprocess.run([check, "loadExternalBundle"], env=env, capture_output=True, text=True)
        print(r.stdout[-4000:], file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("PASS   : TestModelBundle::loadExternalBundle()", r.stdout)


if __name__ == "__main__":
    unittest.main()
