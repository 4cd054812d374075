#!/usr/bin/env python3
"""Python peer of valleys' fast CIFAR-10 recipe (`--arch airbench`): the same network and training
recipe written the way a PyTorch user would (Debian's python3-torch, the LibTorch that valleys
links), float32 on the CPU. Prints one JSON object.

  airbench_peer.py DATA_DIR [--threads T] [--seed S] [--epochs E] [--train-size N] [--steps K]
                   [--no-lookahead] [--micro-batch M]

The recipe (after Keller Jordan's airbench94, arXiv 2404.00498): a 2x2 whitening convolution fixed
to the PCA of 2x2 patches of 5,000 training images (its bias trained for 3 epochs), three blocks
conv-pool-BN-GELU-conv-BN-GELU of widths 64/256/256 (BN without a trained scale, eps 1e-12,
running-average momentum 0.4), max-pool 3, a linear layer without bias scaled by 1/9; Nesterov SGD
(momentum 0.85, lr 11.5 and weight decay 0.0153 per 1024 examples, BN biases at 64x the rate),
batch 1024 (its gradient accumulated over micro-batches of 256, each with its own BN statistics),
label smoothing 0.2, loss summed over the batch, a linear warm-up over 23% of the steps
from 0.2 to 1 and then a linear decay to 0.07, a lookahead average every 5 steps, alternating
flips (random flips in the first epoch, all images flipped in every odd epoch) and random
translations by up to 2 pixels (reflect padding); test-time augmentation: mirror and one-pixel
translations (6 views). --steps K stops after K optimizer steps (a throughput measurement).
"""
import argparse
import json
import lzma
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN = torch.tensor((0.4914, 0.4822, 0.4465)).view(1, 3, 1, 1)
STD = torch.tensor((0.2470, 0.2435, 0.2616)).view(1, 3, 1, 1)


def load(data_dir, names, n=0):
    recs = []
    for name in names:
        path = os.path.join(data_dir, name + ".bin")
        raw = open(path, "rb").read() if os.path.exists(path) else lzma.open(path + ".xz").read()
        recs.append(torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(-1, 3073))
    rec = torch.cat(recs)
    if n:
        rec = rec[:n]
    y = rec[:, 0].long()
    x = rec[:, 1:].float().div(255).view(-1, 3, 32, 32)
    return ((x - MEAN) / STD).contiguous(memory_format=torch.channels_last), y


class BatchNorm(nn.BatchNorm2d):
    def __init__(self, n):
        super().__init__(n, eps=1e-12, momentum=0.4)
        self.weight.requires_grad = False


class Conv(nn.Conv2d):
    def __init__(self, cin, cout, k=3, padding="same", bias=False):
        super().__init__(cin, cout, k, padding=padding, bias=bias)

    def reset_parameters(self):
        super().reset_parameters()
        if self.bias is not None:
            self.bias.data.zero_()
        w = self.weight.data
        torch.nn.init.dirac_(w[: w.size(1)])


