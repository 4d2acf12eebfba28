"""``definite_integral``: ``int_a^b g(x) dx`` in closed form, or None.

Rules, tried in order (the first that covers every term wins):

1. **normal table** -- g splits into terms ``x**k exp(A x**2 + B x) prod Phi(c + d x)``
   (see :mod:`.terms`): terms with ``A < 0`` go to the table of normal
   integrals; terms with ``A = 0`` are ``x**k exp(B x)`` (elementary antiderivative)
   or ``x**k Phi(c + d x)`` (integration by parts into the table).  On a
   half-line each ``Phi`` is first turned so that it vanishes at the infinite end,
   ``Phi(u) = 1 - Phi(-u)``, so that divergent pieces such as ``x Phi(x) - x``
   cancel before anything is integrated; what still grows means "no rule".
2. **polylog** -- on ``(0, oo)`` or ``(-oo, 0)``, g is a polynomial in x whose
   coefficients are rational functions of ``w = exp(-|x|)`` or logs of them
   (sigmoid, Swish, softplus tails).  Expanding in powers of ``w`` and using
   ``int_0^oo x**k w**n dx = k!/n**(k+1)`` sums to polylogarithms:
   ``int_0^oo x/(1 + e**x) dx = -Li_2(-1) = pi**2/12``.
3. **sympy** -- ``sympy.integrate`` without the Risch and Meijer-G algorithms, only
   for integrands whose functions of x take linear arguments (``atan(x)``, ``exp(2 x)``;
   not ``tanh(exp(x))``), accepted only if the answer has no unevaluated integral
   and agrees with symsig's quadrature to 30 digits.
"""

from functools import lru_cache
from math import factorial

import sympy
from sympy import Integer, exp, oo, pi, polylog, sqrt
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from .. import quadrature
from ..bounded import attempt
from ..errors import SymsigError
from ..precision import GUARD_DIGITS, REAL, at_digits, engine_call, lambdify_mpmath, mp, to_mpmath
from .gaussian import normal_integral
from .result import ExactResult
from .terms import Phi, Term, split_terms
from .tidy import tidy

CHECK_DIGITS = 30


@engine_call
def definite_integral(g, x, a, b):
    """``int_a^b g(x) dx`` for g smooth on (a, b) as an :class:`ExactResult`, or None.

    >>> from sympy import Symbol, exp, erf, sqrt, oo, pi
    >>> x = Symbol('x', real=True)
    >>> definite_integral(x / (1 + exp(x)), x, 0, oo).expr
    pi**2/12
    >>> definite_integral(x * (1 + erf(x / sqrt(2))) / 2 - x, x, 0, oo).expr
    -1/4
    >>> definite_integral((2 - x**2) * exp(-x**2 / 2) / sqrt(2 * pi), x, 0, sqrt(2)).expr
    exp(-1)/sqrt(pi) + erf(1)/2
    """
    g, a, b = (sympy.sympify(v, strict=True) for v in (g, a, b))
    if (a > b) == True:  # noqa: E712  (a SymPy relational may be undecidable)
        result = definite_integral(g, x, b, a)
        return None if result is None else ExactResult(-result.expr, result.rule)
    return _cached(g, x, a, b)


@lru_cache(maxsize=1024)
def _cached(g, x, a, b):
    for rule in (_by_table, _by_polylog, _by_sympy):
        result = attempt(rule, g, x, a, b)
        if result is not None:
            return result
    return None


# --- rule 1: the normal table ------------------------------------------------------------

def _by_table(g, x, a, b):
    terms = split_terms(g, x)
    if terms is None:
        return None
    terms = _turn_phis_to_vanish(terms, a, b)
    if terms is None:
        return None
    total, rules = Integer(0), set()
    for term in terms:
        part = _term_integral(term, a, b)
        if part is None:
            return None
        total += term.coeff * part[0]
        rules |= part[1]
    return ExactResult.from_rules(tidy(total), rules)


def _turn_phis_to_vanish(terms, a, b):
    """Rewrite ``Phi(u) = 1 - Phi(-u)`` where Phi tends to 1 at an infinite endpoint of an A = 0 term."""
    merged = {}

    def add(coeff, key):
        merged[key] = merged.get(key, 0) + coeff

    for term in terms:
        key = term[1:]
        if term.A == 0 and len(term.phis) == 1:
            (c, d), = term.phis
            end = b if b is oo else (a if a is -oo else None)
            if end is not None and d.is_positive is None:
                return None
            if end is not None and (d.is_positive == (end is oo)):
                add(term.coeff, (term.k, term.A, term.B, ()))
                add(-term.coeff, (term.k, term.A, term.B, ((-c, -d),)))
                continue
        add(term.coeff, key)
    terms = [Term(sympy.expand(c), *key) for key, c in merged.items()]
    return [t for t in terms if t.coeff != 0]


def _term_integral(term, a, b):
    if term.A != 0:
        return normal_integral(term.k, term.A, term.B, term.phis, a, b)
    if not term.phis:
        return _polynomial_exp(term.k, term.B, a, b)
    if term.B == 0 and len(term.phis) == 1:
        return _polynomial_phi(term.k, term.phis[0], a, b)
    return None


