"""A researcher's own PyTorch model, probed by valleys and checked against PyTorch itself.

The script defines a small BatchNorm network unlike valleys' model zoo (no residual blocks, a
max-pool, one BatchNorm with the default momentum and one with momentum=None), trains it for a few
epochs on the first images of the CIFAR-10 subset, saves it with torch.jit.script and the data as
torch.save'd dicts; `valleys realnets profile --model` probes it along a Gaussian direction
(saved with --save-direction) and `valleys realnets hessian --model` finds its top Hessian
eigenvalue. PyTorch then computes the same points its own way (torch.optim.swa_utils.update_bn,
then the eval-mode mean cross-entropy over the same images) and the eigenvalue by its own power
iteration from another start vector. Agreement: losses within 1e-5 relative; the eigenvalue
within 2% (both iterations stop at a relative change below 1e-6).

Usage: client_test.py --valleys PATH --work DIR
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from client_common import mean_loss, read_cifar, run, start
from torch.optim.swa_utils import update_bn



class Client(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 12, 3, padding=1, bias=False), nn.BatchNorm2d(12), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(12, 24, 3, padding=1, bias=False), nn.BatchNorm2d(24, momentum=None),
            nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(24, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))






def expect_input_error(cmd, needle):
    """valleys refuses the input: exit 2 and one line naming it."""
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    line = done.stderr.strip()
    print("  ->", done.returncode, line)
    if done.returncode != 2 or needle not in line or "\n" in line:
        sys.exit(f"expected exit 2 and one line with {needle!r}")


def main():
    a, folder = start(20261202)
    xtr, ytr = read_cifar(os.path.join(folder, "subset_train.bin.xz"), 512)
    xte, yte = read_cifar(os.path.join(folder, "subset_test.bin.xz"), 256)

    model = Client()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(3):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
    model.eval()
    paths = {k: os.path.join(a.work, k + ".pt") for k in ("model", "train", "test", "direction")}
    torch.jit.script(model).save(paths["model"])
    torch.save({"images": xtr, "labels": ytr}, paths["train"])
    torch.save({"images": xte, "labels": yte}, paths["test"])

    common = ["--model", paths["model"], "--train-data", paths["train"], "--test-data",
              paths["test"], "--threads", "1", "--batch", "128", "--out", a.work]
    prof = json.loads(run([a.valleys, "realnets", "profile", *common, "--law", "gaussian",
                           "--points", "5", "--range", "1", "--eval-size", "0",
                           "--save-direction", paths["direction"], "--format", "json"]))
    csv = np.genfromtxt(os.path.join(a.work, prof["profile"]), delimiter=",", names=True)
    direction = torch.load(paths["direction"])
    names = [n for n, _ in model.named_parameters()]
    assert list(direction.keys()) == names, (list(direction.keys()), names)

    worst = 0.0
    loader = torch.utils.data.DataLoader(xtr, batch_size=128, shuffle=False)
    for row in csv:
        t = float(row["t"])
        probe = Client()
        probe.load_state_dict(model.state_dict())
        with torch.no_grad():
            for n, p in probe.named_parameters():
                p.add_(t * direction[n])
        update_bn(loader, probe)
        for name, ours in (("train_loss", mean_loss(probe, xtr, ytr)),
                           ("test_loss", mean_loss(probe, xte, yte))):
            rel = abs(float(row[name]) - ours) / abs(ours)
            worst = max(worst, rel)
            print(f"t = {t:+.2f} {name}: valleys {float(row[name]):.9f} PyTorch {ours:.9f} "
                  f"(relative {rel:.2e})")
    if worst > 1e-5:
        sys.exit(f"profile: relative difference {worst:.2e} > 1e-5")

    # The line between this model and one more epoch of it: w(alpha) = w_from + alpha (w_to -
    # w_from), BN recomputed at every point.
    later = Client()
    later.load_state_dict(model.state_dict())
    opt2 = torch.optim.SGD(later.parameters(), lr=0.05)
    later.train()
    for i in range(0, len(xtr), 64):
        opt2.zero_grad()
        F.cross_entropy(later(xtr[i:i + 64]), ytr[i:i + 64]).backward()
        opt2.step()
    later.eval()
    paths["later"] = os.path.join(a.work, "later.pt")
    torch.jit.script(later).save(paths["later"])
    line = json.loads(run([a.valleys, "realnets", "line", "--scripted", "--from", paths["model"],
                           "--to", paths["later"], "--train-data", paths["train"], "--test-data",
                           paths["test"], "--threads", "1", "--batch", "128", "--out", a.work,
                           "--alpha-min", "-1", "--alpha-max", "2", "--points", "4",
                           "--eval-size", "0", "--format", "json"]))
    rows = np.genfromtxt(os.path.join(a.work, line["line"]), delimiter=",", names=True)
    ends = (dict(model.named_parameters()), dict(later.named_parameters()))
    for row in rows:
        alpha = float(row["alpha"])
        probe = Client()
        probe.load_state_dict(model.state_dict())
        with torch.no_grad():
            for n, p in probe.named_parameters():
                p.copy_(ends[0][n] + alpha * (ends[1][n] - ends[0][n]))
        update_bn(loader, probe)
        ours = mean_loss(probe, xtr, ytr)
        rel = abs(float(row["train_loss"]) - ours) / abs(ours)
        worst = max(worst, rel)
        print(f"alpha = {alpha:+.1f} train_loss: valleys {float(row['train_loss']):.9f} "
              f"PyTorch {ours:.9f} (relative {rel:.2e})")
    if worst > 1e-5:
        sys.exit(f"line: relative difference {worst:.2e} > 1e-5")

    hess = json.loads(run([a.valleys, "realnets", "hessian", *common, "--sample-size", "256",
                           "--iterations", "300", "--tolerance", "1e-6", "--format", "json"]))
    if not hess["converged"]:
        sys.exit("valleys' power iteration did not converge")
    params = [p for p in model.parameters()]
    x, y = xtr[:256], ytr[:256]
    v = [torch.randn_like(p) for p in params]
    norm = torch.sqrt(sum((u * u).sum() for u in v))
    v = [u / norm for u in v]
    previous = None
    for _ in range(300):
        model.eval()
        loss = F.cross_entropy(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        hv = torch.autograd.grad(sum((g * u).sum() for g, u in zip(grads, v)), params)
        q = sum((h * u).sum() for h, u in zip(hv, v)).item()
        if previous is not None and abs(q - previous) < 1e-6 * abs(q):
            break
        previous = q
        n = torch.sqrt(sum((h * h).sum() for h in hv))
        v = [h / n for h in hv]
    ours = hess["top_eigenvalue"]
    rel = abs(ours - q) / abs(q)
    print(f"top Hessian eigenvalue: valleys {ours:.6g} PyTorch {q:.6g} (relative {rel:.2e})")
    if rel > 0.02:
        sys.exit(f"hessian: relative difference {rel:.2e} > 0.02")
    # A name pattern leaves parameters out of the direction: every bias and the head.
    masked = os.path.join(a.work, "masked.pt")
    run([a.valleys, "realnets", "profile", *common, "--law", "gaussian", "--points", "5",
         "--exclude-params", "head.*", "--save-direction", masked])
    d = torch.load(masked)
    assert torch.count_nonzero(d["head.weight"]) == 0 and torch.count_nonzero(d["head.bias"]) == 0
    assert torch.count_nonzero(d["features.0.weight"]) == d["features.0.weight"].numel()
    print("--exclude-params 'head.*': head.weight and head.bias zero, the convolutions not")

    # Data and models that are not what they should be: exit 2, the option and the fault named.
    bad = os.path.join(a.work, "bad.pt")
    probe = [a.valleys, "realnets", "profile", "--model", paths["model"], "--test-data",
             paths["test"], "--out", a.work, "--points", "5", "--train-data", bad]
    torch.save({"image": xtr, "labels": ytr}, bad)
    expect_input_error(probe, "--train-data '" + bad + "': key 'images' is missing")
    torch.save({"images": xtr.double(), "labels": ytr}, bad)
    expect_input_error(probe, "'images' is Double of shape [512, 3, 32, 32]")
    torch.save({"images": xtr, "labels": ytr.int()}, bad)
    expect_input_error(probe, "'labels' is Int of shape [512]")
    torch.save([xtr, ytr], bad)
    expect_input_error(probe, "is not a dict")
    expect_input_error([a.valleys, "realnets", "profile", "--model", paths["train"],
                        "--train-data", paths["train"], "--test-data", paths["test"], "--out",
                        a.work], "--model '" + paths["train"] + "': not a TorchScript module")
    expect_input_error([a.valleys, "realnets", "profile", "--model", paths["model"],
                        "--train-data", paths["train"], "--out", a.work],
                       "--train-data and --test-data: give both or neither")
    hostile_models(a, paths, common, xtr, ytr, model, ours)
    print(f"client test: ok (worst profile difference {worst:.2e}, eigenvalue {rel:.2e})")


class Narrow(Client):
    """The client with a head of 5 classes: parameters of other shapes."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(24, 5)


