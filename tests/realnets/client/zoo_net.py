"""valleys' model zoo rebuilt in PyTorch: PreResNet-8 (any width) with valleys' parameter names,
and a checkpoint's parameters and BN buffers read by name (torch.jit.load reads LibTorch's
archive). Used by the surface test and by bench/landscape_peer.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ZooPreResNet8(nn.Module):
    """PreResNet-8 of valleys' zoo (one pre-activation basic block per stage: BN-ReLU-conv3x3-
    BN-ReLU-conv3x3, a 1x1 shortcut on the pre-activated input where the shape changes), its
    parameters named as valleys names them. Unrolled, so that torch.jit.script takes it."""

    def __init__(self, width):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        cin = width
        for i, (cout, stride) in enumerate(((width, 1), (2 * width, 2), (4 * width, 2))):
            self.add_module(f"block{i}_bn1", nn.BatchNorm2d(cin))
            self.add_module(f"block{i}_conv1", nn.Conv2d(cin, cout, 3, stride, 1, bias=False))
            self.add_module(f"block{i}_bn2", nn.BatchNorm2d(cout))
            self.add_module(f"block{i}_conv2", nn.Conv2d(cout, cout, 3, 1, 1, bias=False))
            if stride != 1 or cin != cout:
                self.add_module(f"block{i}_shortcut", nn.Conv2d(cin, cout, 1, stride, 0, bias=False))
            cin = cout
        self.final_bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, 10)

    def forward(self, x):
        x = self.stem(x)
        h = F.relu(self.block0_bn1(x))
        x = self.block0_conv2(F.relu(self.block0_bn2(self.block0_conv1(h)))) + x
        h = F.relu(self.block1_bn1(x))
        x = self.block1_conv2(F.relu(self.block1_bn2(self.block1_conv1(h)))) + self.block1_shortcut(h)
        h = F.relu(self.block2_bn1(x))
        x = self.block2_conv2(F.relu(self.block2_bn2(self.block2_conv1(h)))) + self.block2_shortcut(h)
        return self.fc(F.adaptive_avg_pool2d(F.relu(self.final_bn(x)), 1).flatten(1))


def zoo_parameters(path):
    """The parameters and BN buffers of a valleys checkpoint, by name."""
    archive = torch.jit.load(path)
    state = {n: p.detach().clone() for n, p in archive.named_parameters()}
    state.update({n: b.detach().clone() for n, b in archive.named_buffers()})
    return state
