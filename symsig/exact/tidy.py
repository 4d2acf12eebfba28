"""Bring a raw closed form into readable shape with cheap, terminating steps.

The raw sums from the table carry nested radicals such as
``sqrt(sigma**2/(sigma**2 + 1) + 1)`` and many copies of the same transcendental
factor.  :func:`tidy` rewrites ``Phi`` through ``erf``, puts radicands over one
denominator, and collects the sum by its transcendental parts (erf, asin, atan,
exp, cos, sin, ...), factoring each rational coefficient.  ``sympy.simplify`` is
then tried on a result of at most :data:`SIMPLIFY_NODES` nodes, and kept only if it
is shorter.
"""

import sympy

from ..bounded import attempt
from ..precision import engine_call
from .terms import Phi

#: Largest expression handed to ``sympy.simplify``.  On the catalogue's closed forms
#: simplify shortened results of up to ~40 nodes; on larger ones it spent seconds
#: (hardswish E[phi^2] in mu: 2 s on 221 nodes) and made 1 in 60 a few nodes shorter.
SIMPLIFY_NODES = 48

@engine_call
def tidy(expr):
    """Readable form of a closed form built by the table."""
    expr = expr.rewrite(sympy.erf) if expr.has(Phi) else expr
    expr = _flatten_radicands(expr)
    if expr.has(sympy.I):
        expr = attempt(_real_form, expr) or expr
    collected = _flatten_radicands(_collect_transcendental(expr))
    simplified = attempt(sympy.simplify, collected, cap=SIMPLIFY_NODES)
    if simplified is not None and sympy.count_ops(simplified) < sympy.count_ops(collected):
        return simplified
    return collected


def _flatten_radicands(expr):
    expr = expr.replace(lambda e: e.is_Pow and not e.exp.is_Integer,
                        lambda e: sympy.factor(sympy.together(e.base))**e.exp)
    return expr.replace(lambda e: isinstance(e, sympy.exp),
                        lambda e: sympy.exp(sympy.factor(sympy.together(e.args[0]))))


def _real_form(expr):
    return sympy.expand_complex(sympy.expand(expr))


def _collect_transcendental(expr):
    expr = expr.replace(lambda e: isinstance(e, sympy.exp), lambda e: sympy.exp(sympy.expand(e.args[0])))
    groups = {}
    for addend in _addends(expr):
        addend = sympy.powsimp(addend, combine="exp")
        rest, key = addend.as_independent(sympy.Function, as_Add=False)
        groups[key] = groups.get(key, 0) + rest
    total = sympy.Add(*(_tidy_coefficient(coeff) * key for key, coeff in groups.items()))
    return total.replace(lambda e: isinstance(e, sympy.exp), lambda e: sympy.exp(sympy.factor(e.args[0])))


def _tidy_coefficient(coeff):
    """Sum of factored groups, one group per irrational part (power of pi, radicals)."""
    groups = {}
    for addend in _addends(coeff):
        key = _irrational_part(addend)
        groups[key] = groups.get(key, 0) + addend
    return sympy.Add(*(sympy.factor(sympy.together(group)) for group in groups.values()))


def _addends(expr):
    """Distribute products over sums in numerators only (denominators stay factored)."""
    out = []
    for addend in sympy.Add.make_args(expr):
        spread = sympy.expand_mul(addend, deep=False)
        out.extend([addend] if spread == addend else _addends(spread))
    return out


def _irrational_part(addend):
    numer, denom = addend.as_numer_denom()
    return _irrational_factors(numer) / _irrational_factors(denom)


def _irrational_factors(expr):
    key = []
    for factor in sympy.Mul.make_args(sympy.factor(expr)):
        base, power = factor.as_base_exp()
        if base is sympy.pi or (power.is_Rational and not power.is_Integer):
            key.append(factor)
    return sympy.Mul(*key)
