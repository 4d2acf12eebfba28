"""Where a Gaussian expectation cannot be finite: singular points and heavy tails, decided symbolically.

Before any quadrature, every smooth piece of an integrand is read structurally:

* **Real singular points**: zeros of bases raised to negative powers, of the
  arguments of ``log``, the poles of ``tan``/``cot``/``sec``/``csc`` (an infinite
  family when the argument is an unbounded polynomial).  Near a point ``x0`` the
  leading term ``c |x - x0|**p log|x - x0|**k`` (from SymPy's
  ``as_leading_term``) decides: integrable iff ``p > -1`` (or ``p = -1`` and
  ``k <= -2``), and otherwise the sign of ``c`` says on which side the integral
  runs to ``+oo``/``-oo``.
* **Complex values**: a fractional power or ``log`` of something negative on a
  subinterval makes the activation complex there: :class:`DomainError`.
* **Heavy tails**: ``log|f(x)|`` at ``x = d*t``, ``t -> oo``, is read as
  ``P(t) + a log t + O(1)`` (``P`` a sum of powers ``t**q``, ``q = oo`` for
  faster than any power) by structural recursion over exp, products, powers and
  sums; against the weight ``exp(-(x - mu)**2 / (2 sigma**2))`` the tail diverges
  iff the leading coefficient of the combined exponent is positive, or all of
  it cancels and ``a >= -1``.

An undecidable piece means "no verdict" and the ordinary tiers run.

>>> from symsig.activations import x
>>> from symsig.calculus import decompose
>>> expectation_verdict(decompose(1 / x), 1, 0).status
<Status.UNDEFINED: 'undefined'>
>>> expectation_verdict(decompose(sympy.exp(x**2 / 2)), 1, 0).status
<Status.INFINITE: 'infinite'>
>>> expectation_verdict(decompose(sympy.exp(x**2 / 4)), 1, 0) is None
True
"""

from dataclasses import dataclass, replace
from functools import lru_cache

import sympy
from sympy import oo

from .activations import x
from .asymptotics import limit_at_infinity
from .errors import DivergenceError, DomainError
from .quantity import INFINITE, UNDEFINED, Quantity, Status

MAX_DEGREE = 64  # real roots are isolated exactly for polynomials up to this degree
FAMILY_MEMBERS = 2  # members on each side of 0 examined in an infinite family of poles
_S = sympy.Symbol("s", positive=True)
_POLES = {sympy.tan: sympy.cos, sympy.sec: sympy.cos, sympy.cot: sympy.sin, sympy.csc: sympy.sin}
_ODD_MONOTONE = (sympy.tanh, sympy.sinh, sympy.erf, sympy.atan, sympy.asinh)
_BOUNDED = (sympy.tanh, sympy.erf, sympy.erfc, sympy.atan, sympy.sin, sympy.cos)


class _Unknown(Exception):
    """The structural reading does not apply; no verdict."""


SingularityUnknown = _Unknown


@dataclass(frozen=True)
class Family:
    """The infinitely many solutions of ``u(x) = offset + k*pi``, k integer (u an unbounded polynomial)."""

    u: sympy.Expr
    offset: sympy.Expr

    def members(self):
        points = []
        for k in range(-FAMILY_MEMBERS, FAMILY_MEMBERS + 1):
            points += _polynomial_roots(self.u - self.offset - k * sympy.pi)
        return points


@dataclass(frozen=True)
class Verdict:
    """``status`` INFINITE (with ``sign``) or UNDEFINED, and the mathematical reason."""

    status: Status
    reason: str
    sign: int = 0

    def quantity(self, dps, method="singularity and tail analysis"):
        if self.status == INFINITE:
            return Quantity.infinite(self.sign, method, dps, reason=self.reason)
        return Quantity.undefined(self.reason, method, dps)


# ------------------------------------------------------------ zeros and poles

def _polynomial_roots(expr):
    poly = sympy.Poly(expr, x)
    if poly.degree() < 1:
        return []
    if poly.degree() > MAX_DEGREE:
        raise _Unknown
    if poly.degree() <= 2:  # also for coefficients such as pi, which real_roots does not take
        return [r for r in sympy.roots(poly) if r.is_real]
    try:
        return list(sympy.real_roots(poly))
    except (NotImplementedError, sympy.PolynomialError):
        raise _Unknown from None


