"""The Python package against the reference values of the theory (docs/theory.md: Theorem 1's
table and the exact chain's means), against closed forms, and against its own contracts: dicts with
the JSON keys, NumPy arrays for number lists, ValueError with the command line's message, no
LibTorch loaded. The Monte Carlo check uses a fixed seed and |z| <= 4.5 (false-failure
probability 6.8e-6 per check under the CLT)."""
import math

import numpy as np
import pytest

import valleys

QUAD = "quadratic:hplus=1,hminus=9"


def test_risk_matches_the_reference_table():
    r = valleys.theory.risk(profile=QUAD, shift="uniform:a=1", biases=[0.2, 0.8])
    assert r["zeta_star"] == pytest.approx(0.5, abs=1e-12)
    assert r["R0"] == pytest.approx(5 / 6, rel=1e-12)
    assert r["R_star"] == pytest.approx(0.375, rel=1e-12)
    assert [b["R"] for b in r["R_at_bias"]] == pytest.approx([0.528, 0.492], rel=1e-12)
    assert r["flat_side"] == "positive"
    assert r["meta"]["command"] == "theory risk"
    assert r["meta"]["profile"] == QUAD
    g = valleys.theory.risk(profile="linear:p=1,c=5", shift="gaussian:sigma=1")
    assert g["R0"] == pytest.approx(2.3937, abs=5e-5)
    assert g["zeta_star"] == pytest.approx(0.9674, abs=5e-5)


def test_sgd_matches_the_exact_chain_reference():
    s = valleys.theory.sgd(profile=QUAD, eta=0.05)
    assert s["mean"] == pytest.approx(0.08765, abs=5e-6)
    assert s["p_flat"] == pytest.approx(0.7648, abs=5e-5)
    assert s["p_flat_sde"] == pytest.approx(0.75, abs=1e-12)
    t = valleys.theory.sgd(profile=QUAD, eta=0.05, T=50)
    assert isinstance(t["mean_t"], np.ndarray)
    assert t["mean_t"].ndim == 1 and len(t["mean_t"]) >= 50
    assert t["meta"]["T"] == 50


def test_sgd_with_momentum_matches_the_linear_chain():
    # Heavy ball on phi = x^2 / 2: Var x = (1 + b) eta / ((1 - b) (2 (1 + b) - eta)) (AR(2)).
    eta, b = 0.05, 0.9
    s = valleys.theory.sgd(profile="quadratic:hplus=1,hminus=1", eta=eta, momentum=b)
    assert s["var_x"] == pytest.approx((1 + b) * eta / ((1 - b) * (2 * (1 + b) - eta)), rel=2e-4)
    assert s["method"] == "ulam-2d-heavy-ball+richardson"
    n = valleys.theory.sgd(profile=QUAD, eta=eta, momentum=b, nesterov=True)
    assert n["method"] == "ulam-2d-nesterov+richardson" and n["meta"]["nesterov"] is True
    with pytest.raises(ValueError, match="momentum"):
        valleys.theory.sgd(profile=QUAD, eta=eta, momentum=1.0)


def test_sim_agrees_with_its_exact_prediction():
    r = valleys.sim.run("linear:p=1,c=5", eta=0.05, chains=2000, steps=2000, burnin=500, seed=7)
    assert r["meta"]["command"] == "sim"
    assert r["meta"]["seed"] == 7
    # The exact chain's values (docs/theory.md): P(x > 0) = c / (1 + c) = 5/6 for the linear valley.
    assert r["theory"]["p_flat"] == pytest.approx(5 / 6, abs=1e-3)
    assert abs(r["z"]["p_flat"]) <= 4.5
    assert abs(r["z"]["mean_avg"]) <= 4.5
    assert r["p_flat_se"] > 0


