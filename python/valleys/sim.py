"""The Monte Carlo simulator of SGD with weight averaging (`valleys sim`)."""
import numbers
import operator

import numpy as np

from . import _core
from ._convert import numbers_list, result


def run(profile, **inputs):
    """One configuration: `profile` (a spec, or a list with one per direction) and the simulator's
    inputs by their command-line names with underscores (eta=0.05, chains=1000, steps=10000,
    burnin=0, avg_start=1, avg_every=1, noise="gaussian:s=1", lr_schedule="constant", momentum,
    wd, x0, seed, dim, coupling, data_size, batch, eval_shift, noise_per_direction=[...]).
    Returns the statistics with their standard errors and, where the exact theory applies, its
    predictions and z-scores (the keys of `valleys sim --format json`). Runs on the CPU with
    OpenMP's threads; the numbers do not depend on their count."""
    profiles = [profile] if isinstance(profile, str) else list(profile)
    per_direction = numbers_list("noise_per_direction", inputs.pop("noise_per_direction", ()))
    fields = [(name.replace("_", "-"), _field_text(name, value)) for name, value in inputs.items()]
    return result(_core.sim(profiles, fields, per_direction))


def _field_text(name, value):
    """The text of one input: a spec as it is; an integer (int, numpy.int64, anything with
    __index__) in decimal; any other real number (float, numpy.float32, anything with __float__)
    as the shortest text that reads back to the same double."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"sim.run({name}=...): expected a number or a spec, got {value!r}")
    if hasattr(value, "__index__"):
        return str(operator.index(value))
    if isinstance(value, numbers.Real) or hasattr(value, "__float__"):
        return repr(float(value))
    raise ValueError(f"sim.run({name}=...): expected a number or a spec, got {value!r}")