def _zeros(expr, lo, hi):
    """Real zeros of expr in [lo, hi] (finite ends included), a :class:`Family`, or _Unknown."""
    if not expr.has(x):
        return []
    if expr.is_positive or expr.is_negative:
        return []
    if expr.is_polynomial(x):
        return [r for r in _polynomial_roots(expr) if lo <= r <= hi]
    if expr.is_Mul:
        found = []
        for factor in expr.args:
            zeros = _zeros(factor, lo, hi)
            if isinstance(zeros, Family):
                return zeros
            found += zeros
        return found
    if expr.is_Pow:
        return _zeros(expr.base, lo, hi) if expr.exp.is_positive else []
    if isinstance(expr, _ODD_MONOTONE):
        return _zeros(expr.args[0], lo, hi)
    if isinstance(expr, sympy.exp):
        return []
    if isinstance(expr, sympy.log):
        return _zeros(expr.args[0] - 1, lo, hi)
    if isinstance(expr, (sympy.sin, sympy.cos, sympy.tan)):
        offset = sympy.pi / 2 if isinstance(expr, sympy.cos) else sympy.Integer(0)
        return _level_set(expr.args[0], offset, lo, hi)
    if expr.is_Add:
        numerator, denominator = sympy.fraction(sympy.together(expr))
        if denominator.has(x) and numerator.is_polynomial(x):
            return _zeros(numerator, lo, hi)
    raise _Unknown


def _level_set(u, offset, lo, hi):
    """Solutions of u = offset + k pi in [lo, hi]."""
    if not u.is_polynomial(x):
        raise _Unknown
    poly = sympy.Poly(u, x)
    if poly.degree() < 1:
        return []
    if lo == -oo or hi == oo:
        return Family(u, offset)
    values = [u.subs(x, p) for p in (lo, hi, *_polynomial_roots(sympy.diff(u, x))) if lo <= p <= hi]
    k_lo = sympy.ceiling((min(values) - offset) / sympy.pi)
    k_hi = sympy.floor((max(values) - offset) / sympy.pi)
    if k_hi - k_lo > 4 * FAMILY_MEMBERS:
        raise _Unknown
    points = []
    for k in range(int(k_lo), int(k_hi) + 1):
        points += [r for r in _polynomial_roots(u - offset - k * sympy.pi) if lo <= r <= hi]
    return points


def _candidates(expr, lo, hi):
    """Points where expr may be singular, and the subexpressions that must be >= 0 (real values)."""
    points, family, nonnegative = [], None, []
    for sub in sympy.preorder_traversal(expr):
        zeros = []
        if sub.is_Pow and sub.base.has(x):
            if sub.exp.has(x):
                raise _Unknown
            if not sub.exp.is_integer:
                nonnegative.append((sub.base, sub))
            if sub.exp.is_negative:
                zeros = _zeros(sub.base, lo, hi)
        elif isinstance(sub, sympy.log) and sub.args[0].has(x):
            nonnegative.append((sub.args[0], sub))
            zeros = _zeros(sub.args[0], lo, hi)
        elif type(sub) in _POLES:
            trig = _POLES[type(sub)](sub.args[0])
            zeros = _zeros(trig, lo, hi)
        elif isinstance(sub, sympy.Function) and sub.has(x) and not isinstance(sub, (*_BOUNDED, sympy.exp,
                                                                                     sympy.sinh, sympy.cosh,
                                                                                     sympy.asinh)):
            raise _Unknown
        if isinstance(zeros, Family):
            family = family or zeros
        else:
            points += zeros
    return sorted(set(points), key=float), family, nonnegative


def poles_accumulate(expr, lo, hi):
    """True when ``expr`` has infinitely many poles on (lo, hi) (``tan`` of an unbounded polynomial)."""
    try:
        return _candidates(expr, lo, hi)[1] is not None
    except _Unknown:
        return False


