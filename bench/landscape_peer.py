#!/usr/bin/python3
"""Python peer of the landscape bench: what a PyTorch user writes for the same Hessian-vector
products and 2-D surface points as `valleys realnets hessian --trace` and `valleys realnets
surface` (Debian's python3-torch, the same LibTorch as valleys; valleys' zoo network rebuilt from
its checkpoint, tests/realnets/client/zoo_net.py). One whole process per measurement, as the user
waits for it.

  landscape_peer.py hvp CHECKPOINT DATA_DIR WIDTH SAMPLE PROBES BATCH THREADS
      PROBES Rademacher Hessian-vector products of the eval-mode mean cross-entropy over the first
      SAMPLE clean training images (double backward, BATCH images at a time); prints the mean of
      z^T H z (Hutchinson's trace estimate, to compare with valleys').
  landscape_peer.py surface CHECKPOINT DIRECTIONS SURFACE_CSV DATA_DIR WIDTH EVAL THREADS
      every (a, b) of valleys' surface CSV: weights w + a d1 + b d2 (the saved directions), BN
      recomputed by torch.optim.swa_utils.update_bn over the first EVAL clean training images
      (batch 128), training and test loss over EVAL images each; prints the largest relative
      difference from valleys' CSV.
"""
import csv
import lzma
import os
import sys

import torch
import torch.nn.functional as F
from torch.optim.swa_utils import update_bn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "realnets", "client"))
from zoo_net import ZooPreResNet8, zoo_parameters  # noqa: E402

MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)


def load(data_dir, name, n):
    path = os.path.join(data_dir, name + ".bin")
    raw = open(path, "rb").read() if os.path.exists(path) else lzma.open(path + ".xz").read(3073 * n)
    rec = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(-1, 3073)[:n]
    x = rec[:, 1:].float().div(255).view(-1, 3, 32, 32)
    return ((x - MEAN) / STD).contiguous(), rec[:, 0].long()


def network(checkpoint, width):
    model = ZooPreResNet8(width)
    model.load_state_dict(zoo_parameters(checkpoint), strict=True)
    return model


def mean_loss(model, x, y, batch=128):
    model.eval()
    with torch.no_grad():
        return sum(F.cross_entropy(model(x[i:i + batch]), y[i:i + batch], reduction="sum").item()
                   for i in range(0, len(x), batch)) / len(x)


def hvp(argv):
    checkpoint, data_dir, width, sample, probes, batch, threads = argv
    torch.set_num_threads(int(threads))
    model = network(checkpoint, int(width)).eval()
    x, y = load(data_dir, "subset_train", int(sample))
    params = list(model.parameters())
    gen = torch.Generator().manual_seed(1)
    total = 0.0
    for _ in range(int(probes)):
        z = [torch.randint(0, 2, p.shape, generator=gen).float() * 2 - 1 for p in params]
        hz = [torch.zeros_like(p) for p in params]
        for i in range(0, len(x), int(batch)):
            xb, yb = x[i:i + int(batch)], y[i:i + int(batch)]
            loss = F.cross_entropy(model(xb), yb, reduction="sum") / len(x)
            grads = torch.autograd.grad(loss, params, create_graph=True)
            dot = sum((g * v).sum() for g, v in zip(grads, z))
            for acc, h in zip(hz, torch.autograd.grad(dot, params)):
                acc += h
        total += sum((a * v).sum().item() for a, v in zip(hz, z))
    print(f"{total / int(probes):.8g}")


def surface(argv):
    checkpoint, directions, surface_csv, data_dir, width, n, threads = argv
    torch.set_num_threads(int(threads))
    model = network(checkpoint, int(width))
    d = torch.load(directions)
    xtr, ytr = load(data_dir, "subset_train", int(n))
    xte, yte = load(data_dir, "subset_test", int(n))
    loader = torch.utils.data.DataLoader(xtr, batch_size=128, shuffle=False)
    centre = {k: p.detach().clone() for k, p in model.named_parameters()}
    worst = 0.0
    with open(surface_csv) as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        a, b = float(row["a"]), float(row["b"])
        with torch.no_grad():
            for k, p in model.named_parameters():
                p.copy_(centre[k] + a * d["d1"][k] + b * d["d2"][k])
        update_bn(loader, model)
        for column, ours in (("train_loss", mean_loss(model, xtr, ytr)),
                             ("test_loss", mean_loss(model, xte, yte))):
            worst = max(worst, abs(float(row[column]) - ours) / abs(ours))
    print(f"{len(rows)} points, largest relative difference from valleys {worst:.2e}")


if __name__ == "__main__":
    {"hvp": hvp, "surface": surface}[sys.argv[1]](sys.argv[2:])