class NanOut(Client):
    """The client whose logits are all nan."""

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1)) * float("nan")


def hostile_models(a, paths, common, xtr, ytr, model, eigenvalue):
    """Models and data that do not fit together: refused with exit 2 and the fault named, or (for
    a model saved with requires_grad=False) measured as the same model with gradients. Every case
    runs; the failures are listed together."""
    data = ["--train-data", paths["train"], "--test-data", paths["test"], "--out", a.work,
            "--threads", "1"]
    failures = []

    def case(name, check):
        try:
            check()
        except SystemExit as e:
            failures.append(f"{name}: {e}")

    narrow = os.path.join(a.work, "narrow.pt")
    torch.jit.script(Narrow()).save(narrow)
    case("line ends of different shapes", lambda: expect_input_error(
        [a.valleys, "realnets", "line", "--scripted", "--from", paths["model"], "--to", narrow,
         "--points", "4", "--alpha-min", "-1", "--alpha-max", "2", *data],
        "is not the network of"))
    case("profile --model with --checkpoint", lambda: expect_input_error(
        [a.valleys, "realnets", "profile", *data, "--model", paths["model"], "--checkpoint",
         paths["later"], "--points", "5"], "were both given"))
    case("hessian --model with --checkpoint", lambda: expect_input_error(
        [a.valleys, "realnets", "hessian", *data, "--model", paths["model"], "--checkpoint",
         "sgd"], "were both given"))
    nan_model = os.path.join(a.work, "nan.pt")
    nan_net = NanOut()
    nan_net.load_state_dict(model.state_dict())
    torch.jit.script(nan_net.eval()).save(nan_model)
    case("hessian of nan outputs", lambda: expect_input_error(
        [a.valleys, "realnets", "hessian", *data, "--model", nan_model, "--sample-size", "64"],
        "the Hessian-vector product is not finite"))
    bad = os.path.join(a.work, "labels.pt")
    labels = ytr.clone()
    labels[5] = 10
    torch.save({"images": xtr, "labels": labels}, bad)
    case("labels outside the classes", lambda: expect_input_error(
        [a.valleys, "realnets", "profile", "--model", paths["model"], "--train-data", bad,
         "--test-data", paths["test"], "--out", a.work, "--points", "5"],
        "--train-data '" + bad + "': label 10 at index 5 is outside the network's 10 classes "
        "(allowed: 0..9)"))
    frozen = os.path.join(a.work, "frozen.pt")
    frozen_net = Client()
    frozen_net.load_state_dict(model.state_dict())
    for p in frozen_net.parameters():
        p.requires_grad_(False)
    torch.jit.script(frozen_net.eval()).save(frozen)

    def frozen_case():
        hess = json.loads(run([a.valleys, "realnets", "hessian", *common[2:], "--model", frozen,
                               "--sample-size", "256", "--iterations", "300", "--tolerance",
                               "1e-6", "--format", "json"]))
        if hess["top_eigenvalue"] != eigenvalue:
            sys.exit(f"eigenvalue {hess['top_eigenvalue']} != {eigenvalue} of the same model "
                     "with gradients")
    case("a model saved with requires_grad=False", frozen_case)
    if failures:
        sys.exit("hostile models: " + "; ".join(failures))
    print("hostile models: mismatched line ends, --model with --checkpoint, nan outputs and "
          "out-of-range labels refused; a frozen model measured as the same model")

if __name__ == "__main__":
    main()