def _check_real(expr, lo, hi, nonnegative):
    for base, where in nonnegative:
        zeros = _zeros(base, lo, hi)
        if isinstance(zeros, Family):
            raise _Unknown
        cuts = [lo, *zeros, hi]
        for a, b in zip(cuts, cuts[1:]):
            probe = _probe(a, b)
            if probe is None:
                continue
            value = sympy.N(base.subs(x, probe), 30)
            if value.is_extended_real and value < 0:
                raise DomainError(f"the integrand {expr} is complex-valued: {where} takes complex values "
                                  f"where {base} < 0 (e.g. at x = {probe}); a Gaussian expectation needs "
                                  "a real function on the whole line (e.g. use abs or relu inside)")


def _probe(a, b):
    if a == b:
        return None
    if a == -oo:
        return b - 1 if b != oo else sympy.Integer(0)
    if b == oo:
        return a + 1
    return (a + b) / 2


def leading_term(expr, x0, side):
    """``(c, p, k)`` with expr ~ c s**p log(s)**k at x = x0 + side*s, s -> 0+; _Unknown if unreadable."""
    try:
        term = expr.subs(x, x0 + side * _S).as_leading_term(_S)
    except (sympy.PoleError, NotImplementedError, ValueError, TypeError, ZeroDivisionError):
        raise _Unknown from None
    if term == 0:
        return sympy.Integer(0), oo, 0
    c, p, k = sympy.Integer(1), sympy.Integer(0), sympy.Integer(0)
    for factor in sympy.Mul.make_args(term):  # as_coeff_exponent does not split s*log(s)
        base, exponent = factor.as_base_exp()
        if base == _S:
            p += exponent
        elif base == sympy.log(_S):
            k += exponent
        else:
            c *= factor
    if c.has(_S) or p.has(_S) or not (c.is_number and p.is_number and k.is_number) or not c.is_extended_real:
        raise _Unknown
    return c, p, k


def _non_integrable(expr, x0, side):
    """None when integrable near x0 on that side, else the sign (+1/-1) of the divergent integral."""
    c, p, k = leading_term(expr, x0, side)
    if c == 0 or p > -1 or (p == -1 and k <= -2):
        return None
    return 1 if (c > 0) == (k % 2 == 0) else -1


@lru_cache(maxsize=1024)
def check_real(pieces):
    """Raise :class:`DomainError` when a piece takes complex values somewhere on its interval.

    Only fractional powers and logs whose argument provably goes negative are
    caught (the structure read by :func:`singular_divergences`); unreadable
    structure passes, and later numeric evaluation rejects complex values.
    """
    for piece in pieces.pieces:
        try:
            _, _, nonnegative = _candidates(piece.expr, piece.lo, piece.hi)
            _check_real(piece.expr, piece.lo, piece.hi, nonnegative)
        except _Unknown:
            continue


@lru_cache(maxsize=1024)
def singular_divergences(pieces):
    """Non-integrable singular points of a :class:`PiecewiseSmooth`: ``((x0, side, sign, in_family), ...)``.

    Raises :class:`DomainError` for complex values and ``_Unknown`` where the
    structure cannot be read.
    """
    found = []
    for piece in pieces.pieces:
        expr = piece.expr
        if expr.has(sympy.I) and not expr.is_extended_real:
            raise DomainError(f"the integrand {piece.expr} takes complex values; an activation must be "
                              "real on the whole line")
        points, family, nonnegative = _candidates(expr, piece.lo, piece.hi)
        _check_real(expr, piece.lo, piece.hi, nonnegative)
        if family is not None:
            points = sorted(set(points) | set(family.members()), key=float)
        for x0 in points:
            for side in (-1, 1):
                inside = piece.lo < x0 < piece.hi or (x0 == piece.lo and side > 0) or (x0 == piece.hi and side < 0)
                if inside:
                    sign = _non_integrable(expr, x0, side)
                    if sign is not None:
                        found.append((x0, side, sign, family is not None))
    return tuple(found)


def unbounded_near(pieces):
    """A finite point near which |f| is unbounded (the first found), or None; _Unknown if unreadable."""
    for piece in pieces.pieces:
        candidates, family, _ = _candidates(piece.expr, piece.lo, piece.hi)
        if family is not None:
            candidates = sorted(set(candidates) | set(family.members()), key=float)
        for x0 in candidates:
            for side in (-1, 1):
                if piece.lo < x0 < piece.hi or (x0 == piece.lo and side > 0) or (x0 == piece.hi and side < 0):
                    c, p, _ = leading_term(piece.expr, x0, side)
                    if c != 0 and p < 0:
                        return x0
    return None