def _polynomial_exp(k, B, a, b):
    """``int_a^b x**k exp(B x) dx`` from the antiderivative, if it converges."""
    for end, sign in ((a, -1), (b, 1)):
        if end.is_infinite and not (B * sign).is_negative:
            return None
    t = sympy.Dummy("t")
    if B == 0:
        antiderivative = t**(k + 1) / (k + 1)
    else:
        antiderivative = exp(B * t) * sum((-1)**j * sympy.ff(k, j) * t**(k - j) / B**(j + 1)
                                          for j in range(k + 1))
    value = _at_end(antiderivative, t, b) - _at_end(antiderivative, t, a)
    return value, frozenset({"polynomial times exp(linear)"})


def _at_end(f, t, end):
    return Integer(0) if end.is_infinite else f.subs(t, end)


def _polynomial_phi(k, phi, a, b):
    """``int x**k Phi(c + d x) = [x**(k+1)/(k+1) Phi] - d/(k+1) int x**(k+1) phi(c + d x)``."""
    c, d = phi
    t = sympy.Dummy("t")
    boundary = t**(k + 1) / (k + 1) * Phi(c + d * t)
    # Phi vanishes at the infinite end (see _turn_phis_to_vanish), and faster than any power
    rest = normal_integral(k + 1, -d**2 / 2, -c * d, (), a, b)
    if rest is None:
        return None
    value = _at_end(boundary, t, b) - _at_end(boundary, t, a) \
        - d / (k + 1) * exp(-c**2 / 2) / sqrt(2 * pi) * rest[0]
    return value, rest[1] | {"integration by parts against Phi"}


# --- rule 2: polylogarithms of exp(-|x|) ----------------------------------------------------

def _by_polylog(g, x, a, b):
    if (a, b) == (-oo, 0):
        g = g.subs(x, -x)
    elif (a, b) != (0, oo):
        return None
    w = sympy.Dummy("w", positive=True)  # w = exp(-x), 0 < w < 1 on (0, oo)
    in_w = _exp_to_w(g, x, w)
    if in_w is None:
        return None
    total, zero_terms = Integer(0), {}
    for addend in sympy.Add.make_args(sympy.expand(in_w)):
        power, rest = _power_of_x(addend, x)
        if power is None:
            return None
        part = _series_integral(rest, power, w, zero_terms)
        if part is None:
            return None
        total += part
    if any(sympy.simplify(c) != 0 for c in zero_terms.values()):
        return None  # a power of x survives at infinity: divergent
    total = sympy.expand_func(total).rewrite(sympy.zeta)
    return ExactResult(tidy(total), "polylogarithm series in exp(-|x|)")


def _exp_to_w(g, x, w):
    bad = []

    def replace(arg):
        slope = arg.coeff(x)
        rest = sympy.expand(arg - slope * x)
        if rest.has(x) or not slope.is_integer:
            bad.append(arg)
            return exp(arg)
        return exp(rest) * w**(-slope)

    out = g.replace(exp, replace)
    return None if bad or out.has(exp(x)) else out


def _power_of_x(addend, x):
    rest, power = Integer(1), 0
    for factor in sympy.Mul.make_args(addend):
        if factor == x:
            power += 1
        elif factor.is_Pow and factor.base == x and factor.exp.is_Integer and factor.exp > 0:
            power += int(factor.exp)
        elif factor.has(x):
            return None, None
        else:
            rest *= factor
    return power, rest


def _series_integral(rest, k, w, zero_terms):
    """``int_0^oo x**k rest(exp(-x)) dx`` without the n = 0 term, which goes to zero_terms[k]."""
    logs = [f for f in sympy.Mul.make_args(rest) if isinstance(f, sympy.log)]
    if len(logs) > 1:
        return None
    if logs:
        coeff = rest / logs[0]
        if coeff.has(w):
            return None
        return _log_integral(coeff, logs[0].args[0], k, w, zero_terms)
    return _rational_integral(rest, k, w, zero_terms)


def _rational_integral(rational, k, w, zero_terms):
    rational = sympy.cancel(sympy.together(rational))
    if not rational.is_rational_function(w):
        return None
    numer, denom = sympy.fraction(rational)
    if denom.subs(w, 0) == 0:
        return None
    zero_terms[k] = zero_terms.get(k, 0) + rational.subs(w, 0)
    total = Integer(0)
    for piece in sympy.Add.make_args(sympy.apart(rational, w)):
        part = _simple_fraction(piece, k, w)
        if part is None:
            return None
        total += part
    return total