class Group(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1, self.norm1 = Conv(cin, cout), BatchNorm(cout)
        self.conv2, self.norm2 = Conv(cout, cout), BatchNorm(cout)

    def forward(self, x):
        x = F.gelu(self.norm1(F.max_pool2d(self.conv1(x), 2)))
        return F.gelu(self.norm2(self.conv2(x)))


class Net(nn.Module):
    def __init__(self, widths=(64, 256, 256)):
        super().__init__()
        self.whiten = Conv(3, 24, 2, padding=0, bias=True)
        self.whiten.weight.requires_grad = False
        self.g1, self.g2, self.g3 = Group(24, widths[0]), Group(widths[0], widths[1]), Group(widths[1], widths[2])
        self.head = nn.Linear(widths[2], 10, bias=False)

    def forward(self, x):
        x = self.g3(self.g2(self.g1(F.gelu(self.whiten(x)))))
        return self.head(F.max_pool2d(x, 3).flatten(1)) / 9.0


def init_whitening(layer, images, eps=5e-4):
    c, (h, w) = images.shape[1], layer.weight.shape[2:]
    patches = images.unfold(2, h, 1).unfold(3, w, 1).transpose(1, 3).reshape(-1, c, h, w).float()
    flat = patches.reshape(len(patches), -1)
    cov = flat.T @ flat / len(flat)
    vals, vecs = torch.linalg.eigh(cov, UPLO="U")
    vals, vecs = vals.flip(0).view(-1, 1, 1, 1), vecs.T.reshape(c * h * w, c, h, w).flip(0)
    scaled = vecs / torch.sqrt(vals + eps)
    layer.weight.data[:] = torch.cat((scaled, -scaled))


def crop(padded, r=2):
    n = len(padded)
    shifts = torch.randint(-r, r + 1, size=(n, 2))
    out = torch.empty((n, 3, 32, 32)).contiguous(memory_format=torch.channels_last)
    for sy in range(-r, r + 1):
        for sx in range(-r, r + 1):
            m = (shifts[:, 0] == sy) & (shifts[:, 1] == sx)
            out[m] = padded[m, :, r + sy : r + sy + 32, r + sx : r + sx + 32]
    return out


def infer(net, x, tta):
    def mirror(v):
        return 0.5 * net(v) + 0.5 * net(v.flip(-1))

    net.eval()
    outs = []
    with torch.no_grad():
        for v in x.split(2000):
            if not tta:
                outs.append(net(v))
                continue
            p = F.pad(v, (1,) * 4, "reflect")
            t = 0.5 * (mirror(p[:, :, 0:32, 0:32]) + mirror(p[:, :, 2:34, 2:34]))
            outs.append(0.5 * mirror(v) + 0.5 * t)
    return torch.cat(outs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=float, default=10)
    ap.add_argument("--train-size", type=int, default=0)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--no-lookahead", action="store_true")
    ap.add_argument("--micro-batch", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t_start = time.perf_counter()
    xtr, ytr = load(a.data, [f"data_batch_{i}" for i in range(1, 6)], a.train_size)
    xte, yte = load(a.data, ["test_batch"])
    batch, momentum = 1024, 0.85
    steps_per_epoch = len(xtr) // batch
    total = math.ceil(steps_per_epoch * a.epochs)
    scale = 1024 * (1 + 1 / (1 - momentum))
    lr, wd = 11.5 / scale, 0.0153 * batch / scale
    lr_bias = lr * 64.0
    net = Net().to(memory_format=torch.channels_last)
    norm_biases = [p for k, p in net.named_parameters() if "norm" in k and p.requires_grad]
    others = [p for k, p in net.named_parameters() if "norm" not in k and p.requires_grad]
    opt = torch.optim.SGD(
        [dict(params=norm_biases, lr=lr_bias, weight_decay=wd / lr_bias), dict(params=others, lr=lr, weight_decay=wd / lr)],
        momentum=momentum,
        nesterov=True,
    )
    warm = int(total * 0.23)

    def factor(step):
        if step < warm:
            return 0.2 + 0.8 * step / warm
        return 1.0 + (0.07 - 1.0) * (step - warm) / (total - warm)

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    alpha = 0.95**5 * (torch.arange(total + 1) / total) ** 3
    init_whitening(net.whiten, xtr[:5000])
    ema = {k: v.clone() for k, v in net.state_dict().items()}
    flipped = torch.where((torch.rand(len(xtr)) < 0.5).view(-1, 1, 1, 1), xtr.flip(-1), xtr)
    padded = F.pad(flipped, (2,) * 4, "reflect")
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.2, reduction="sum")
    step, epoch, train_s = 0, 0, 0.0
    t_train = time.perf_counter()
    while step < total and (not a.steps or step < a.steps):
        net.whiten.bias.requires_grad = epoch < 3
        images = crop(padded)
        if epoch % 2 == 1:
            images = images.flip(-1)
        order = torch.randperm(len(images))
        net.train()
        for i in range(steps_per_epoch):
            opt.zero_grad(set_to_none=True)
            for j in range(0, batch, a.micro_batch):
                idx = order[i * batch + j : i * batch + min(j + a.micro_batch, batch)]
                loss_fn(net(images[idx]), ytr[idx]).backward()
            opt.step()
            sched.step()
            step += 1
            if not a.no_lookahead and (step % 5 == 0 or step >= total):
                decay = 1.0 if step >= total else alpha[step].item()
                with torch.no_grad():
                    for (k, e), v in zip(ema.items(), net.state_dict().values()):
                        if v.dtype == torch.float:
                            e.lerp_(v, 1 - decay)
                            v.copy_(e)
            if step >= total or (a.steps and step >= a.steps):
                break
        epoch += 1
    train_s = time.perf_counter() - t_train
    out = {"peer": "python", "torch": torch.__version__, "threads": a.threads, "seed": a.seed, "steps": step,
           "train_images": len(xtr), "train_seconds": train_s,
           "train_images_per_s": step * batch / train_s}
    if not a.steps:
        logits = infer(net, xte, False)
        out["test_acc"] = (logits.argmax(1) == yte).float().mean().item()
        out["test_loss"] = F.cross_entropy(logits, yte).item()
        out["test_acc_tta"] = (infer(net, xte, True).argmax(1) == yte).float().mean().item()
    out["wall_seconds"] = time.perf_counter() - t_start
    print(json.dumps(out))


if __name__ == "__main__":
    main()
