"""Which signature cells the exact engine closes: the coverage table of docs/exact.md.

For every catalogue activation (``symsig.activations.catalogue()``, split by
``symsig.calculus.decompose``) and every component m1, g1, g2, m2, eta, TV, C,
:func:`coverage` reports the closed form in sigma (mu = 0), or why there is none.
TV and C are assembled here the way the signature does it: split each smooth
piece at the sign changes of the integrand (found by ``solveset`` on integrands within
``symsig.limits.MAX_SYMBOLIC_NODES`` nodes: exact and complete, or no closed form),
integrate each part with :func:`definite_integral`, add ``|jump of phi'|`` at kinks.
"""

import time

import sympy
from sympy import Integer, oo

from ..activations import catalogue, get_activation, x
from ..bounded import attempt
from ..calculus import decompose, slopes, symbolic_limit
from ..precision import engine_call
from .expectation import truncated_expectation
from .integrals import definite_integral
from .tidy import tidy

SIGMA = sympy.Symbol("sigma", positive=True)
COMPONENTS = ("m1", "g1", "g2", "m2", "eta", "TV", "C")


def pieces(name):
    """Smooth pieces ``[(lo, hi, expr)]`` of a catalogue activation."""
    return [(p.lo, p.hi, p.expr) for p in decompose(get_activation(name).expr).pieces]


def derivative_pieces(name):
    """Classical derivative piece by piece (kinks do not change Gaussian expectations of phi')."""
    return [(lo, hi, sympy.diff(expr, x)) for lo, hi, expr in pieces(name)]


def piecewise_expectation(pieces_list, power=1, sigma=SIGMA, mu=Integer(0)):
    """``(sum of E[expr**power; lo < X < hi], rules)`` over the pieces, or None."""
    total, rules = Integer(0), set()
    for lo, hi, expr in pieces_list:
        if expr == 0:
            continue
        part = truncated_expectation(expr**power, x, lo, hi, sigma, mu)
        if part is None:
            return None
        total += part.expr
        rules.update(part.rule.split(" + "))
    return tidy(total), rules


def absolute_integral(pieces_list):
    """``int |f|`` over the pieces, exact, or None; ``oo`` when f does not vanish at an infinite end."""
    total = Integer(0)
    for lo, hi, expr in pieces_list:
        if expr == 0:
            continue
        if not _plain_arguments(expr):
            return None  # neither solveset nor the tail limits would decide it (see _plain_arguments)
        for end in (lo, hi):
            if end.is_infinite:
                tail = symbolic_limit(expr, end)
                if tail is not None and tail.is_finite and tail != 0:
                    return oo
        cuts = _sign_changes(expr, lo, hi)
        if cuts is None:
            return None
        ends = [lo, *cuts, hi]
        for a, b in zip(ends, ends[1:]):
            part = definite_integral(expr, x, a, b)
            if part is None:
                return None
            total += abs(part.expr) if part.expr.is_comparable else sympy.Abs(part.expr)
    return total


def _sign_changes(expr, lo, hi):
    if expr.is_polynomial(x) and sympy.degree(expr, x) == 0:
        return []
    roots = attempt(sympy.solveset, expr, x, sympy.Interval.open(lo, hi))
    if roots is sympy.S.EmptySet:
        return []
    if not isinstance(roots, sympy.FiniteSet) or not all(r.is_comparable for r in roots):
        return None
    return sorted(roots, key=lambda r: sympy.N(r))


@engine_call
def _plain_arguments(expr):
    """True when every function of x in expr has a linear argument, or a polynomial one inside exp.

    A deterministic gate before ``solveset`` and the tail limits: on compositions such as
    ``tanh(x**3)``, ``tanh(exp(x))`` or ``tanh(log(1 + e**x))`` (tanh-GELU, TeLU, Mish)
    they spent 5-50 s and decided nothing.
    """
    for node in sympy.preorder_traversal(expr):
        if not isinstance(node, sympy.Function) or not node.has(x):
            continue
        if isinstance(node, sympy.Piecewise):
            return False
        top = sympy.oo if isinstance(node, sympy.exp) else 1
        if not all(arg.is_polynomial(x) and sympy.degree(arg, x) <= top for arg in node.args):
            return False
    return True


def total_variation_of_derivative(name):
    """``TV(phi') = int |phi''| + sum |jump of phi'|``, exact, or None."""
    smooth = decompose(get_activation(name).expr)
    if smooth.jumps():
        return oo
    first = smooth.diff()
    jumps = sum((abs(j) for j in first.jumps().values()), Integer(0))
    second = [(p.lo, p.hi, sympy.diff(p.expr, x, 2)) for p in smooth.pieces]
    inner = absolute_integral(second)
    return None if inner is None else sympy.nsimplify(jumps) + inner


@engine_call
def tail_area(name):
    """``C = int |phi - l|`` with ``l = alpha_plus x`` (x > 0), ``alpha_minus x`` (x < 0), or None."""
    plus, minus = (q.exact for q in slopes(get_activation(name).expr))
    if plus is None or minus is None or not (plus.is_finite and minus.is_finite):
        return "undefined"
    split = []
    for lo, hi, expr in pieces(name):
        for a, b, alpha in ((lo, sympy.Min(hi, 0), minus), (sympy.Max(lo, 0), hi, plus)):
            if (a < b) == True:  # noqa: E712
                split.append((a, b, sympy.expand(expr - alpha * x)))
    return absolute_integral(split)


@engine_call
def coverage(name):
    """``{component: (closed form or None or a word, seconds)}`` for one activation."""
    cells = {}

    def timed(component, func):
        start = time.perf_counter()
        value = func()
        cells[component] = (value, time.perf_counter() - start)

    def moment(parts, power):
        found = piecewise_expectation(parts, power)
        return None if found is None else found[0]

    timed("m1", lambda: moment(pieces(name), 1))
    timed("g1", lambda: moment(derivative_pieces(name), 1))
    timed("g2", lambda: _sqrt(moment(derivative_pieces(name), 2)))
    timed("m2", lambda: moment(pieces(name), 2))
    m1, g1, m2 = cells["m1"][0], cells["g1"][0], cells["m2"][0]
    timed("eta", lambda: _eta(m1, g1, m2))
    timed("TV", lambda: total_variation_of_derivative(name))
    timed("C", lambda: tail_area(name))
    return cells


def _sqrt(value):
    return None if value is None else sympy.sqrt(value)


def _eta(m1, g1, m2):
    if None in (m1, g1, m2):
        return None
    variance = m2 - m1**2
    if variance == 0:
        return "undefined"
    return SIGMA**2 * g1**2 / variance


@engine_call
def coverage_table(names=None):
    """Markdown table: one row per activation, a check mark where the engine gives a closed form."""
    names = list(catalogue()) if names is None else names
    lines = ["| activation | " + " | ".join(COMPONENTS) + " | max time (s) |",
             "|---|" + "---|" * (len(COMPONENTS) + 1)]
    for name in names:
        cells = coverage(name)
        marks = [_mark(cells[c][0]) for c in COMPONENTS]
        slowest = max(t for _, t in cells.values())
        lines.append(f"| {name} | " + " | ".join(marks) + f" | {slowest:.2f} |")
    return "\n".join(lines)


def _mark(value):
    if value is None:
        return "numeric"
    if isinstance(value, str):
        return value
    if value is oo:
        return "exact (oo)"
    return "exact"
