#!/usr/bin/env python3
"""Export a CLIP model (open_clip) as a FedMedCLIP model bundle.

A bundle is a folder that the C++ side (core/engine/model_bundle.h) loads:

    manifest.json                  format_version 1, preprocessing, hashes (see below)
    image_encoder.pt               TorchScript: float32 [N,3,S,S] -> [N,D]
    text_encoder.pt                TorchScript: int64 [N,L] -> [N,D]
    bpe_simple_vocab_16e6.txt.gz   tokenizer vocabulary (tokenizer "clip-bpe")

bundle_hash = sha256 of the ASCII string image_sha256 + text_sha256 + vocabulary_sha256
(three lowercase hex digests, concatenated), exactly as fmc::computeBundleHash.

Usage:
    python3 tools/export_bundle.py --model ViT-B-32 --pretrained openai --out DIR
    python3 tools/export_bundle.py --biomedclip --out DIR      # refused, see below

BiomedCLIP (hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224) tokenises
with a PubMedBERT WordPiece tokenizer, not CLIP BPE. Its bundle would be marked
tokenizer "hf-wordpiece", which the C++ loader does not support yet, so the export is
refused unless --allow-unsupported-tokenizer is given.

The export logic (export_bundle()) takes any CLIP-shaped torch module with
encode_image(images), encode_text(tokens) and a logit_scale parameter (log value, as in
CLIP); open_clip is imported only by main(), so the logic is testable without it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
from pathlib import Path
from typing import Optional, Sequence

import torch

FORMAT_VERSION = 1
# Tokenizers that core/engine/model_bundle.cpp can load.
SUPPORTED_TOKENIZERS = ("clip-bpe",)
RESIZE_MODES = ("shorter-side-center-crop", "stretch")
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
CLIP_VOCAB_NAME = "bpe_simple_vocab_16e6.txt.gz"
CLIP_START_TOKEN = 49406
CLIP_END_TOKEN = 49407
BIOMEDCLIP = "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224"
REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_CLIP_VOCAB = REPO_ROOT / "resources" / "clip" / CLIP_VOCAB_NAME


class ExportError(RuntimeError):
    """A bundle cannot be written; the message says why."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def compute_bundle_hash(image_sha256: str, text_sha256: str, vocabulary_sha256: str) -> str:
    return hashlib.sha256((image_sha256 + text_sha256 + vocabulary_sha256).encode("ascii")).hexdigest()


class _ImageEncoder(torch.nn.Module):
    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model.encode_image(images)


class _TextEncoder(torch.nn.Module):
    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.model.encode_text(tokens)


def image_probe(count: int, input_size: int) -> torch.Tensor:
    """Deterministic image batch, x[i] = ((i * 7919) % 1000) / 1000 - 0.5 over the flat
    [count,3,S,S] index; tests/engine/tst_modelbundle.cpp builds the same one."""
    i = torch.arange(count * 3 * input_size * input_size, dtype=torch.int64)
    return (((i * 7919) % 1000).to(torch.float32) / 1000.0 - 0.5).reshape(count, 3, input_size, input_size)


def clip_token_probe(count: int, context_length: int, seed: int = 0) -> torch.Tensor:
    """CLIP-style token rows: <start>, a few random BPE ids, <end>, zero padding; the end
    token sits at a different position in each row."""
    g = torch.Generator().manual_seed(seed)
    rows = torch.zeros(count, context_length, dtype=torch.int64)
    for r in range(count):
        n = min(context_length - 2, 2 + (5 * r) % max(1, context_length - 3))
        rows[r, 0] = CLIP_START_TOKEN
        rows[r, 1 : 1 + n] = torch.randint(1, CLIP_START_TOKEN, (n,), generator=g)
        rows[r, 1 + n] = CLIP_END_TOKEN
    return rows


def _trace(wrapper: torch.nn.Module, example: torch.Tensor, freeze: bool) -> torch.jit.ScriptModule:
    with torch.no_grad():
        traced = torch.jit.trace(wrapper, (example,), check_trace=False)
        traced.eval()
        if freeze:
            # Inlines the weights the forward uses and drops the rest (the wrapper holds the
            # whole CLIP model, so an unfrozen image encoder would also carry the text tower).
            traced = torch.jit.freeze(traced)
    return traced


