#!/usr/bin/python3
"""An independent implementation of FedMedCLIP's local training and prediction, written from
docs/method.md (not from the C++ engine), checked against the engine on the same weights,
features and batches.

The C++ helper (fedmedclip_crosscheck_export) writes a small task, the engine's loss terms and
gradients of one batch, its full state after each of three local rounds and its predictions.
This script recomputes all of them in float64 and requires agreement to 1e-5 (absolute, plus
1e-5 relative), in the default method, with an active pruning schedule, with the keep <= 1%
reset firing, and in the released code's mode.

Run: crosscheck_fedmedclip.py HELPER   (exits 77, CTest's skip code, when torch is missing)
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

try:
    import torch
except ImportError:  # Debian: apt-get install python3-torch (for /usr/bin/python3)
    print("SKIP: this python has no torch (install Debian's python3-torch for /usr/bin/python3)")
    sys.exit(77)

torch.set_default_dtype(torch.float64)
TOLERANCE = 1e-5


def tensor(entry):
    return torch.tensor(entry["values"], dtype=torch.float64).reshape(entry["shape"])


# ---- the method, from docs/method.md -------------------------------------------------------

class Step(torch.autograd.Function):
    """Heaviside step of x = u - t (kept iff x > cutoff) with the straight-through surrogate."""

    @staticmethod
    def forward(ctx, x, reversed_window, cutoff):
        ctx.save_for_backward(x)
        ctx.reversed_window = reversed_window
        return (x > cutoff).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = x.abs()
        if ctx.reversed_window:
            surrogate = (a > 1).to(x.dtype)
        else:
            surrogate = torch.where(a <= 0.4, 2 - 4 * a, torch.where(a <= 1, torch.full_like(x, 0.4), torch.zeros_like(x)))
        return grad * surrogate, None, None


class Model:
    LAYERS = ["fam.fc1", "fam.fc2", "mlp.fc1", "mlp.fc2", "mlp.fc3", "mlp.fc4"]

    def __init__(self, state, options):
        self.o = options
        self.p = {k: v.clone().requires_grad_(not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
                  for k, v in state.items()}

    def mask(self, layer):
        w, t = self.p[layer + ".weight"], self.p[layer + ".threshold"]
        u = w.abs().mean(1)
        return Step.apply(u - t, self.o["reversed_mask_gradient"], self.o["mask_forward_cutoff"])

    def keep_ratio(self, layer):
        with torch.no_grad():
            return self.mask(layer).mean().item()

    def linear(self, layer, x):
        w = self.p[layer + ".weight"] * self.mask(layer).unsqueeze(1)
        return x @ w.t() + self.p[layer + ".bias"]

    def fam(self, x):
        h = self.linear("fam.fc1", x)
        h = (h - h.mean(1, keepdim=True)) / torch.sqrt(h.var(1, unbiased=False, keepdim=True) + 1e-5)
        a = torch.softmax(self.linear("fam.fc2", torch.relu(h)), 1)
        f = a * x
        return f / f.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def batch_norm(self, name, h, training):
        gamma, beta = self.p[name + ".weight"], self.p[name + ".bias"]
        if training:
            mean, var = h.mean(0), h.var(0, unbiased=False)
            with torch.no_grad():
                n = h.shape[0]
                self.p[name + ".running_mean"].mul_(0.9).add_(0.1 * mean)
                self.p[name + ".running_var"].mul_(0.9).add_(0.1 * var * n / (n - 1))
                self.p[name + ".num_batches_tracked"].add_(1)
        else:
            mean, var = self.p[name + ".running_mean"], self.p[name + ".running_var"]
        return (h - mean) / torch.sqrt(var + 1e-5) * gamma + beta

    def mlp(self, x, training):
        h = x
        for i in (1, 2, 3):
            h = torch.relu(self.batch_norm("mlp.bn%d" % i, self.linear("mlp.fc%d" % i, h), training))
        return self.linear("mlp.fc4", h)

    def fam_input(self, raw):
        return raw / raw.norm(dim=1, keepdim=True) if self.o["normalise_fam_input"] else raw


def entropy(logits, softmax_twice):
    p = torch.softmax(logits, 1)
    q = torch.softmax(p, 1) if softmax_twice else p
    return -(p * torch.log(q)).sum(1)


def distill(teacher, student, temperature, detach):
    if detach:
        teacher = teacher.detach()
    pt = torch.softmax(teacher / temperature, 0)
    ps = torch.softmax(student / temperature, 0)
    return (pt * (torch.log(pt) - torch.log(ps))).sum(0).mean()


def loss_terms(model, x, y, text, scale):
    o = model.o
    f = model.fam(x)
    logits = scale * f @ text[y].t()
    targets = torch.arange(len(y))
    contrastive = (torch.nn.functional.cross_entropy(logits, targets) +
                   torch.nn.functional.cross_entropy(logits.t(), targets)) / 2
    mlp_logits = model.mlp(f, training=True)
    mlp_ce = torch.nn.functional.cross_entropy(mlp_logits, y)
    s = f @ text.t()
    mlp_teaches = distill(mlp_logits, s, o["distillation_temperature"], o["detach_teacher"])
    fam_teaches = distill(s, mlp_logits, o["distillation_temperature"], o["detach_teacher"])
    alpha = 0.5
    if o["adaptive_weighting"]:
        with torch.no_grad():
            w_f = 1 / entropy(100 * s, o["entropy_on_softmax_twice"])
            w_m = 1 / entropy(mlp_logits, o["entropy_on_softmax_twice"])
            alpha = (w_m / (w_f + w_m)).mean().item()
    distillation = (alpha * mlp_teaches + (1 - alpha) * fam_teaches) / 2
    total = contrastive + mlp_ce + o["distillation_weight"] * distillation
    return dict(total=total, contrastive=contrastive, mlp=mlp_ce, mlp_teaches=mlp_teaches,
                fam_teaches=fam_teaches, distillation=distillation, alpha=alpha)


class AdamW:
    """AdamW (decoupled weight decay), betas (0.9, 0.98), eps 1e-6, bias-corrected."""

    def __init__(self):
        self.m, self.v, self.k = {}, {}, 0

    def step(self, params, rates, weight_decay):
        self.k += 1
        b1, b2, eps = 0.9, 0.98, 1e-6
        with torch.no_grad():
            for name, p in params.items():
                if p.grad is None:
                    continue
                lr = rates[name.split(".")[0]]
                g = p.grad
                m = self.m[name] = b1 * self.m.get(name, torch.zeros_like(p)) + (1 - b1) * g
                v = self.v[name] = b2 * self.v.get(name, torch.zeros_like(p)) + (1 - b2) * g * g
                p.mul_(1 - lr * weight_decay)
                p.sub_(lr / (1 - b1 ** self.k) * m / (torch.sqrt(v) / math.sqrt(1 - b2 ** self.k) + eps))


def sparsity_step(model, layer, steps):
    o = model.o
    with torch.no_grad():
        w, t = model.p[layer + ".weight"], model.p[layer + ".threshold"]
        u = w.abs().mean().item()
        before = model.mask(layer) > 0
        previous = t.clone()
        t.add_(torch.exp(-t / u) * o["mask_sparsity_weight"] * u / steps)
        after = model.mask(layer) > 0
        missing = math.ceil(o["fam_keep_target"] * len(t) - 1e-9) - int(after.sum())
        scores = w.abs().mean(1)
        newly = sorted((r for r in range(len(t)) if before[r] and not after[r]), key=lambda r: (-scores[r].item(), r))
        for r in newly[:max(0, missing)]:
            t[r] = previous[r]


def train_round(model, optimizer, round_index, features, labels, text, scale):
    o = model.o
    if o["reset_thresholds_each_round"]:
        for layer in Model.LAYERS:
            model.p[layer + ".threshold"].data.zero_()
    if not o["keep_optimizer_state"]:
        optimizer = AdamW()
    decay = o["learning_rate_decay"] ** round_index
    rates = {"fam": o["fam_learning_rate"] * decay, "mlp": o["mlp_learning_rate"] * decay}
    n, b = features.shape[0], o["batch_size"]
    batches = [(s, min(s + b, n)) for s in range(0, n, b)]
    batches = [(s, e) for s, e in batches if e - s >= 2 and not (o["drop_last_batch"] and e - s < b)]
    x_all = model.fam_input(features)
    trainable = {k: v for k, v in model.p.items() if v.requires_grad}
    sums = dict(loss=0.0, contrastive=0.0, mlp=0.0, distillation=0.0, alpha=0.0)
    for _ in range(o["local_epochs"]):
        for s, e in batches:
            terms = loss_terms(model, x_all[s:e], labels[s:e], text, scale)
            for p in trainable.values():
                p.grad = None
            terms["total"].backward()
            optimizer.step(trainable, rates, o["weight_decay"])
            # Pruning schedule: in units of the layer's mean row score u, t/u grows by
            # (lambda / steps) exp(-t/u) after every step while the layer keeps more than the
            # target; rows this step pruned beyond the target (the strongest first) keep their
            # previous thresholds.
            if o["prune_fam"] and o["use_masks"] and o["mask_sparsity_weight"] > 0:
                for layer in ("fam.fc1", "fam.fc2"):
                    if model.keep_ratio(layer) > o["fam_keep_target"]:
                        sparsity_step(model, layer, len(batches) * o["local_epochs"])
            for key in ("contrastive", "mlp", "distillation"):
                sums[key] += terms[key].item()
            sums["loss"] += terms["total"].item()
            sums["alpha"] += terms["alpha"]
    for layer in Model.LAYERS:
        if model.keep_ratio(layer) <= o["minimum_keep_ratio"]:
            model.p[layer + ".threshold"].data.zero_()
    steps = len(batches) * o["local_epochs"]
    stats = {k: v / steps for k, v in sums.items()}
    stats["steps"] = steps
    stats["samples"] = sum(e - s for s, e in batches) * o["local_epochs"]
    return optimizer, stats


def predict(model, features, text):
    with torch.no_grad():
        f = model.fam(model.fam_input(features))
        s = f @ text.t()
        p_f = torch.softmax(100 * s, 1)
        mlp_logits = model.mlp(f, training=False)
        p_m = torch.softmax(mlp_logits, 1)
        h_f = entropy(100 * s, model.o["entropy_on_softmax_twice"])
        h_m = entropy(mlp_logits, model.o["entropy_on_softmax_twice"])
        a = (h_f / (h_f + h_m)).unsqueeze(1)
        return dict(ensemble=(1 - a) * p_f + a * p_m, fam_only=p_f, mlp_only=p_m, fam_entropy=h_f, mlp_entropy=h_m)


# ---- the comparison ------------------------------------------------------------------------

HELPER = None
BIASES_BEFORE_BATCH_NORM = ("mlp.fc1.bias", "mlp.fc2.bias", "mlp.fc3.bias")


class CrossCheck(unittest.TestCase):
    def export(self, mode):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, mode + ".json")
            subprocess.run([HELPER, mode, path], check=True)
            with open(path) as f:
                return json.load(f)

    def assertClose(self, expected, actual, what):
        expected = torch.as_tensor(expected, dtype=torch.float64)
        actual = torch.as_tensor(actual, dtype=torch.float64).reshape(expected.shape)
        error = (expected - actual).abs() - TOLERANCE * expected.abs()
        worst = error.max().item() if error.numel() else 0.0
        self.assertLessEqual(worst, TOLERANCE, "%s: engine differs by %.3g beyond tolerance" % (what, worst))

    def check_mode(self, mode):
        data = self.export(mode)
        o = data["options"]
        features, text_raw = tensor(data["features"]), tensor(data["text"])
        text = text_raw / text_raw.norm(dim=1, keepdim=True)
        labels = torch.tensor(data["labels"])
        scale = data["logit_scale"]
        state = {k: tensor(v) for k, v in data["initial_state"].items()}

        # One batch: every loss term and every gradient.
        model = Model(state, o)
        b = o["batch_size"]
        terms = loss_terms(model, model.fam_input(features[:b]), labels[:b], text, scale)
        terms["total"].backward()
        for key in ("total", "contrastive", "mlp", "mlp_teaches", "fam_teaches", "distillation", "alpha"):
            self.assertClose(float(terms[key]), data["step"][key], "%s: step %s" % (mode, key))
        gradients = data["step"]["gradients"]
        for name, p in model.p.items():
            if not p.requires_grad:
                continue
            self.assertIn(name, gradients, "%s: the engine has no gradient for %s" % (mode, name))
            self.assertClose(p.grad, tensor(gradients[name]), "%s: gradient of %s" % (mode, name))

        # Three local rounds: statistics and the whole state after each.
        model = Model(state, o)
        optimizer = AdamW()
        for index, engine in enumerate(data["rounds"]):
            optimizer, stats = train_round(model, optimizer, index, features, labels, text, scale)
            self.assertEqual(stats["steps"], engine["steps"], "%s: round %d steps" % (mode, index + 1))
            self.assertEqual(stats["samples"], engine["samples"], "%s: round %d samples" % (mode, index + 1))
            for key in ("loss", "contrastive", "mlp", "distillation", "alpha"):
                self.assertClose(stats[key], engine[key], "%s: round %d %s" % (mode, index + 1, key))
            ratios = [model.keep_ratio(layer) for layer in Model.LAYERS]
            self.assertClose(ratios, engine["keep_ratios"], "%s: round %d keep ratios" % (mode, index + 1))
            steps_so_far = sum(r["steps"] for r in data["rounds"][: index + 1])
            for name, p in model.p.items():
                what = "%s: round %d %s" % (mode, index + 1, name)
                if name in BIASES_BEFORE_BATCH_NORM or name.endswith("running_mean"):
                    # Batch norm removes a per-channel constant, so these biases have zero gradient
                    # in exact arithmetic: what reaches Adam is rounding noise, and Adam turns its
                    # sign into steps of up to lr. Both sides may only differ by those steps, and
                    # the running means (averages of batch means, the bias included) by as much.
                    bound = 2 * o["mlp_learning_rate"] * steps_so_far + TOLERANCE
                    gap = (p.detach() - tensor(engine["state"][name])).abs().max().item()
                    self.assertLessEqual(gap, bound, what)
                    continue
                self.assertClose(p.detach(), tensor(engine["state"][name]), what)

        # Prediction and entropies, from the engine's final state.
        final = Model({k: tensor(v) for k, v in data["rounds"][-1]["state"].items()}, o)
        mine = predict(final, features, text)
        for key in ("ensemble", "fam_only", "mlp_only"):
            self.assertClose(mine[key], tensor(data["prediction"][key]), "%s: prediction %s" % (mode, key))
        for key in ("fam_entropy", "mlp_entropy"):
            self.assertClose(mine[key], data["prediction"][key], "%s: %s" % (mode, key))
        return data

    def test_default(self):
        data = self.check_mode("default")
        self.assertTrue(data["options"]["detach_teacher"])

    def test_pruning_schedule(self):
        data = self.check_mode("prune")
        fam_keep = data["rounds"][-1]["keep_ratios"][:2]
        self.assertTrue(all(0.25 <= r < 1 for r in fam_keep), "the schedule must prune the FAM: %s" % fam_keep)

    def test_keep_reset(self):
        data = self.check_mode("collapse")
        # Thresholds were reset after the FAM pruned everything: they end at zero.
        for layer in ("fam.fc1", "fam.fc2"):
            self.assertEqual(max(abs(v) for v in data["rounds"][0]["state"][layer + ".threshold"]["values"]), 0.0)

    def test_released(self):
        data = self.check_mode("released")
        self.assertFalse(data["options"]["detach_teacher"])
        self.assertEqual(data["rounds"][0]["steps"], 2)  # 11 samples, batch 4, last partial dropped


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: crosscheck_fedmedclip.py HELPER [unittest options]")
    HELPER = sys.argv.pop(1)
    unittest.main()
