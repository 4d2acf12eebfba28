"""Cold single requests: wall time of one command in a fresh process, next to the floor
every such process pays (starting Python and importing SymPy and mpmath), and issue 13's goals.

Each command runs ``--repeat`` times (default 5) in a fresh interpreter; the table gives the
fastest and the median run.  No cache of results exists, so every run does all its work.

    python bench/bench_cold.py
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ("symsig signature gelu --dps 50 --json", [sys.executable, "-m", "symsig", "signature", "gelu", "--dps", "50", "--json"], 1.2),
    ("symsig signature relu", [sys.executable, "-m", "symsig", "signature", "relu"], 0.9),
    ("python -c 'import symsig'", [sys.executable, "-c", "import symsig"], None),
    ("floor: python -c 'import sympy, mpmath'", [sys.executable, "-c", "import sympy, mpmath"], None),
]


def wall(argv):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
    times = {label: [] for label, _, _ in COMMANDS}
    for _ in range(args.repeat):  # interleaved, so a burst of load touches every command alike
        for label, argv, _ in COMMANDS:
            times[label].append(wall(argv))
    floor = statistics.median(times[COMMANDS[-1][0]])
    print(f"\n{'command':<42} {'fastest s':>9} {'median s':>9} {'median / floor':>14} {'goal s':>7}")
    for label, _, goal in COMMANDS:
        fastest, median = min(times[label]), statistics.median(times[label])
        verdict = "" if goal is None else f"{goal:>7.1f} {'met' if median <= goal else 'NOT met'}"
        print(f"{label:<42} {fastest:>9.2f} {median:>9.2f} {median / floor:>14.2f} {verdict}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
