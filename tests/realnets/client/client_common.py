"""What the client tests share: the CIFAR-10 records as PyTorch tensors, and valleys run as a
program (an argument vector, no shell)."""
import argparse
import json
import lzma
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)


def read_cifar(path, n):
    """The first n records of a CIFAR-10 binary file (.bin.xz): normalized images, labels."""
    raw = lzma.open(path).read(3073 * n)
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(n, 3073)
    labels = torch.from_numpy(rec[:, 0].astype(np.int64))
    images = torch.from_numpy(rec[:, 1:].reshape(n, 3, 32, 32).astype(np.float32) / 255.0)
    return ((images - MEAN) / STD).contiguous(), labels


def run(cmd):
    """valleys' standard output; exits the test when valleys fails."""
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        sys.exit(f"valleys exited with {done.returncode}")
    return done.stdout


def start(seed):
    """The arguments every client test takes (--valleys PATH --work DIR, created), PyTorch seeded
    and on one thread, and the CIFAR-10 folder valleys uses."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--valleys", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    folder = json.loads(run([a.valleys, "realnets", "data", "--format", "json"]))["folder"]
    return a, folder


def mean_loss(model, x, y, batch=128):
    """The mean cross-entropy of `model` in eval mode."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            total += F.cross_entropy(model(x[i:i + batch]), y[i:i + batch], reduction="sum").item()
    return total / len(x)
