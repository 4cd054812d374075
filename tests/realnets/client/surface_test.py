"""valleys' 2-D loss surface, recomputed in PyTorch along the directions it saved.

A network of valleys' model zoo (PreResNet-8, width 8, trained by `valleys realnets train` on 512
images, its SWA solution) and a TorchScript model from PyTorch are each measured by `valleys realnets surface` on a
5 x 5 grid (BN recomputed at every point, d1 and d2 saved with --save-directions). This script
rebuilds the zoo network in PyTorch from its checkpoint (torch.jit.load reads LibTorch's archive),
moves it to w + a d1 + b d2, recomputes BN by torch.optim.swa_utils.update_bn and evaluates it:
every training and test loss agrees within 1e-4 (relative). The mark (the run's SGD solution) is
projected onto the plane here too and agrees within 1e-6. A surface stopped after some points is
resumed from its partial file, and the resumed grid equals the grid of one uninterrupted run.

Usage: surface_test.py --valleys PATH --work DIR
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from torch.optim.swa_utils import update_bn

from client_common import mean_loss, read_cifar, run, start
from zoo_net import ZooPreResNet8, zoo_parameters

TOLERANCE = 1e-4  # relative; the zoo folds eval-mode BN into the convolutions (rounding)


def surface_csv(work, result):
    return np.genfromtxt(os.path.join(work, result["surface"]), delimiter=",", names=True)


def recompute(name, model, csv, directions, xtr, ytr, xte, yte):
    """The grid's losses in PyTorch; exits when one differs by more than TOLERANCE."""
    centre = {n: p.detach().clone() for n, p in model.named_parameters()}
    loader = torch.utils.data.DataLoader(xtr, batch_size=128, shuffle=False)
    worst = 0.0
    for row in csv:
        a, b = float(row["a"]), float(row["b"])
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(centre[n] + a * directions["d1"][n] + b * directions["d2"][n])
        update_bn(loader, model)
        for column, ours in (("train_loss", mean_loss(model, xtr, ytr)),
                             ("test_loss", mean_loss(model, xte, yte))):
            worst = max(worst, abs(float(row[column]) - ours) / abs(ours))
    print(f"{name}: {len(csv)} points, largest relative difference {worst:.2e}")
    if worst > TOLERANCE:
        sys.exit(f"{name}: relative difference {worst:.2e} > {TOLERANCE}")
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(centre[n])


def check_mark(result, centre, mark, directions):
    """The least-squares coordinates of mark - centre on d1, d2 over the perturbed coordinates."""
    d1 = torch.cat([directions["d1"][n].double().flatten() for n in directions["d1"]])
    d2 = torch.cat([directions["d2"][n].double().flatten() for n in directions["d1"]])
    delta = torch.cat([(mark[n] - centre[n]).double().flatten() for n in directions["d1"]])
    delta = torch.where((d1 != 0) | (d2 != 0), delta, torch.zeros_like(delta))
    basis = torch.stack([d1, d2], 1)
    coef = torch.linalg.lstsq(basis, delta.unsqueeze(1)).solution.flatten()
    residual = (delta - basis @ coef).norm().item()
    ours = result["mark"]
    print(f"mark: valleys a={ours['a']:.6g} b={ours['b']:.6g} out of plane "
          f"{ours['out_of_plane']:.6g}; PyTorch a={coef[0]:.6g} b={coef[1]:.6g} out of plane "
          f"{residual:.6g}")
    scale = max(delta.norm().item(), 1e-12)
    for got, want in ((ours["a"], coef[0].item()), (ours["b"], coef[1].item()),
                      (ours["out_of_plane"], residual), (ours["distance"], delta.norm().item())):
        if abs(got - want) > 1e-6 * scale:
            sys.exit(f"mark: {got} against {want}")


def resume_case(cmd, work, whole):
    """Stops a surface after some points, runs it again; the grid equals the whole run's."""
    partial = os.path.join(work, whole["surface"].replace(".csv", ".partial.csv"))
    final = os.path.join(work, whole["surface"])
    reference = open(final).read()
    os.remove(final)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if os.path.exists(partial) and open(partial).read().count("\n") >= 8:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    if not os.path.exists(partial):
        sys.exit("resume: no partial surface was written")
    again = json.loads(run(cmd + ["--format", "json"]))
    print(f"resume: stopped, then {again['resumed_points']} points resumed")
    if not 0 < again["resumed_points"] < again["points"]:
        sys.exit(f"resume: resumed_points = {again['resumed_points']}")
    if open(final).read() != reference or os.path.exists(partial):
        sys.exit("resume: the resumed grid differs from the uninterrupted one")


def main():
    a, folder = start(20261207)
    xtr, ytr = read_cifar(os.path.join(folder, "subset_train.bin.xz"), 256)
    xte, yte = read_cifar(os.path.join(folder, "subset_test.bin.xz"), 256)

    zoo = os.path.join(a.work, "zoo")
    net = ["--depth", "8", "--width", "8", "--train-size", "512", "--test-size", "256",
           "--threads", "1", "--batch", "128", "--out", zoo]
    run([a.valleys, "realnets", "train", *net, "--epochs", "4"])  # the SWA recipe: swa.pt, sgd.pt
    mark = os.path.join(zoo, "sgd.pt")
    dirs = os.path.join(a.work, "zoo_directions.pt")
    cmd = [a.valleys, "realnets", "surface", *net, "--checkpoint", "swa", "--eval-size", "256",
           "--points", "5", "--range", "0.5", "--mark", mark, "--save-directions", dirs,
           "--no-figures"]
    result = json.loads(run(cmd + ["--format", "json"]))
    model = ZooPreResNet8(8)
    state = zoo_parameters(os.path.join(zoo, "swa.pt"))
    missing = model.load_state_dict(state, strict=True)
    print("zoo network rebuilt in PyTorch:", missing)
    directions = torch.load(dirs)
    if list(directions["d1"].keys()) != [n for n, _ in model.named_parameters()]:
        sys.exit("the saved directions do not name the network's parameters in order")
    recompute("zoo PreResNet-8", model, surface_csv(zoo, result), directions, xtr, ytr, xte, yte)
    check_mark(result, state, zoo_parameters(mark), directions)
    resume_case(cmd, zoo, result)

    # The same network as a TorchScript model of the user's, with the user's data.
    paths = {k: os.path.join(a.work, k + ".pt") for k in ("model", "train", "test", "dirs")}
    torch.jit.script(model).save(paths["model"])
    torch.save({"images": xtr, "labels": ytr}, paths["train"])
    torch.save({"images": xte, "labels": yte}, paths["test"])
    scripted = json.loads(run([a.valleys, "realnets", "surface", "--model", paths["model"],
                               "--train-data", paths["train"], "--test-data", paths["test"],
                               "--threads", "1", "--batch", "128", "--eval-size", "0",
                               "--law", "gaussian", "--points", "5", "--points-b", "3",
                               "--range", "0.5", "--save-directions", paths["dirs"],
                               "--out", a.work, "--format", "json"]))
    if scripted["points"] != 15:
        sys.exit(f"a 5 x 3 grid has {scripted['points']} points")
    for figure in ("_contour.png", "_3d.png", "_contour.pdf"):
        path = os.path.join(a.work, scripted["surface"].replace(".csv", figure))
        if not os.path.getsize(path) > 1000:
            sys.exit(f"figure {path} is missing or empty")
    recompute("TorchScript model", model, surface_csv(a.work, scripted), torch.load(paths["dirs"]),
              xtr, ytr, xte, yte)
    print("surface: every point agrees with PyTorch")


if __name__ == "__main__":
    main()
