#!/usr/bin/python3
"""The benchmark peer of the engine's training round: a straightforward PyTorch loop of
FedMedCLIP's local training (masked FAM + masked MLP, contrastive + MLP cross-entropy +
adaptive class-wise distillation, AdamW, the FAM's pruning schedule) on cached features,
written from the method description (docs/method.md), the way a researcher would write it.

It is not a cross-check (tests/engine/crosscheck_fedmedclip.py is): it only has to do the
same amount of work per round as the engine, in plain eager PyTorch, float32.

Usage: fedmedclip_round_peer.py TASK_DIR ROUNDS THREADS
TASK_DIR holds task.json (dim, classes, logit_scale, sites: [{features, labels}]) and the
raw little-endian float32 files it names. Prints one JSON line: {"round_seconds": [...], "round_cpu_seconds": [...], ...}.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Step(torch.autograd.Function):
    """Row mask step(u - t) with the straight-through surrogate (window |x| <= 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = x.abs()
        surrogate = torch.where(a <= 0.4, 2 - 4 * a, torch.where(a <= 1, torch.full_like(x, 0.4), torch.zeros_like(x)))
        return grad * surrogate


class MaskedLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out)
        self.threshold = nn.Parameter(torch.zeros(n_out))

    def mask(self):
        return Step.apply(self.weight.abs().mean(1) - self.threshold)

    def forward(self, x):
        return F.linear(x, self.weight * self.mask().unsqueeze(1), self.bias)


class FAM(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = MaskedLinear(d, d)
        self.fc2 = MaskedLinear(d, d)

    def forward(self, f):
        h = self.fc1(f)
        h = (h - h.mean(1, keepdim=True)) / torch.sqrt(h.var(1, unbiased=False, keepdim=True) + 1e-5)
        attention = torch.softmax(self.fc2(torch.relu(h)), 1)
        return F.normalize(attention * f, dim=1)


class MLP(nn.Module):
    def __init__(self, d, hidden, classes):
        super().__init__()
        self.fc1, self.bn1 = MaskedLinear(d, hidden), nn.BatchNorm1d(hidden)
        self.fc2, self.bn2 = MaskedLinear(hidden, hidden), nn.BatchNorm1d(hidden)
        self.fc3, self.bn3 = MaskedLinear(hidden, hidden), nn.BatchNorm1d(hidden)
        self.fc4 = MaskedLinear(hidden, classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.fc1(x)))
        x = torch.relu(self.bn2(self.fc2(x)))
        x = torch.relu(self.bn3(self.fc3(x)))
        return self.fc4(x)


def classwise_kl(teacher, student, temperature=2.0):
    t = torch.log_softmax(teacher.detach() / temperature, 0)
    s = torch.log_softmax(student / temperature, 0)
    return (t.exp() * (t - s)).sum(0).mean()


def entropy(logits):
    return -(torch.softmax(logits, 1) * torch.log_softmax(logits, 1)).sum(1)


class Site:
    def __init__(self, text, logit_scale, classes, seed):
        torch.manual_seed(seed)
        d = text.shape[1]
        self.text = F.normalize(text, dim=1)
        self.logit_scale = logit_scale
        self.fam = FAM(d)
        self.mlp = MLP(d, 512, classes)
        self.optimizer = torch.optim.AdamW(
            [{"params": self.fam.parameters(), "lr": 5e-4}, {"params": self.mlp.parameters(), "lr": 1e-4}],
            betas=(0.9, 0.98), eps=1e-6, weight_decay=0.02)

    def train_round(self, features, labels, batch_size=32):
        x = F.normalize(features, dim=1)
        n = x.shape[0]
        steps = n // batch_size + (1 if n % batch_size >= 2 else 0)
        order = torch.randperm(n)
        for begin in range(0, n, batch_size):
            index = order[begin:begin + batch_size]
            if len(index) < 2:
                break
            f, y = x[index], labels[index]
            adapted = self.fam(f)
            logits = self.logit_scale * adapted @ self.text[y].t()
            targets = torch.arange(len(index))
            contrastive = (F.cross_entropy(logits, targets) + F.cross_entropy(logits.t(), targets)) / 2
            mlp_logits = self.mlp(adapted)
            similarity = adapted @ self.text.t()
            with torch.no_grad():
                w_f = 1 / (entropy(100 * similarity) + 1e-8)
                w_m = 1 / (entropy(mlp_logits) + 1e-8)
                alpha = (w_m / (w_f + w_m)).mean().item()
            distill = (alpha * classwise_kl(mlp_logits, similarity) + (1 - alpha) * classwise_kl(similarity, mlp_logits)) / 2
            loss = contrastive + F.cross_entropy(mlp_logits, y) + 0.04 * distill
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():  # the FAM's pruning schedule, while a layer keeps over half its rows
                for layer in (self.fam.fc1, self.fam.fc2):
                    if layer.mask().mean().item() > 0.5:
                        unit = layer.weight.abs().mean().item()
                        layer.threshold.add_(torch.exp(-layer.threshold / unit) * (0.3 * unit / steps))
            loss.item()
        for group in self.optimizer.param_groups:
            group["lr"] *= 0.97


def main():
    task_dir, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    with open(os.path.join(task_dir, "task.json")) as f:
        task = json.load(f)
    d, classes = task["dim"], task["classes"]

    def load(name, rows):
        return torch.from_file(os.path.join(task_dir, name), size=rows * d, dtype=torch.float32).reshape(rows, d)

    text = load(task["text"], classes)
    data = [(load(s["features"], len(s["labels"])), torch.tensor(s["labels"], dtype=torch.long)) for s in task["sites"]]
    sites = [Site(text, task["logit_scale"], classes, seed=1 + i) for i in range(len(data))]
    seconds, cpu_seconds = [], []
    for _ in range(rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        for site, (features, labels) in zip(sites, data):
            site.train_round(features, labels)
        with torch.no_grad():  # plain federated average of the FAMs, back to every site
            states = [site.fam.state_dict() for site in sites]
            average = {k: sum(s[k] for s in states) / len(states) for k in states[0]}
            for site in sites:
                site.fam.load_state_dict(average)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu_start)
    print(json.dumps({"round_seconds": seconds, "round_cpu_seconds": cpu_seconds, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