def test_score_finds_the_flat_side_of_a_two_curvature_parabola():
    x = np.linspace(-3, 3, 61)
    loss = np.where(x > 0, 0.5 * x**2, 4.5 * x**2)  # curvatures 1 and 9: positive side flat
    r = valleys.realnets.score(x=x, loss=loss)
    assert r["flat_side"] == "positive"
    assert r["asymmetric"] is True
    symmetric = valleys.realnets.score(x=x, loss=0.5 * x**2)
    assert symmetric["asymmetric"] is False
    assert symmetric["flat_side"] == "none"


def test_score_reads_a_profile_file(tmp_path):
    path = tmp_path / "p.csv"
    x = np.linspace(-2, 2, 41)
    rows = ["t,train_loss"] + [f"{t:.6f},{(0.5 if t < 0 else 0.05) * t * t:.9f}" for t in x]
    path.write_text("\n".join(rows) + "\n")
    r = valleys.realnets.score(profile=f"{path},x=t,loss=train_loss")
    assert r["flat_side"] == "positive"
    assert r["meta"]["profile"].startswith(str(path))


def test_bad_input_raises_value_error_with_the_command_lines_message():
    with pytest.raises(ValueError, match="hplus"):
        valleys.theory.risk(profile="quadratic:hplus=-1,hminus=9", shift="uniform:a=1")
    with pytest.raises(ValueError, match="--dim"):
        valleys.sim.run(QUAD, dim=0)
    with pytest.raises(ValueError, match="'etaa' is not a simulator input"):
        valleys.sim.run(QUAD, etaa=0.1)
    with pytest.raises(ValueError, match=r"sim.run\(chains=...\)"):
        valleys.sim.run(QUAD, chains=10.5)
    with pytest.raises(ValueError, match="T = 0"):
        valleys.theory.sgd(profile=QUAD, eta=0.05, T=0)
    with pytest.raises(ValueError, match="give profile, or both x and loss"):
        valleys.realnets.score(x=[0, 1])
    with pytest.raises(ValueError, match="allowed: quick, full, smoke"):
        valleys.claims.check("C1", scale="huge")


def test_claims_are_listed_and_checked():
    assert valleys.claims.ids() == [f"C{i}" for i in range(1, 10)] + ["C19"]
    c = valleys.claims.check("C1", scale="quick", seed=20261127)
    assert c["verdict"] in ("holds", "fails", "inconclusive")


def test_version_and_no_libtorch():
    assert valleys.version
    with open("/proc/self/maps") as maps:
        assert "libtorch" not in maps.read()


SMALL = dict(eta=0.05, chains=256, steps=2000, seed=7)


def test_numpy_scalars_are_numbers():
    plain = valleys.sim.run(QUAD, **SMALL)
    numpy = valleys.sim.run(QUAD, eta=np.float64(0.05), chains=np.int64(256),
                            steps=np.uint32(2000), seed=np.int8(7))
    assert numpy["mean_avg"] == plain["mean_avg"]
    with pytest.raises(ValueError, match="expected a number or a spec"):
        valleys.sim.run(QUAD, eta=0.05, chains=np.bool_(True))


def test_huge_sizes_are_refused_before_allocating():
    with pytest.raises(ValueError, match="GB for the chains' results"):
        valleys.sim.run(QUAD, eta=0.05, chains=2**32, steps=10)


_LONG_RUN = ("import valleys, sys; print('started', flush=True); "
             "valleys.sim.run('quadratic:hplus=1,hminus=9', eta=0.05, chains=1, "
             "steps=2**50)")


def test_a_long_run_stops_on_sigint():
    import signal
    import subprocess
    import sys
    import time
    child = subprocess.Popen([sys.executable, "-c", _LONG_RUN], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert "KeyboardInterrupt" in err


def _sim_in_child(queue):
    queue.put(valleys.sim.run(QUAD, **SMALL)["mean_avg"])


def test_a_forked_child_runs_after_the_parent_used_the_package():
    import multiprocessing
    parent = valleys.sim.run(QUAD, **SMALL)["mean_avg"]  # starts OpenMP's threads here
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_sim_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0
    assert queue.get(timeout=5) == parent  # same numbers on one thread
