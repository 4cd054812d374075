"""Profile scoring of real networks without LibTorch (`valleys realnets score`)."""
from . import _core
from ._convert import numbers_list, result


def score(profile=None, *, x=None, loss=None, heights=None, kappa=None, min_rise=None):
    """The asymmetry of a loss profile under the declared criterion: flat_side, asymmetric,
    rises at matched distances, widths at matched heights, slopes and tilt.

    Either profile="FILE.csv[,x=COL][,loss=COL]" or the arrays x (offsets, increasing, holding 0)
    and loss; heights (above L(0)), kappa and min_rise override the criterion's defaults.
    """
    h = None if heights is None else numbers_list("heights", heights)
    k = None if kappa is None else float(kappa)
    r = None if min_rise is None else float(min_rise)
    if profile is not None:
        if x is not None or loss is not None:
            raise ValueError("score: give profile or x and loss, not both")
        return result(_core.score_file(profile, h, k, r))
    if x is None or loss is None:
        raise ValueError("score: give profile, or both x and loss")
    return result(_core.score(numbers_list("x", x), numbers_list("loss", loss), "(arrays)", h, k,
                              r))
