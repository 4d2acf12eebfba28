"""The exact engine against ``sympy.stats.E`` on the same cells, in one run.

For each cell (activation, power, derivative) at symbolic sigma and mu = 0 it
prints the engine's time (cold caches) and whether a closed form came back,
then the same for ``sympy.stats.E`` of the activation expression applied to
``Normal('X', 0, sigma)``, run in a subprocess killed after BUDGET seconds,
and the time ratio.  Run: python bench/bench_exact.py [budget_seconds]
"""

import subprocess
import sys
import textwrap
import time

import sympy

from symsig.activations import get_activation, x
from symsig import gaussian as engine
from symsig.exact import expectation, gaussian, integrals
from symsig.facts import facts

BUDGET = float(sys.argv[1]) if len(sys.argv) > 1 else 25.0

CELLS = [("relu", 1, 0), ("relu", 2, 0), ("leaky_relu", 2, 0), ("elu", 2, 0), ("hardswish", 2, 0),
         ("gelu", 1, 0), ("gelu", 2, 0), ("gelu", 2, 1), ("erf", 2, 0), ("sin", 2, 0)]


def engine_cell(name, power, derivative):
    expectation._cached.cache_clear()
    gaussian.standard_integral.cache_clear()
    integrals._cached.cache_clear()
    engine.exact_form.cache_clear()
    parts = facts(get_activation(name).expr).derivative(derivative).map(lambda e: e**power)
    start = time.perf_counter()
    found = engine.exact_form(parts, 0)
    return time.perf_counter() - start, found is not None


def sympy_stats_cell(name, power, derivative):
    expr = get_activation(name).expr
    if derivative:
        expr = sympy.diff(expr, x)
    code = textwrap.dedent(f"""
        import sympy
        from sympy import *
        from sympy.functions.elementary.piecewise import ExprCondPair
        from sympy.logic.boolalg import BooleanTrue
        true = BooleanTrue()
        from sympy.stats import Normal, E
        x = Symbol('x', real=True); sigma = Symbol('sigma', positive=True)
        X = Normal('X', 0, sigma)
        value = E(((({sympy.srepr(expr)}))**{power}).subs(x, X))
        print('closed' if not value.has(Integral) else 'unevaluated')
    """)
    start = time.perf_counter()
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=BUDGET)
        lines = run.stdout.strip().splitlines() or ["error: " + run.stderr.strip().splitlines()[-1][:60]]
        outcome = lines[-1]
    except subprocess.TimeoutExpired:
        outcome = f"timeout ({BUDGET:g} s)"
    return time.perf_counter() - start, outcome


def main():
    print(f"{'cell':<22} {'engine s':>9} {'closed':>7} {'sympy.stats s':>14} {'sympy.stats':>16} {'ratio':>8}")
    total_engine = total_sympy = 0.0
    for name, power, derivative in CELLS:
        label = f"E[{name}{chr(39) * derivative}^{power}]"
        t_engine, closed = engine_cell(name, power, derivative)
        t_sympy, outcome = sympy_stats_cell(name, power, derivative)
        total_engine += t_engine
        total_sympy += t_sympy
        print(f"{label:<22} {t_engine:9.3f} {str(closed):>7} {t_sympy:14.2f} {outcome:>16} {t_sympy / t_engine:8.0f}x")
    print(f"{'total':<22} {total_engine:9.3f} {'':>7} {total_sympy:14.2f} {'':>16} {total_sympy / total_engine:8.0f}x")
    print("sympy.stats times include the subprocess start (about 1 s); a timeout counts as the budget.")


if __name__ == "__main__":
    main()
