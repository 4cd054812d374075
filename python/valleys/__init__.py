"""valleys: asymmetric valleys of loss landscapes (He, Huang & Yuan, NeurIPS 2019).

The theory engine, the simulator, profile scoring and the claim checks of the C++ libraries,
without LibTorch. Every function returns the JSON output of its command-line twin as a dict (the
result's keys plus "meta"), lists of numbers as NumPy arrays; bad input raises ValueError with the
command line's message.

    >>> import valleys
    >>> valleys.theory.risk(profile="quadratic:hplus=1,hminus=9", shift="uniform:a=1")["zeta_star"]
    0.5
"""
from . import claims, realnets, sim, theory
from ._core import git, version

__all__ = ["theory", "sim", "realnets", "claims", "version", "git"]
