"""Reads a direction file of `valleys realnets profile --save-direction` with Python's torch.load
and writes what it found, one `key value` per line, to the file named by the second argument:
the number of tensors, their dtype, the sum of squares (float64), the sum, and the names in order.
Used by realnets_torch_tests (the file must be a plain dict {parameter name: float32 tensor})."""
import sys

import torch

direction = torch.load(sys.argv[1])
assert isinstance(direction, dict), type(direction)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(f"tensors {len(direction)}\n")
    out.write(f"dtypes {','.join(sorted({str(t.dtype) for t in direction.values()}))}\n")
    out.write(f"sum_sq {sum(float((t.double() ** 2).sum()) for t in direction.values()):.12e}\n")
    out.write(f"sum {sum(float(t.double().sum()) for t in direction.values()):.12e}\n")
    out.write(f"names {','.join(direction.keys())}\n")
