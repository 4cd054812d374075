"""The claims C1-C9 and C19 checked against the exact theory (`valleys check`)."""
from . import _core
from ._convert import result


def ids():
    """C1..C9 and C19."""
    return list(_core.claim_ids())


def check(claim, scale="quick", seed=1):
    """One claim's verdict, its numbers with error bars and its rule (`valleys check --claim`)."""
    return result(_core.check(claim, scale, int(seed)))