def _simple_fraction(piece, k, w):
    """``sum_{n>=1} k!/n**(k+1) [w**n] piece`` for ``c w**j`` or ``c/(w - r)**m``."""
    numer, denom = sympy.fraction(sympy.factor(piece))
    if numer.has(w):
        poly = sympy.Poly(numer, w)
        if denom.has(w) or len(poly.terms()) != 1:
            return None
        (j,), c = poly.terms()[0]
        return c * factorial(k) / Integer(j)**(k + 1) if j > 0 else Integer(0)
    if not denom.has(w):
        return Integer(0)
    base, m = denom.as_base_exp() if not denom.is_Mul else _single_power(denom, w)
    if base is None or not m.is_Integer:
        return None
    line = sympy.Poly(base, w)
    if line.degree() != 1:
        return None
    lead, const = line.all_coeffs()
    r = -const / lead
    if not _pole_is_harmless(r, k, m):
        return None
    scale = numer / (denom / (w - r)**m).subs(w, 0) if denom.is_Mul else numer / lead**m
    n = sympy.Dummy("n")
    binom = sympy.Poly(sympy.expand_func(sympy.binomial(n + m - 1, m - 1)), n)
    series = sum(coeff * polylog(k + 1 - i, 1 / r) for (i,), coeff in binom.terms())
    return scale * (-r)**(-m) * factorial(k) * series


def _pole_is_harmless(r, k, order):
    """A pole w = r off [0, 1], or at w = 1 (x = 0) with order <= k so x**k cancels it."""
    if r == 1:
        return order <= k
    return not (r.is_real and (0 <= r) == True and (r <= 1) == True)  # noqa: E712


def _single_power(denom, w):
    const, rest = denom.as_independent(w, as_Add=False)
    if rest.is_Mul:
        return None, None
    base, m = rest.as_base_exp()
    return base, m


def _log_integral(coeff, argument, k, w, zero_terms):
    """``coeff int_0^oo x**k log(argument(w)) dx`` via log(1 - w/r) = -sum w**n/(n r**n)."""
    argument = sympy.factor(sympy.cancel(sympy.together(argument)))
    total = Integer(0)
    for factor in sympy.Mul.make_args(argument):
        base, m = factor.as_base_exp()
        if not base.has(w):
            zero_terms[k] = zero_terms.get(k, 0) + coeff * sympy.log(factor)
            continue
        if not m.is_Integer:
            return None
        if base == w:  # log(w**m) = -m x
            zero_terms[k + 1] = zero_terms.get(k + 1, 0) - coeff * m
            continue
        line = sympy.Poly(base, w)
        if line.degree() != 1:
            return None
        lead, const = line.all_coeffs()
        r = -const / lead
        if not _pole_is_harmless(r, k, 0):
            return None
        zero_terms[k] = zero_terms.get(k, 0) + coeff * m * sympy.log(const)
        total += -coeff * m * factorial(k) * polylog(k + 2, 1 / r)
    return total


# --- rule 3: sympy.integrate, checked by quadrature ------------------------------------------

def _by_sympy(g, x, a, b):
    if not _linear_arguments(g, x):
        return None
    oscillates = any(f.has(x) for f in g.atoms(TrigonometricFunction))
    if oscillates and (a.is_infinite or b.is_infinite):
        return None  # the quadrature check cannot confirm an oscillating integral on a half-line
    value = attempt(sympy.integrate, g, (x, a, b), risch=False, meijerg=False, conds="none")
    if value is None or value.has(sympy.Integral) or value.has(sympy.nan) or value.is_infinite:
        return None
    if value.has(sympy.Piecewise) or not value.free_symbols <= g.free_symbols - {x}:
        return None
    if g.free_symbols - {x} or not _agrees_with_quadrature(g, x, a, b, value):
        return None
    return ExactResult(tidy(value), "sympy.integrate (checked by quadrature)")


def _linear_arguments(g, x):
    """True when every function of x in g has linear arguments and every power a constant exponent.

    A deterministic gate: for compositions such as ``tanh(exp(x))``, ``tanh(log(1 + e**x))``
    or ``tanh(x**3)`` (TeLU, Mish, tanh-GELU) SymPy's heuristics find no antiderivative and
    spend seconds saying so.
    """
    for node in sympy.preorder_traversal(g):
        if not node.has(x):
            continue
        if isinstance(node, sympy.Piecewise) or (node.is_Pow and node.exp.has(x)):
            return False
        if isinstance(node, sympy.Function) and not all(
                arg.is_polynomial(x) and sympy.degree(arg, x) <= 1 for arg in node.args):
            return False
    return True


def _agrees_with_quadrature(g, x, a, b, value):
    """An independent check of SymPy's answer: symsig's tanh-sinh quadrature, in a private
    context, must converge and agree to CHECK_DIGITS digits (plus its error estimate)."""
    f = lambdify_mpmath(x, g)
    with at_digits(CHECK_DIGITS + GUARD_DIGITS):
        ends = [to_mpmath(e) if e.is_finite else (mp.inf if e is oo else -mp.inf) for e in (a, b)]
        try:
            numeric = quadrature.integrate(lambda t: [f(t)], 1, [ends], CHECK_DIGITS, strict=False)
            closed = to_mpmath(value)
            if not numeric.converged or not isinstance(closed, REAL):
                return False
            difference = abs(numeric.values[0] - closed)
            return difference <= mp.mpf(10)**(-CHECK_DIGITS) * max(1, abs(closed)) + numeric.errors[0]
        except (TypeError, ValueError, ArithmeticError, SymsigError):
            return False
