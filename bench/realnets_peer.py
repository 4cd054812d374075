#!/usr/bin/env python3
"""Python peer of bench_realnets: the same networks and measurements written the way a PyTorch user
would (Debian's python3-torch, the same LibTorch as valleys). Prints one JSON object.

  realnets_peer.py DATA_DIR THREADS TRAIN_BATCHES PROFILE_POINTS

Training: PreResNet-8 width 8 (the narrow CPU net) and PreResNet-20 width 16, batch 128, SGD with
momentum 0.9 and weight decay 3e-4, random crop (pad 4) + flip; two data paths:
  standard - a Dataset whose __getitem__ crops and flips one image, read through a DataLoader
             (num_workers=0), as in the authors' code (torchvision transforms);
  resident - the whole set as one tensor, a batch-wise crop/flip (what valleys does).
Profile points (the authors' line protocol): at each point copy the weights, recompute BN
(cumulative, one train-mode pass over the training loader), evaluate the training and the test
loader; loaders with batch 128 over 1000 clean training and 1000 test images.
"""
import json
import lzma
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def load(data_dir, name, n):
    path = os.path.join(data_dir, name + ".bin")
    raw = open(path, "rb").read() if os.path.exists(path) else lzma.open(path + ".xz").read()
    rec = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(-1, 3073)[:n]
    y = rec[:, 0].long()
    x = rec[:, 1:].float().div(255).view(-1, 3, 32, 32)
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)
    return ((x - mean) / std).contiguous(), y


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        h = F.relu(self.bn1(x))
        skip = self.shortcut(h) if self.shortcut is not None else x
        h = self.conv1(h)
        return self.conv2(F.relu(self.bn2(h))) + skip


class PreResNet(nn.Module):
    def __init__(self, depth, width):
        super().__init__()
        k = (depth - 2) // 6
        self.stem = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        blocks, cin = [], width
        for stage in range(3):
            cout = width << stage
            for b in range(k):
                blocks.append(Block(cin, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2.0 / n))

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = F.adaptive_avg_pool2d(F.relu(self.bn(x)), 1).flatten(1)
        return self.fc(x)


class CropFlip(torch.utils.data.Dataset):
    def __init__(self, x, y, augment):
        self.x, self.y, self.augment = x, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        img = self.x[i]
        if self.augment:
            img = F.pad(img, (4, 4, 4, 4))
            dy, dx = torch.randint(0, 9, (2,)).tolist()
            img = img[:, dy:dy + 32, dx:dx + 32]
            if torch.rand(1).item() < 0.5:
                img = img.flip(2)
        return img, self.y[i]


def augment_batch(xb):
    n = xb.shape[0]
    off = torch.randint(0, 9, (n, 2))
    flip = torch.rand(n) < 0.5
    padded = F.pad(xb, (4, 4, 4, 4))
    ar = torch.arange(32)
    rows = off[:, :1] + ar
    cols = torch.where(flip.unsqueeze(1), 31 - ar, ar) + off[:, 1:]
    picked = padded.gather(2, rows.view(n, 1, 32, 1).expand(n, 3, 32, 40))
    return picked.gather(3, cols.view(n, 1, 1, 32).expand(n, 3, 32, 32))


def train_rate(model, x, y, batches, loader_kind):
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=3e-4)
    model.train()
    if loader_kind == "standard":
        it = iter(torch.utils.data.DataLoader(CropFlip(x, y, True), batch_size=128, shuffle=True, num_workers=0))
        get = lambda: next(it)
    else:
        perm = torch.randperm(len(y))
        state = {"i": 0}

        def get():
            idx = perm[state["i"]:state["i"] + 128]
            state["i"] += 128
            return augment_batch(x[idx]), y[idx]
    images, start = 0, None
    for b in range(batches + 3):  # 3 warm-up batches
        if b == 3:
            start = time.perf_counter()
        xb, yb = get()
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        loss.item()
        if b >= 3:
            images += len(yb)
    return images / (time.perf_counter() - start)


def bn_update(loader, model):
    # the authors' utils.bn_update: reset, momentum None (cumulative), one train-mode pass
    momenta = {}
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            momenta[m] = m.momentum
            m.momentum = None
    model.train()
    with torch.no_grad():
        for xb, _ in loader:
            model(xb)
    for m, mom in momenta.items():
        m.momentum = mom


def evaluate(loader, model):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss / n, correct / n


def profile_rate(model, xtr, ytr, xte, yte, points):
    train_loader = torch.utils.data.DataLoader(CropFlip(xtr, ytr, False), batch_size=128, shuffle=False)
    test_loader = torch.utils.data.DataLoader(CropFlip(xte, yte, False), batch_size=128, shuffle=False)
    centre = [p.detach().clone() for p in model.parameters()]
    direction = [torch.rand_like(p) for p in centre]
    norm = math.sqrt(sum(float(d.pow(2).sum()) for d in direction))
    start = time.perf_counter()
    for i in range(points):
        t = -1.0 + 2.0 * i / max(1, points - 1)
        with torch.no_grad():
            for p, c, d in zip(model.parameters(), centre, direction):
                p.copy_(c + t * d / norm)
        bn_update(train_loader, model)
        evaluate(train_loader, model)
        evaluate(test_loader, model)
    return points / (time.perf_counter() - start)


def main():
    data_dir, threads, batches, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x, y = load(data_dir, "subset_train", 10000)
    xte, yte = load(data_dir, "subset_test", 1000)
    out = {"torch": torch.__version__, "threads": threads}
    for name, depth, width in (("narrow", 8, 8), ("preresnet20", 20, 16)):
        for kind in ("standard", "resident"):
            out[f"train_{name}_{kind}"] = train_rate(PreResNet(depth, width), x, y, batches, kind)
    out["profile_narrow_points_per_s"] = profile_rate(PreResNet(8, 8), x[:1000], y[:1000], xte, yte, points)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
