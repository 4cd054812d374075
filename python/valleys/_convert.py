"""JSON text of the C++ side -> dicts, lists of numbers -> NumPy arrays."""
import json
import numbers

import numpy as np


def _arrays(value):
    if isinstance(value, dict):
        return {k: _arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in value):
            return np.asarray(value, dtype=float)
        return [_arrays(v) for v in value]
    return value


def result(text):
    """The dict of a command's JSON output: NaN and infinities as floats, number lists as arrays."""
    return _arrays(json.loads(text))


def numbers_list(name, values):
    """A 1-D sequence of finite or infinite floats, or ValueError naming the argument."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name}: not a sequence of numbers ({e})") from None
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence, got shape {array.shape}")
    return [float(v) for v in array]
