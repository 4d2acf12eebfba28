"""Sigma sweeps: 8 activations x 100 sigma values against one sigma value, and their digits.

Prints, from one run:

* ``one sigma``: the time of ``signature(phi, sigma=1, dps)`` for the eight standard
  activations, each the first call in a fresh process (what one table row costs:
  the symbolic work -- pieces, closed forms, limits, TV, C -- is done there);
* ``sweep``: the time of ``signature_sweep(phi, sigmas, dps)`` for the same eight with
  100 sigma values log-spaced in [0.1, 10], in another fresh process;
* the ratio of the two (issue 13 asks for at most 10), in CPU time (which other load
  on the machine does not inflate) and in wall time;
* the digits: for every 11th sigma, each component of the sweep against the
  single-sigma ``signature()`` (a different quadrature: nodes in z at that sigma,
  not shared nodes in x), as the number of digits in which the two agree, worst
  over components, against the digits each claims.

    python bench/bench_sweep.py [--dps 30] [--count 100]
"""

import argparse
import json
import subprocess
import sys
import time

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "swish", "gelu", "mish", "telu")


def grid(count):
    """``count`` sigma values log-spaced in [0.1, 10], as 6-digit decimal strings (exact values)."""
    from mpmath import mp  # read only: the global context at its default 15 digits
    return [mp.nstr(mp.mpf(10) ** (-1 + 2 * mp.mpf(k) / (count - 1)), 6) for k in range(count)]


def timed(function, *args, **kwargs):
    """``(result, wall seconds, CPU seconds)``: CPU time is what other load on the machine does not inflate."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def one_sigma(dps):
    from symsig import signature

    wall = cpu = 0
    for name in ACTIVATIONS:
        _, w, c = timed(signature, name, sigma=1, dps=dps)
        wall, cpu = wall + w, cpu + c
    return {"seconds": wall, "cpu": cpu}


def agreement(a, b, dps):
    """Digits in which two Quantities agree (dps when they are equal), or a string when they differ in kind."""
    import mpmath

    if not (a.is_finite and b.is_finite):
        return dps if str(a) == str(b) else f"{a} vs {b}"
    mp = mpmath.MPContext()
    mp.dps = dps + 10
    difference = abs(mp.mpf(a.value) - mp.mpf(b.value))
    size = max(abs(mp.mpf(b.value)), mp.mpf(10) ** -dps)
    return dps if difference == 0 else min(dps, int(mp.floor(-mp.log10(difference / size))))


def sweep(dps, count):
    from symsig import signature
    from symsig.sweep import signature_sweep

    sigmas = grid(count)
    wall = cpu = 0
    sweeps = {}
    for name in ACTIVATIONS:
        sweeps[name], w, c = timed(signature_sweep, name, sigmas, dps=dps)
        wall, cpu = wall + w, cpu + c
    worst = {}
    for name in ACTIVATIONS:
        for k in range(0, count, 11):
            single = signature(name, sigma=sigmas[k], dps=dps)
            for component, q in single.items():
                swept = sweeps[name].signatures[k][component]
                digits = agreement(swept, q, dps)
                claimed = min(swept.dps, q.dps)
                key = (name, component)
                if isinstance(digits, str) or key not in worst or digits < worst[key][0]:
                    worst[key] = (digits, claimed, sigmas[k])
    return {"seconds": wall, "cpu": cpu, "worst": [[n, c, *v] for (n, c), v in worst.items()]}


def run(mode, dps, count):
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--dps", str(dps), "--count", str(count)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dps", type=int, default=30)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--child", choices=("one", "sweep"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = one_sigma(args.dps) if args.child == "one" else sweep(args.dps, args.count)
        print(json.dumps(result))
        return 0
    one, swept = run("one", args.dps, args.count), run("sweep", args.dps, args.count)
    print(f"{len(ACTIVATIONS)} activations at dps {args.dps}")
    print(f"  one sigma (sigma = 1), cold:      CPU {one['cpu']:7.2f} s   wall {one['seconds']:7.2f} s")
    print(f"  sweep, {args.count} sigma in [0.1, 10], cold: CPU {swept['cpu']:7.2f} s   wall {swept['seconds']:7.2f} s")
    print(f"  ratio sweep / one sigma:          CPU {swept['cpu'] / one['cpu']:7.2f}     wall "
          f"{swept['seconds'] / one['seconds']:7.2f}   (goal <= 10)")
    print("digits of the sweep against signature() at every 11th sigma (worst per component):")
    bad = 0
    for name, component, digits, claimed, sigma in swept["worst"]:
        ok = isinstance(digits, int) and digits >= claimed - 1
        bad += not ok
        if not ok or component in ("m2", "g1"):
            print(f"  {name:10s} {component:11s} agree {digits} digits, claimed {claimed} (sigma {sigma})"
                  + ("" if ok else "  <-- MISMATCH"))
    print("all components agree to their claimed digits (within one unit of the last)" if not bad
          else f"{bad} components disagree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