def _max_rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    scale = max(1.0, float(b.abs().max()))
    return float((a - b).abs().max()) / scale


def export_bundle(
    model: torch.nn.Module,
    out_dir,
    *,
    name: str,
    input_size: int,
    vocabulary_path,
    version: str = "1.0.0",
    description: str = "",
    demo: bool = False,
    mean: Sequence[float] = OPENAI_MEAN,
    std: Sequence[float] = OPENAI_STD,
    resize_mode: str = "shorter-side-center-crop",
    tokenizer: str = "clip-bpe",
    context_length: int = 77,
    logit_scale: Optional[float] = None,
    example_tokens: Optional[torch.Tensor] = None,
    allow_unsupported_tokenizer: bool = False,
    overwrite: bool = False,
    freeze: bool = True,
    tolerance: float = 1e-4,
) -> dict:
    """Traces model.encode_image / model.encode_text to TorchScript, writes the bundle to
    out_dir and returns the manifest (a dict, as written to manifest.json).

    logit_scale: the exp()-ed scale; taken from model.logit_scale (a log value, as in
    CLIP) when None. example_tokens: [N, context_length] int64 rows to trace and check the
    text encoder with; CLIP-style rows by default. The saved encoders are reloaded and
    compared with the eager model on batches of another size (max relative difference
    <= tolerance), else ExportError.
    """
    out = Path(out_dir)
    vocabulary_path = Path(vocabulary_path)
    if tokenizer not in SUPPORTED_TOKENIZERS and not allow_unsupported_tokenizer:
        raise ExportError(
            f"tokenizer '{tokenizer}' is not supported by the FedMedCLIP C++ loader "
            f"(supported: {', '.join(SUPPORTED_TOKENIZERS)}); refusing to write a bundle it cannot load "
            "(pass allow_unsupported_tokenizer / --allow-unsupported-tokenizer to write it anyway)")
    if resize_mode not in RESIZE_MODES:
        raise ExportError(f"resize_mode '{resize_mode}' must be one of {', '.join(RESIZE_MODES)}")
    if len(mean) != 3 or len(std) != 3 or any(s <= 0 for s in std):
        raise ExportError("mean and std must hold 3 numbers each, std positive")
    if input_size <= 0 or context_length <= 0:
        raise ExportError("input_size and context_length must be positive")
    if not vocabulary_path.is_file():
        raise ExportError(f"{vocabulary_path}: vocabulary file not found")
    if not hasattr(model, "encode_image") or not hasattr(model, "encode_text"):
        raise ExportError("model must provide encode_image(images) and encode_text(tokens)")
    if logit_scale is None:
        if not hasattr(model, "logit_scale"):
            raise ExportError("model has no logit_scale; pass logit_scale explicitly")
        logit_scale = float(torch.as_tensor(model.logit_scale).detach().float().exp())
    if not (math.isfinite(logit_scale) and logit_scale > 0):
        raise ExportError(f"logit_scale must be a positive finite number, got {logit_scale}")
    if (out / "manifest.json").exists() and not overwrite:
        raise ExportError(f"{out}: already holds a bundle (manifest.json); pass overwrite=True / --overwrite")

    model = model.float().eval()
    if example_tokens is None:
        if tokenizer != "clip-bpe":
            raise ExportError(f"example_tokens are needed to trace a '{tokenizer}' text encoder")
        example_tokens = clip_token_probe(2, context_length, seed=1)
        check_tokens = clip_token_probe(3, context_length, seed=2)
    else:
        example_tokens = torch.as_tensor(example_tokens, dtype=torch.int64)
        check_tokens = torch.cat([example_tokens, example_tokens[:1]], 0)
    if example_tokens.dim() != 2 or example_tokens.shape[1] != context_length:
        raise ExportError(f"example_tokens must be [N, {context_length}], got {list(example_tokens.shape)}")
    example_images = image_probe(2, input_size)
    check_images = image_probe(3, input_size).flip(0).contiguous()

    with torch.no_grad():
        eager_image = model.encode_image(check_images).float()
        eager_text = model.encode_text(check_tokens).float()
    if eager_image.dim() != 2 or eager_image.shape[0] != 3:
        raise ExportError(f"encode_image returned shape {list(eager_image.shape)}, expected [N, D]")
    embedding_dim = int(eager_image.shape[1])
    if list(eager_text.shape) != [check_tokens.shape[0], embedding_dim]:
        raise ExportError(
            f"encode_text returned shape {list(eager_text.shape)}, expected [{check_tokens.shape[0]}, {embedding_dim}]")

    out.mkdir(parents=True, exist_ok=True)
    image_path = out / "image_encoder.pt"
    text_path = out / "text_encoder.pt"
    vocab_name = CLIP_VOCAB_NAME if tokenizer == "clip-bpe" else vocabulary_path.name
    vocab_target = out / vocab_name

    torch.jit.save(_trace(_ImageEncoder(model), example_images, freeze), str(image_path))
    torch.jit.save(_trace(_TextEncoder(model), example_tokens, freeze), str(text_path))
    if not (vocab_target.exists() and vocab_target.resolve() == vocabulary_path.resolve()):
        shutil.copyfile(vocabulary_path, vocab_target)

    # What the C++ side will run: reload the saved files and compare with eager.
    with torch.no_grad():
        traced_image = torch.jit.load(str(image_path)).eval()(check_images).float()
        traced_text = torch.jit.load(str(text_path)).eval()(check_tokens).float()
    for what, traced, eager in (("image", traced_image, eager_image), ("text", traced_text, eager_text)):
        if traced.shape != eager.shape or _max_rel_diff(traced, eager) > tolerance:
            raise ExportError(
                f"traced {what} encoder differs from the eager model (shape {list(traced.shape)} vs "
                f"{list(eager.shape)}, max relative difference {_max_rel_diff(traced, eager) if traced.shape == eager.shape else 'n/a'}); "
                "the model probably has data-dependent control flow that tracing cannot capture")

    files = {
        "image_encoder": {"path": image_path.name, "sha256": sha256_file(image_path)},
        "text_encoder": {"path": text_path.name, "sha256": sha256_file(text_path)},
        "vocabulary": {"path": vocab_name, "sha256": sha256_file(vocab_target)},
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "version": version,
        "description": description,
        "demo": bool(demo),
        "embedding_dim": embedding_dim,
        "input_size": int(input_size),
        "mean": [float(v) for v in mean],
        "std": [float(v) for v in std],
        "resize_mode": resize_mode,
        "tokenizer": tokenizer,
        "context_length": int(context_length),
        "logit_scale": float(logit_scale),
        "files": files,
        "bundle_hash": compute_bundle_hash(
            files["image_encoder"]["sha256"], files["text_encoder"]["sha256"], files["vocabulary"]["sha256"]),
    }
    with open(out / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return manifest


# ----------------------------------------------------------------------------- open_clip


def _open_clip_tokenizer(open_clip, model_name: str, vocabulary: Optional[str]):
    """(tokenizer kind, vocabulary path, context length or None) for an open_clip model."""
    tok = open_clip.get_tokenizer(model_name)
    context_length = getattr(tok, "context_length", None)
    simple = getattr(getattr(open_clip, "tokenizer", None), "SimpleTokenizer", None)
    if simple is not None and isinstance(tok, simple):
        if vocabulary:
            return "clip-bpe", Path(vocabulary), context_length
        default_bpe = getattr(open_clip.tokenizer, "default_bpe", None)
        path = Path(default_bpe()) if default_bpe else SHIPPED_CLIP_VOCAB
        return "clip-bpe", (path if path.is_file() else SHIPPED_CLIP_VOCAB), context_length
    # HFTokenizer (e.g. BiomedCLIP's PubMedBERT WordPiece).
    hf = getattr(tok, "tokenizer", None)
    vocab_path = None
    if vocabulary:
        vocab_path = Path(vocabulary)
    elif hf is not None and hasattr(hf, "save_vocabulary"):
        import tempfile

        saved = hf.save_vocabulary(tempfile.mkdtemp(prefix="fmc-vocab-"))
        vocab_path = Path(saved[0])
    return "hf-wordpiece", vocab_path, context_length


def _preprocess_config(model, default_size: int):
    cfg = dict(getattr(getattr(model, "visual", None), "preprocess_cfg", None) or {})
    size = cfg.get("size", getattr(getattr(model, "visual", None), "image_size", default_size))
    if isinstance(size, (tuple, list)):
        if len(set(size)) != 1:
            raise ExportError(f"non-square input size {tuple(size)} is not supported")
        size = size[0]
    mean = cfg.get("mean", getattr(getattr(model, "visual", None), "image_mean", None) or OPENAI_MEAN)
    std = cfg.get("std", getattr(getattr(model, "visual", None), "image_std", None) or OPENAI_STD)
    mode = cfg.get("resize_mode", "shortest")
    resize_modes = {"shortest": "shorter-side-center-crop", "squash": "stretch"}
    if mode not in resize_modes:
        raise ExportError(f"open_clip resize_mode '{mode}' has no bundle equivalent (supported: shortest, squash)")
    return int(size), tuple(mean), tuple(std), resize_modes[mode]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="open_clip model name, e.g. ViT-B-32 or hf-hub:...")
    parser.add_argument("--pretrained", default=None, help="open_clip pretrained tag, e.g. openai")
    parser.add_argument("--biomedclip", action="store_true", help=f"shorthand for --model {BIOMEDCLIP}")
    parser.add_argument("--out", required=True, help="bundle folder to write")
    parser.add_argument("--name", help="bundle name (default: derived from the model)")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--description", default=None)
    parser.add_argument("--vocabulary", help="tokenizer vocabulary file (default: open_clip's / the shipped copy)")
    parser.add_argument("--allow-unsupported-tokenizer", action="store_true",
                        help="write the bundle even if the C++ loader cannot use its tokenizer")
    parser.add_argument("--overwrite", action="store_true", help="replace a bundle already in --out")
    parser.add_argument("--no-freeze", action="store_true",
                        help="keep the encoders' parameters (needed by the FedAVG/FedProx/MOON baselines, "
                             "which fine-tune them); the default freezes for inference")
    args = parser.parse_args(argv)

    if args.biomedclip:
        args.model = BIOMEDCLIP
    if not args.model:
        parser.error("--model (or --biomedclip) is required")

    try:
        import open_clip  # noqa: PLC0415  (optional dependency, only for real exports)
    except ImportError:
        print("export_bundle.py: open_clip is not installed (pip install open_clip_torch); "
              "it is needed to fetch the model, not for export_bundle() itself", file=sys.stderr)
        return 2

    try:
        tokenizer, vocab_path, tok_context = _open_clip_tokenizer(open_clip, args.model, args.vocabulary)
        if tokenizer not in SUPPORTED_TOKENIZERS and not args.allow_unsupported_tokenizer:
            raise ExportError(
                f"{args.model} uses a '{tokenizer}' tokenizer (BiomedCLIP: PubMedBERT WordPiece), but the FedMedCLIP "
                f"C++ loader supports only {', '.join(SUPPORTED_TOKENIZERS)}; refusing to export a bundle it cannot "
                "load. Use --allow-unsupported-tokenizer to write it anyway.")
        if vocab_path is None:
            raise ExportError("could not find the tokenizer vocabulary; pass --vocabulary")
        model, _, _ = open_clip.create_model_and_transforms(args.model, pretrained=args.pretrained)
        model.eval()
        input_size, mean, std, resize_mode = _preprocess_config(model, 224)
        context_length = int(getattr(model, "context_length", None) or tok_context or 77)
        example_tokens = None
        if tokenizer != "clip-bpe":
            tok = open_clip.get_tokenizer(args.model)
            example_tokens = tok(["a photo of a chest x-ray", "an H&E histopathology image"])
        tag = f"{args.model}-{args.pretrained}" if args.pretrained else args.model
        name = args.name or tag.replace("hf-hub:", "").replace("/", "-").lower()
        description = args.description or f"open_clip {args.model} (pretrained: {args.pretrained or 'hub'})"
        manifest = export_bundle(
            model, args.out, name=name, version=args.version, description=description, demo=False,
            input_size=input_size, mean=mean, std=std, resize_mode=resize_mode, tokenizer=tokenizer,
            vocabulary_path=vocab_path, context_length=context_length, example_tokens=example_tokens,
            allow_unsupported_tokenizer=args.allow_unsupported_tokenizer, overwrite=args.overwrite,
            freeze=not args.no_freeze)
    except ExportError as e:
        print(f"export_bundle.py: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {manifest['name']}, embedding_dim {manifest['embedding_dim']}, "
          f"bundle_hash {manifest['bundle_hash']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
