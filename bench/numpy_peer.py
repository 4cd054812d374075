#!/usr/bin/python3
"""NumPy peer of the simulator benchmark: the same 1-D quadratic valley (h+ = 1, h- = 9 unless
given), Gaussian noise s = 1, eta = 0.05 unless given, chains as one array and a Python loop over
steps, accumulating the SWA average and the flat-side count like valleys does. Prints chain-steps
per second (the loop only, best of three) as JSON.

    numpy_peer.py [CHAINS [STEPS [HMINUS [ETA]]]]"""
import json
import sys
import time

import numpy as np


def run(chains, steps, hminus=9.0, eta=0.05, seed=1):
    rng = np.random.default_rng(seed)
    x = np.zeros(chains)
    avg = np.zeros(chains)
    flat = np.zeros(chains)
    t0 = time.perf_counter()
    for _ in range(steps):
        g = np.where(x >= 0, 1.0, hminus) * x + rng.standard_normal(chains)
        x -= eta * g
        avg += x
        flat += x > 0
    dt = time.perf_counter() - t0
    return chains * steps / dt, float((avg / steps).mean())


if __name__ == "__main__":
    chains = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    hminus = float(sys.argv[3]) if len(sys.argv) > 3 else 9.0
    eta = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    best = max(run(chains, steps, hminus, eta)[0] for _ in range(3))
    print(json.dumps({"chains": chains, "steps": steps, "hminus": hminus, "eta": eta,
                      "numpy_chain_steps_per_s": best, "numpy": np.__version__}))