def split_at_singular_points(pieces):
    """``pieces`` with its (integrable) singular points inside a piece made breakpoints.

    Quadrature splits at breakpoints, and tanh-sinh converges at an endpoint
    singularity such as log|x| where it would stall on one inside an interval.
    """
    out = []
    try:
        for piece in pieces.pieces:
            candidates, family, _ = _candidates(piece.expr, piece.lo, piece.hi)
            inner = [] if family else [p for p in candidates if piece.lo < p < piece.hi]
            cuts = [piece.lo, *inner, piece.hi]
            out += [replace(piece, lo=a, hi=b) for a, b in zip(cuts, cuts[1:])]
    except _Unknown:
        return pieces
    return replace(pieces, pieces=tuple(out)) if len(out) > len(pieces.pieces) else pieces


# ------------------------------------------------------------------ tails

@dataclass(frozen=True)
class Growth:
    """log|f(d t)| = P(t) + a log t + O(1) as t -> oo; ``P`` maps exponents (oo allowed) to coefficients.

    ``tight``: 2 when |f| is also bounded below by that size, 1 when it is on
    a set of positive density (oscillation), 0 when it is only an upper bound.
    ``sign`` is the eventual sign of f (None: oscillates or unknown).
    """

    P: tuple
    a: sympy.Expr
    sign: object
    tight: int
    zero: bool = False


ZERO = Growth((), sympy.Integer(0), 0, 2, zero=True)


def _pdict(P):
    return dict(P)


def _ptuple(d):
    return tuple(sorted(((q, c) for q, c in d.items() if c != 0), key=lambda item: item[0], reverse=True))


def _padd(*ps, scale=1):
    total = {}
    for P in ps:
        for q, c in P:
            total[q] = total.get(q, 0) + scale * c
    return _ptuple(total)


def _compare(g1, g2):
    """Sign of growth(g1) - growth(g2) (+1, -1, 0); _Unknown where a coefficient's sign is unknown."""
    diff = _padd(g1.P, _padd(g2.P, scale=-1))
    for _, c in diff:
        return _sign_of(c)
    return _sign_of(g1.a - g2.a)


def _sign_of(c):
    c = sympy.sympify(c, strict=True)
    if c.is_zero:
        return 0
    if c.is_positive:
        return 1
    if c.is_negative:
        return -1
    raise _Unknown


def expansion(u, d):
    """``(P, a)`` with u(d t) = P(t) + a log t + O(1), t -> oo."""
    if not u.has(x):
        return (), sympy.Integer(0)
    if u.is_polynomial(x):
        poly = sympy.Poly(u, x)
        return _ptuple({sympy.Integer(k): c * d**k for (k,), c in poly.terms() if k > 0}), sympy.Integer(0)
    if u.is_Add:
        parts = [expansion(arg, d) for arg in u.args]
        return _padd(*(p for p, _ in parts)), sympy.Add(*(a for _, a in parts))
    coeff, rest = u.as_coeff_Mul()
    if coeff != 1:
        P, a = expansion(rest, d)
        return _padd(P, scale=coeff), coeff * a
    if isinstance(u, sympy.log):
        g = growth(u.args[0], d)
        if g.tight < 2 or g.zero:
            raise _Unknown
        return g.P, g.a
    if isinstance(u, sympy.exp):
        inner = growth(u, d)
        if inner.P and inner.P[0][1] > 0:
            return ((oo, sympy.Integer(1)),), sympy.Integer(0)  # faster than any power
        if inner.P or inner.a <= 0:
            return (), sympy.Integer(0)  # exp(u) stays bounded
        raise _Unknown
    if isinstance(u, _BOUNDED):
        return (), sympy.Integer(0)
    raise _Unknown


