#!/usr/bin/env python3
"""compare.py BEFORE AFTER: every file `capture` wrote under BEFORE against the same file under
AFTER. Left out of the comparison: what records time, date, host, paths or the git hash (JSON
keys such as created, git, command_line, *seconds*, *_s, rates, started/finished; CSV columns of
those names; '# key' metadata lines; durations in Markdown), images and checkpoints (their data
and scripts are compared), and LibTorch's optimizer-state file (not byte-reproducible from run to
run of one binary). Prints DIFFER / MISSING / NEW per file and a count."""
import json, os, re, sys

DROP = {"created", "git", "command_line", "host", "wall_seconds", "wall_time_s", "seconds",
        "stage_seconds", "elapsed_s", "time_s", "train_images_per_s", "images_per_s",
        "steps_per_s", "rate", "duration_s"}
TIMING = re.compile(r"(seconds|_s$|per_s|wall|elapsed|created|time|started|finished)")

def norm(x):
    if isinstance(x, dict) and "fingerprint" in x and "rows" in x:  # a training state: seconds
        x = dict(x, rows=[r[:6] + r[7:] for r in x["rows"]])
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items() if k not in DROP and not TIMING.search(k)}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x

def text_norm(s, root):
    s = s.replace(root, "ROOT")
    s = re.sub(r"^# ?(created|git|command_line|host)[ :=].*$", "", s, flags=re.M)
    s = re.sub(r"\b[0-9a-f]{12}(-dirty)?\b", "HASH", s)
    s = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", s)
    s = re.sub(r"\d{8}T\d{6}Z", "TIME", s)
    s = re.sub(r"\b\d+(\.\d+)? s\b", "N s", s)  # durations in reports
    lines = s.split("\n")
    header = next((i for i, l in enumerate(lines) if l and not l.startswith("#")), None)
    if header is not None and "," in lines[header]:  # a CSV: its timing columns blanked
        names = lines[header].split(",")
        timed = {i for i, n in enumerate(names) if TIMING.search(n)}
        if timed:
            for i in range(header + 1, len(lines)):
                cells = lines[i].split(",")
                if len(cells) == len(names):
                    lines[i] = ",".join("T" if j in timed else c for j, c in enumerate(cells))
    return "\n".join(lines)

def load(path, root):
    raw = open(path, "rb").read()
    try:
        txt = raw.decode()
    except UnicodeDecodeError:
        return ("bytes", raw)
    try:
        return ("json", norm(json.loads(txt.replace(root, "ROOT"))))
    except ValueError:
        return ("text", text_norm(txt, root))

def main(before, after):
    same = differ = missing = 0
    skip = re.compile(r"(\.png|\.pdf|\.gp|\.pt|\.bin|stages\.log|report\.html|\.err|optim\.pt\.sha256)$")
    for d, _, files in os.walk(before):
        for f in sorted(files):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, before)
            if skip.search(f):
                continue
            q = os.path.join(after, rel)
            if not os.path.exists(q):
                print("MISSING", rel); missing += 1; continue
            a, b = load(p, before), load(q, after)
            if a == b:
                same += 1
            else:
                differ += 1
                print("DIFFER", rel)
    for d, _, files in os.walk(after):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), after)
            if not skip.search(f) and not os.path.exists(os.path.join(before, rel)):
                print("NEW", rel)
    print(f"{same} identical, {differ} differ, {missing} missing")

main(*sys.argv[1:])
