"""Driver of bench/run_height_bench: times `valleys realnets profile` on the fixed grid and with
--heights on one network, and compares the widths. Programs start from argument vectors."""
import json
import os
import statistics
import subprocess
import sys
import time

build, rounds = sys.argv[1], int(sys.argv[2])
valleys = os.path.join(build, "valleys")
run = os.path.join(build, "bench-height")
heights = [0.05, 0.1, 0.25, 0.5, 1, 2]
common = ["--train-size", "5000", "--test-size", "1000", "--threads", "2", "--out", run]

if not os.path.exists(os.path.join(run, "swa.pt")):
    subprocess.run([valleys, "realnets", "train", "--epochs", "6", *common], check=True,
                   stdout=subprocess.DEVNULL)


def timed(args):
    start = time.monotonic()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start


def read_csv(path):
    rows = [line.strip() for line in open(path, encoding="utf-8") if not line.startswith("#")]
    header = rows[0].split(",")
    return [dict(zip(header, r.split(","))) for r in rows[1:] if r]


grid_s, search_s, evaluations, diffs = [], [], [], []
for rnd in range(rounds):
    for d in range(3):
        profile = [valleys, "realnets", "profile", "--law", "uniform01", "--direction", str(d)]
        grid_s.append(timed([*profile, "--range", "10", "--points", "41", *common]))
        search_s.append(timed([*profile, "--heights", ",".join(map(str, heights)),
                               "--max-offset", "10", *common]))
        stem = os.path.join(run, f"profile_swa_uniform01_d{d}_recompute")
        if rnd > 0:
            continue
        meta = json.load(open(stem + "_heights.csv.json", encoding="utf-8"))
        evaluations.append(meta["evaluations"])
        found = {(int(r["side"]), float(r["height"])): r for r in read_csv(stem + "_heights.csv")}
        score = subprocess.run([valleys, "realnets", "score", "--profile",
                                stem + ".csv,x=t,loss=train_loss", "--heights",
                                ",".join(map(str, heights)), "--format", "json"],
                               check=True, capture_output=True, text=True).stdout
        for w in json.loads(score)["width_ratio_at"]:
            for side, key in ((1, "width_plus"), (-1, "width_minus")):
                r = found[(side, w["height"])]
                grid_width = w[key]
                if r["censored"] == "0" and isinstance(grid_width, (int, float)):
                    diffs.append(abs(float(r["offset"]) / grid_width - 1))
        print(f"direction {d}: grid {grid_s[-1]:.2f} s, search {search_s[-1]:.2f} s, "
              f"{evaluations[-1]} evaluations", flush=True)

g, s = statistics.median(grid_s), statistics.median(search_s)
print(f"grid (41 points, +-10): median {g:.2f} s over {len(grid_s)} runs")
print(f"height search (6 heights, max offset 10): median {s:.2f} s over {len(search_s)} runs, "
      f"evaluations {evaluations} (the centre included)")
print(f"time ratio search / grid = {s / g:.2f} (target <= 0.33)")
print(f"widths: {len(diffs)} side-heights found by both; |search / grid - 1| median "
      f"{statistics.median(diffs):.3f}, max {max(diffs):.3f}")