@lru_cache(maxsize=4096)
def growth(f, d):
    """The :class:`Growth` of f at x -> d*oo; _Unknown when the structure is not read.
    Cached: a sweep asks for the same tails at every sigma."""
    if not f.has(x):
        if f == 0:
            return ZERO
        if not f.is_extended_real:
            raise _Unknown
        return Growth((), sympy.Integer(0), 1 if f > 0 else -1, 2)
    if f == x:
        return Growth((), sympy.Integer(1), d, 2)
    if f.is_Mul:
        parts = [growth(arg, d) for arg in f.args]
        if any(g.zero for g in parts):
            return ZERO
        sign = 1
        for g in parts:
            sign = None if sign is None or g.sign is None else sign * g.sign
        return Growth(_padd(*(g.P for g in parts)), sympy.Add(*(g.a for g in parts)), sign,
                      min(g.tight for g in parts))
    if f.is_Add:
        parts = [g for g in (growth(arg, d) for arg in f.args) if not g.zero]
        if not parts:
            return ZERO
        best = parts[0]
        for g in parts[1:]:
            if _compare(g, best) > 0:
                best = g
        strict = all(g is best or _compare(best, g) > 0 for g in parts)
        return best if strict else Growth(best.P, best.a, None, 0)
    if f.is_Pow:
        if f.exp.has(x) or not f.exp.is_extended_real:
            raise _Unknown
        base = growth(f.base, d)
        e = f.exp
        if base.zero or (e < 0 and base.tight < 2):
            raise _Unknown
        if e.is_integer:
            sign = 1 if e.is_even else base.sign
        else:
            sign = 1 if base.sign == 1 else None
        return Growth(_padd(base.P, scale=e), e * base.a, sign, base.tight)
    if isinstance(f, sympy.exp):
        P, a = expansion(f.args[0], d)
        return Growth(P, a, 1, 2)
    if isinstance(f, (sympy.sinh, sympy.cosh)):
        P, a = expansion(f.args[0], d)
        if not P and _sign_of(a) == 0:
            # u = O(1): 1 <= cosh(u) <= cosh(sup |u|), and |sinh(u)| <= sinh(sup |u|)
            return Growth((), sympy.Integer(0), 1, 2) if isinstance(f, sympy.cosh) else \
                Growth((), sympy.Integer(0), None, 0)
        top = _sign_of(P[0][1] if P else a)  # |u| = top*(P(t) + a log t) + O(1) -> oo
        sign = 1 if isinstance(f, sympy.cosh) else top
        return Growth(_padd(P, scale=top), top * a, sign, 2)
    if isinstance(f, sympy.log):
        inner = growth(f.args[0], d)
        if inner.tight < 2 or inner.zero or (inner.P and inner.P[0][0] == oo):
            raise _Unknown
        if inner.P:  # |log u| ~ |c| t**q
            q, c = inner.P[0]
            return Growth((), q, _sign_of(c), 2)
        if inner.a != 0:  # |log u| ~ |a| log t: bounded by any power, not by a constant
            return Growth((), sympy.Integer(0), _sign_of(inner.a), 0)
        limit = limit_at_infinity(f.args[0], d)
        if limit == 1:  # log(1 + v) ~ v
            return growth(sympy.expand(f.args[0] - 1), d)
        if limit is not None and limit.is_number and limit.is_positive and limit.is_finite:
            return Growth((), sympy.Integer(0), _sign_of(sympy.log(limit)), 2)
        raise _Unknown
    if isinstance(f, (*_ODD_MONOTONE, sympy.sin)) and limit_at_infinity(f.args[0], d) == 0:
        return growth(f.args[0], d)  # f(u) ~ c u as u -> 0 (c = 1, or 2/sqrt(pi) for erf)
    if isinstance(f, sympy.erfc) and f.args[0].is_polynomial(x) and limit_at_infinity(f.args[0], d) == oo:
        # log erfc(v) = -v**2 - log v + O(1) as v -> oo (the Gaussian tail of GELU)
        v = f.args[0]
        P, _ = expansion(-sympy.expand(v**2), d)
        return Growth(P, -sympy.degree(v, x), 1, 2)
    if isinstance(f, _BOUNDED):
        limit = limit_at_infinity(f, d)
        if limit is not None and not isinstance(limit, sympy.AccumBounds) and limit.is_finite and limit != 0:
            return Growth((), sympy.Integer(0), 1 if limit > 0 else -1, 2)
        periodic = isinstance(f, (sympy.sin, sympy.cos)) and f.args[0].is_polynomial(x) \
            and sympy.degree(f.args[0], x) >= 1
        return Growth((), sympy.Integer(0), None, 1 if periodic else 0)
    raise _Unknown


