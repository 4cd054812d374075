"""Exact theory: the expected test risk of a valley under a random shift, and the exact
stationary (and transient) statistics of the discrete-time SGD chain (`valleys theory`)."""
from . import _core
from ._convert import numbers_list, result


def risk(profile, shift, biases=()):
    """R(0), the optimal bias zeta_star, R_star, the improving window and diagnostics.

    profile: a valley spec ("quadratic:hplus=1,hminus=9", "linear:p=1,c=5", "table:FILE.csv", ...);
    shift: a shift law ("uniform:a=1", "gaussian:sigma=0.5", "rademacher:a=1");
    biases: also evaluate R at these biases (the result's "R_at_bias").
    """
    return result(_core.risk(profile, shift, numbers_list("biases", biases)))


def sgd(profile, eta, noise="gaussian:s=1", wd=0.0, T=None, x0=0.0, shift=None,
        cells_per_step=None, momentum=0.0, nesterov=False, wd_offset=0.0, noise_sd_table=None):
    """Stationary mean, P(flat side) and their SDE limits of x' = x - eta (phi'(x) + wd x + noise);
    with momentum the heavy-ball (or, with nesterov, Nesterov's) chain of PyTorch's SGD, solved
    exactly on its 2-D state; noise "gaussian:s=S,c=C" or noise_sd_table (a CSV with columns x and
    sd) make the noise state-dependent; with T also the transient E[x_t] and E[w_T] from x0; with
    shift the test risk of the mean."""
    return result(_core.sgd(profile, float(eta), noise, float(wd),
                            None if T is None else int(T), float(x0), shift,
                            None if cells_per_step is None else int(cells_per_step),
                            float(momentum), bool(nesterov), float(wd_offset), noise_sd_table))