def _tail_divergence(g, weight):
    """+1/-1/None (the sign, None if oscillating) when the tail of integral f*weight diverges, else False.

    ``weight`` is the Gaussian's own exponent as a P tuple.
    """
    if g.zero:
        return False
    total = _padd(g.P, weight)
    verdict = _sign_of(total[0][1]) if total else (1 if g.a >= -1 else -1)
    if verdict < 0:
        return False
    if g.tight == 0 or (not total and g.a == -1 and g.tight < 2):
        raise _Unknown
    return g.sign


def tail_divergences(pieces, sigma, mu):
    """``[(d, sign), ...]`` for the tails (d = +1/-1) where E[f(mu + sigma Z)] diverges."""
    found = []
    for d, piece in ((-1, pieces.pieces[0]), (1, pieces.pieces[-1])):
        weight = ((sympy.Integer(2), -1 / (2 * sigma**2)), (sympy.Integer(1), d * mu / sigma**2))
        sign = _tail_divergence(growth(piece.expr, d), _ptuple(dict(weight)))
        if sign is not False:
            found.append((d, sign))
    return found


# ---------------------------------------------------------------- verdicts

def _combine(parts):
    """One verdict from ``[(sign or None, description), ...]`` of divergent parts."""
    if not parts:
        return None
    signs = {sign for sign, _ in parts}
    where = "; ".join(dict.fromkeys(description for _, description in parts))
    if signs == {1} or signs == {-1}:
        sign = signs.pop()
        return Verdict(INFINITE, f"the integral diverges to {'+' if sign > 0 else '-'}oo: {where}", sign)
    return Verdict(UNDEFINED, "the positive and negative parts of the integral are both infinite, so the "
                   f"expectation does not exist (a principal value is not an expectation): {where}")


def _describe_singularities(found):
    """``[(sign, text), ...]``, one text per point: how f blows up non-integrably on each side."""
    by_point = {}
    for x0, side, sign, family in found:
        by_point.setdefault(x0, []).append((side, sign))
    parts, family = [], any(item[3] for item in found)
    for index, (x0, sides) in enumerate(by_point.items()):
        how = ", ".join(f"{'+' if sign > 0 else '-'}oo {'right' if side > 0 else 'left'} of it"
                        for side, sign in sorted(sides))
        text = f"f is not integrable near its singular point x = {x0} ({how})"
        if family and index == 1:
            parts += [(sign, text + ", and likewise at infinitely many other poles") for _, sign in sides]
            break
        parts += [(sign, text) for _, sign in sides]
    return parts


@lru_cache(maxsize=1024)
def expectation_verdict(pieces, sigma, mu):
    """A :class:`Verdict` when E[f(mu + sigma Z)] is infinite or undefined, None when finite or undecided.

    Raises :class:`DomainError` when f takes complex values.
    """
    sigma, mu = sympy.sympify(sigma, strict=True), sympy.sympify(mu, strict=True)
    try:
        parts = _describe_singularities(singular_divergences(pieces))
    except _Unknown:
        parts, unknown = [], True
    else:
        unknown = False
    try:
        # poles accumulating at +-oo (tan) make the tails moot: the members examined decide
        family = any(item[3] for item in singular_divergences(pieces))
    except _Unknown:
        family = False
    try:
        tails = [] if family else tail_divergences(pieces, sigma, mu)
    except _Unknown:
        tails, unknown = [], True
    for d, sign in tails:
        what = "oscillates with growing size" if sign is None else f"has sign {'+' if sign > 0 else '-'}"
        parts.append((sign, f"the tail x -> {'+' if d > 0 else '-'}oo is heavier than the Gaussian "
                            f"(sigma = {sigma}) and f {what} there"))
    verdict = _combine(parts)
    if verdict is not None and unknown and verdict.status == INFINITE:
        raise DivergenceError(f"the expectation is not finite ({verdict.reason}); whether it is "
                              f"{'+' if verdict.sign > 0 else '-'}oo or undefined was not decided")
    return verdict
