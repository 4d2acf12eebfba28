"""Stability predictions: the variance map, Lyapunov descent constants, the kernel bound.

* Variance map ``F(q) = sigma_W^2 m2(sqrt q) + sigma_b^2`` with ``m2(s) = E[phi(s Z)^2]``:
  every fixed point ``q* >= 0``, its slope ``F'(q*)`` and the gradient gain
  ``chi_1 = sigma_W^2 E[phi'(sqrt(q*) Z)^2]`` (conventions' ``g2^2``).  Exact for
  piecewise polynomials with their only breakpoint at 0 (the fixed-point
  equation is then a polynomial in ``sqrt q``), numeric otherwise: a scan of
  ``G(q) = F(q) - q`` with bracketed refinement, plus the sign of G in the
  tail read from the asymptotic slopes.
* Scalar recursion ``T(x) = phi(a x + b)``: the contraction certificate and the
  descent constant of ``E(x) = x^2/2 - Phi(a x + b)/a`` (``Phi' = phi``).
* Kernel bound: the smallest C in ``|x^T (d_x d_y K) y| <= C g2(|x|) g2(|y|) |x| |y|``.

>>> r = variance_fixed_points("relu", "1.5", "0.05")
>>> [p.q.exact for p in r.points], r.exact
([1/5], True)
"""

from dataclasses import dataclass, field
from enum import StrEnum

import sympy
from sympy import oo

from .activations import get_activation, x
from .bounded import simplify
from .calculus import Piece, PiecewiseSmooth
from .errors import ConvergenceError, DivergenceError, DomainError, InputError, LimitError, UndefinedError
from .gaussian import SIGMA, exact_form, expectations
from .facts import facts
from .precision import check_dps, COMPLEX, engine_call, exact_number, lambdify_mpmath, mp, to_mpmath, workdps
from .quantity import INFINITE, UNDEFINED, Quantity, without_erf_cancellation
from .regularity import asymptote_offsets, bracket_scan, slope_values
from .roots import refine_root
from .singularities import SingularityUnknown, expectation_verdict, leading_term, unbounded_near

S = sympy.Symbol("s", nonnegative=True)  # s = sqrt(q)
GRID_PER_DECADE = 5  # scan density of F(q) - q on [1e-4, q_max]; closer root pairs can be missed
SCAN_DPS = 8  # digits of the sign scan; roots are then refined at the requested dps


# ------------------------------------------------------------- Gaussian statistics

M2, CHI, XPP, A = range(4)  # E[phi^2], E[phi'^2], E[X phi phi'], E[X^2 phi'^2] at X = s Z
NAMES = ("E[phi(X)^2]", "E[phi'(X)^2]", "E[X phi(X) phi'(X)]", "E[X^2 phi'(X)^2]")
MAX_POINTS = 10_000  # most grid points kernel_bound evaluates


class _Stats:
    """The four Gaussian statistics the predictions need, from the core engine.

    Each is a closed form in sigma when :func:`symsig.gaussian.exact_form` has
    one (compiled once), and otherwise ONE shared-node kink-split quadrature
    (:func:`symsig.gaussian.expectations`) per standard deviation s.
    """

    def __init__(self, phi):
        self.phi = phi
        known = facts(phi)
        self.pieces = _real_pieces(known)
        jumps = known.jumps(0)
        if jumps:
            raise UndefinedError(f"phi jumps at x = {sorted(jumps, key=float)}: phi' carries a Dirac mass, "
                                 "so E[phi'^2] (the gradient gain) is infinite; use a continuous activation")
        self.dpieces = known.first
        both = PiecewiseSmooth(tuple(Piece(p.lo, p.hi, x * p.expr * d.expr)
                                     for p, d in zip(self.pieces.pieces, self.dpieces.pieces)))
        self.integrands = (self.pieces.map(lambda e: e**2), self.dpieces.map(lambda e: e**2), both,
                           self.dpieces.map(lambda e: x**2 * e**2))
        self.exact = [_exact_in_sigma(f) for f in self.integrands]
        self.funcs = [None if e is None else lambdify_mpmath(SIGMA, without_erf_cancellation(e))
                      for e in self.exact]
        self.reasons = {}

    def at(self, s, dps, which=(M2, CHI, XPP, A), lenient=False):
        """``{index: (value, error)}`` at standard deviation ``s`` (an mpf; call inside workdps).

        An infinite statistic is ``(+-inf, 0)`` with its reason in ``self.reasons``; an
        undefined one raises :class:`UndefinedError` (``(None, None)`` when ``lenient``), a
        quadrature failure :class:`ConvergenceError`.
        """
        result, todo = {}, []
        for i in which:
            found = _closed_value(self.funcs[i], s) if self.funcs[i] is not None else None
            if found is not None:
                result[i] = found
            else:  # no closed form, or one not finite, real and well-conditioned here: the engine decides
                todo.append(i)
        if todo:
            found = expectations([self.integrands[i] for i in todo], sigma=s, dps=dps, exact=False)
            for i, q in zip(todo, found):
                where = f"{NAMES[i]} at X = s Z, s = {mp.nstr(s, 8)}"
                if q.status == UNDEFINED and lenient and q.cause is not ConvergenceError:
                    result[i] = (None, None)
                elif q.status == UNDEFINED:
                    raise q.cause(f"{where} is undefined: {q.reason}")
                elif q.status == INFINITE:
                    # the first (smallest s) reason is kept: the scan runs upwards
                    self.reasons.setdefault(i, f"{where} = {'+' if q.value > 0 else '-'}oo: {q.reason}")
                    result[i] = (q.value, mp.mpf(0))
                else:
                    result[i] = (q.value, q.error)
        return result

    def slope_at_zero(self):
        """``lim_{s->0} E[phi'(sZ)^2]`` (= F'(0)/sigma_W^2 when phi(0) = 0): the mean of the one-sided squares."""
        zero = sympy.Integer(0)
        if zero in self.dpieces.breakpoints:
            i = self.dpieces.breakpoints.index(zero)
            return (self.dpieces.one_sided(i, zero) ** 2 + self.dpieces.one_sided(i + 1, zero) ** 2) / 2
        return self.dpieces.piece_at(zero).expr.subs(x, 0) ** 2

    def value_at_zero(self):
        """phi(0) (one-sided mean at a breakpoint), or None when phi is not finite there (1/x, log x)."""
        zero = sympy.Integer(0)
        if zero in self.pieces.breakpoints:
            value = self.pieces.one_sided(self.pieces.breakpoints.index(zero), zero)
        else:
            value = self.pieces.piece_at(zero).expr.subs(x, 0)
        return value if value.is_extended_real and value.is_finite else None


def _real_pieces(known):
    """phi's pieces; :class:`DomainError` when phi takes complex values (log(x) at x < 0)."""
    pieces = known.pieces
    try:
        expectation_verdict(pieces, 1, 0)  # its realness check is what is wanted here
    except DivergenceError:
        pass  # E[phi] itself is not needed; the statistics used are decided one by one
    return pieces


def _closed_value(func, s):
    """``(func(s), error)`` from two evaluations 10 and 30 digits finer than the working
    precision, or None when the closed form is not a finite real number at ``s`` or the two
    disagree beyond the working digits (a cancelling form far out: the quadrature decides)."""
    values = []
    for extra in (10, 30):
        with mp.workdps(mp.dps + extra):
            value = _real_finite(func, s)
        if value is None:
            return None
        values.append(value)
    coarse, fine = values
    error = abs(fine - coarse) + 10 * mp.eps * max(1, abs(fine))
    return None if error > mp.mpf(10) ** (2 - mp.dps) * max(1, abs(fine)) else (+fine, +error)


def _real_finite(func, s):
    """``func(s)`` when it is a finite real number, else None (a closed form outside its range)."""
    try:
        value = mp.mpmathify(func(s))
    except (ArithmeticError, ValueError, TypeError):
        return None
    if isinstance(value, COMPLEX):
        if value.imag:
            return None
        value = value.real
    return value if mp.isfinite(value) else None


def _exact_in_sigma(integrand):
    form = exact_form(integrand, sympy.Integer(0))
    return None if form is None else form[0]


# ------------------------------------------------------------- variance map

class Stability(StrEnum):
    """The verdict on a fixed point q* of the variance map, from |F'(q*)|."""

    STABLE = "stable"
    UNSTABLE = "unstable"
    MARGINAL = "marginal"  # |F'(q*)| = 1: higher-order terms decide


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point q* of the variance map with F'(q*) and the gradient gain chi_1 there."""

    q: Quantity
    slope: Quantity  # F'(q*)
    chi1: Quantity   # sigma_W^2 E[phi'(sqrt(q*) Z)^2]

    @property
    def stable(self):
        return abs(self.slope.value) < 1

    @property
    def verdict(self):
        """A :class:`Stability`: ``marginal`` when ``|F'(q*)| = 1`` (higher orders decide)."""
        if abs(self.slope.value) == 1:
            return Stability.MARGINAL
        return Stability.STABLE if self.stable else Stability.UNSTABLE

    def as_dict(self):
        return {"q": self.q.as_dict(), "F_prime": self.slope.as_dict(), "chi1": self.chi1.as_dict(),
                "stable": self.stable, "verdict": self.verdict}


@dataclass(frozen=True)
class VarianceMap:
    """The fixed points of F(q) = sigma_W^2 m2(sqrt q) + sigma_b^2, how they were found, and why
    there are no (further) ones."""

    sigma_w2: object
    sigma_b2: object
    points: list
    exact: bool
    method: str
    reason: str = None  # why there is no (or no further) finite fixed point
    every_q_fixed: bool = False
    notes: list = field(default_factory=list)
    # numeric scans: the sign of F(q) - q beyond q_max is decided and agrees with the scan's last
    # value, so no fixed point lies beyond q_max (exact results are always complete)
    complete: bool = True

    def as_dict(self):
        return {"sigma_w2": str(self.sigma_w2), "sigma_b2": str(self.sigma_b2), "exact": self.exact,
                "method": self.method, "fixed_points": [p.as_dict() for p in self.points],
                "every_q_fixed": self.every_q_fixed, "reason": self.reason, "notes": self.notes,
                "complete": self.complete}


def _parameters(sigma_w2, sigma_b2):
    sw, sb = exact_number(sigma_w2, "sigma_w2"), exact_number(sigma_b2, "sigma_b2")
    if not (sw.is_real and sb.is_real and sw > 0 and sb >= 0):
        raise DomainError(f"need sigma_w2 > 0 and sigma_b2 >= 0, got {sw}, {sb}")
    return sw, sb


@engine_call
def variance_fixed_points(phi, sigma_w2=1, sigma_b2=0, dps=20, q_max=10**4):
    """All fixed points ``q* >= 0`` of the variance map, or the reason there is none.

    Exact when ``m2(s)`` has a closed form that is a polynomial in s (then the
    fixed points are the real roots of a polynomial: exact real roots for
    rational coefficients, radicals whose signs SymPy decides for degree <= 2,
    the numeric scan otherwise); otherwise numeric: a sign
    scan of ``G(q) = F(q) - q`` on a geometric grid over [0, q_max] at
    SCAN_DPS digits (a sign within the quadrature error is taken again at ``dps``),
    each bracketed root refined at ``dps`` digits by :func:`symsig.roots.refine_root`, and the
    sign of G beyond q_max read from the asymptotic slopes.  Where ``m2`` is
    ``+oo`` (heavy tails, non-integrable poles) ``F(q) = +oo`` and the result says so.

    >>> r = variance_fixed_points("Max(tanh(-1), -1)", "1", "1/10", dps=15)  # constant -tanh(1)
    >>> [p.q.exact for p in r.points]
    [1/10 + tanh(1)**2]
    """
    phi = get_activation(phi).expr
    sw, sb = _parameters(sigma_w2, sigma_b2)
    dps = check_dps(dps)
    q_max = exact_number(q_max, "q_max")
    if not (q_max.is_real and q_max >= 1):
        raise DomainError(f"q_max must be a real number >= 1, got {q_max}")
    stats = _Stats(phi)
    m2 = stats.exact[M2]
    if m2 is not None and sympy.expand(m2).is_polynomial(SIGMA) and stats.exact[CHI] is not None:
        result = _exact_fixed_points(stats, sw, sb, dps)
        if result is not None:
            return result
    return _numeric_fixed_points(stats, sw, sb, dps, q_max)


def _polynomial_roots(poly):
    """The roots ``s >= 0`` of ``poly``, exactly, or None when their signs cannot be decided exactly.

    Rational coefficients: SymPy's real-root isolation.  Other coefficients (pi, tanh(1),
    sqrt(2/pi) from a constant or an offset in phi): the radicals of degree <= 2, kept
    when SymPy decides each one's realness and sign.
    """
    if poly.domain.is_ZZ or poly.domain.is_QQ:
        return sorted({r for r in poly.real_roots() if r >= 0}, key=float)
    if poly.degree() > 2:
        return None
    roots = set()
    for r in sympy.roots(poly, multiple=True):
        real = r.is_extended_real
        nonnegative = r.is_nonnegative if real else False
        if real is None or nonnegative is None:
            return None
        if nonnegative:
            roots.add(r)
    return sorted(roots, key=lambda r: sympy.N(r, 30))


def _exact_fixed_points(stats, sw, sb, dps):
    """The exact fixed points, or None when the roots' signs are not decided exactly."""
    m2 = sympy.expand(stats.exact[M2].subs(SIGMA, S))
    g = sympy.expand(sw * m2 + sb - S**2)
    method = "exact: m2(s) is a polynomial in s = sqrt(q) (closed form); real roots of F(q) - q"
    if g == 0:
        return VarianceMap(sw, sb, [], True, method, reason="F(q) = q for every q: every variance is fixed "
                           "(the critical line of a positively homogeneous activation)", every_q_fixed=True)
    roots = _polynomial_roots(sympy.Poly(g, S))
    if roots is None:
        return None
    half_derivative = sympy.expand(sympy.diff(sw * m2, S) / 2)  # F'(q) = half_derivative / s
    points = []
    for r in roots:
        q = r**2
        f_prime = _slope_at_zero(half_derivative) if r == 0 else half_derivative.subs(S, r) / r
        chi = sw * (stats.exact[CHI].subs(SIGMA, r) if r != 0 else stats.slope_at_zero())
        points.append(FixedPoint(*(Quantity.from_exact(simplify(v), "closed form", dps)
                                   for v in (q, f_prime, chi))))
    reason = None
    if not points:
        reason = f"F(q) - q = {sympy.sstr(g.subs(S, sympy.sqrt(sympy.Symbol('q'))))} has no root q >= 0 (exact)"
    return VarianceMap(sw, sb, points, True, method, reason=reason)


def _slope_at_zero(half_derivative):
    """``lim_{s->0+} p(s)/s`` for a polynomial p: p'(0) when p(0) = 0, else +-oo."""
    poly = sympy.Poly(half_derivative, S)
    at_zero = poly.eval(0)
    if at_zero != 0:
        return oo if at_zero > 0 else -oo
    return poly.diff(S).eval(0)


def _tail_sign(phi, sw, sb, dps):
    """Sign of G(q) = F(q) - q as q -> oo, with the reason (from the asymptotic slopes)."""
    plus, minus = facts(phi).slopes(dps)
    if plus.status == INFINITE or minus.status == INFINITE:
        return 1, "phi grows superlinearly, so F(q) - q -> +oo"
    if not (plus.is_finite and minus.is_finite):
        return None, "the asymptotic slopes are undefined"
    gain = sw * (plus.exact**2 + minus.exact**2) / 2 if plus.exact is not None and minus.exact is not None \
        else sw * (plus.value**2 + minus.value**2) / 2
    if gain != 1:
        sign = 1 if gain > 1 else -1
        return sign, f"F(q)/q -> sigma_W^2 (alpha+^2 + alpha-^2)/2 = {sympy.N(gain, 6)}"
    offsets = asymptote_offsets(phi, plus.exact, minus.exact) if plus.exact is not None \
        and minus.exact is not None else None
    if offsets is None or not (offsets[0][1] and offsets[1][1]):
        return None, ("critical slope sigma_W^2 (alpha+^2 + alpha-^2)/2 = 1, and phi does not provably settle "
                      "on lines alpha x + c at +-oo with an integrable remainder: the tail sign is not decided")
    # with h = phi - alpha x = c + r (r integrable and -> 0), m2(s) - s^2 (alpha+^2 + alpha-^2)/2
    # = 2 E[alpha x h] + E[h^2] = 2 kappa s / sqrt(2 pi) + (c+^2 + c-^2)/2 + o(1) (dominated convergence)
    (c_plus, _), (c_minus, _) = offsets
    kappa = plus.exact * c_plus - minus.exact * c_minus
    constant = sb + sw * (c_plus**2 + c_minus**2) / 2
    why = (f"critical slope sigma_W^2 (alpha+^2 + alpha-^2)/2 = 1; phi - alpha x -> c+ = {c_plus}, "
           f"c- = {c_minus} with integrable remainders, so F(q) - q = 2 sigma_W^2 kappa sqrt(q/(2 pi)) "
           f"+ sigma_b^2 + sigma_W^2 (c+^2 + c-^2)/2 + o(1) with kappa = alpha+ c+ - alpha- c- = {kappa}")
    if kappa != 0 and kappa.is_extended_real:
        return (1 if kappa > 0 else -1), why
    if kappa == 0 and constant > 0:
        return 1, why
    return None, why + ": the tail sign needs higher-order asymptotics"


def _numeric_fixed_points(stats, sw, sb, dps, q_max):
    moments = ("closed forms in sigma" if stats.exact[M2] is not None and stats.exact[XPP] is not None
               else "the core engine's kink-split quadrature")
    method = ("numeric: sign scan of F(q) - q on [0, q_max] (geometric grid, "
              f"{GRID_PER_DECADE} points per decade), roots refined in their brackets, tail sign from the "
              f"asymptotic slopes; Gaussian moments by {moments}")
    with workdps(dps):
        w, b = to_mpmath(sw), to_mpmath(sb)
        decades = int(mp.ceil(mp.log10(to_mpmath(q_max))))
        if GRID_PER_DECADE * (decades + 4) > MAX_POINTS:
            raise LimitError(f"q_max = {q_max} needs more than MAX_POINTS = {MAX_POINTS} grid points")
        phi0 = stats.value_at_zero()
        # F(0) = sigma_W^2 phi(0)^2 + sigma_b^2; None when phi(0) is not a finite number
        g_zero = None if phi0 is None else w * to_mpmath(phi0 ** 2) + b

        def g(q, digits):
            """``(G(q), error)``; G(0) is None when phi(0) is not finite."""
            if q == 0:
                return g_zero, 0
            value, error = stats.at(mp.sqrt(q), digits, (M2,))[M2]
            return w * value + b - q, w * error

        grid = [mp.mpf(0)] + [mp.mpf(10) ** (mp.mpf(k) / GRID_PER_DECADE)
                                  for k in range(-4 * GRID_PER_DECADE, GRID_PER_DECADE * decades + 1)]
        grid = [q for q in grid if q <= to_mpmath(q_max)]
        scanned = [g(q, min(dps, SCAN_DPS)) for q in grid]
        values = [v for v, _ in scanned]

        def sign_at(index):
            # a sign within the quadrature error at SCAN_DPS is decided again at dps
            value, error = scanned[index]
            if value is not None and abs(value) <= error and grid[index] != 0:
                value, error = g(grid[index], dps)
            return 0 if value is None or abs(value) <= error else (1 if value > 0 else -1)

        roots = [mp.mpf(0)] if g_zero == 0 else []
        notes, jumps = [], []
        for i0, i1 in bracket_scan(range(len(grid)), sign_at):
            q0, q1 = grid[i0], grid[i1]
            # the tolerance of refine_root is relative to max(1, q): ask for more digits below 1
            digits = dps + 2 + max(0, -int(mp.floor(mp.log10(q1))))
            root = refine_root(lambda q: g(q, dps)[0], q0, q1, digits)
            residual = g(root, dps)[0]
            if mp.isfinite(residual) and abs(residual) <= mp.mpf(10) ** -max(dps // 2, 5) * max(1, root):
                roots.append(root)
            else:  # G does not cross 0 here: F jumps to +oo (m2 diverges beyond this q)
                jumps.append(root)
        infinite = [q for q, v in zip(grid, values) if v is not None and mp.isinf(v)]
        if infinite:
            notes.append(f"F(q) = +oo for q >= {mp.nstr(infinite[0], 6)} on the grid ({stats.reasons[M2]}); "
                         "fixed points can only lie below")
        notes += [f"F(q) - q jumps from < 0 to +oo near q = {mp.nstr(q, 8)} (the divergence threshold "
                  "of m2): not a fixed point" for q in jumps]
        if len(infinite) == len(grid) - 1:
            return VarianceMap(sw, sb, [], False, method, notes=notes, reason=(
                f"F(q) = +oo at every scanned q in [1e-4, {q_max}]: {stats.reasons[M2]}"))
        sign, tail_reason = _tail_sign(stats.phi, sw, sb, dps)
        notes.insert(0, tail_reason)
        beyond = sign is not None and mp.isfinite(values[-1]) and sign * values[-1] < 0
        if beyond:
            notes.append(f"WARNING: F(q) - q {'<' if sign > 0 else '>'} 0 at q_max = {q_max} but "
                         f"{'>' if sign > 0 else '<'} 0 in the tail: a fixed point lies beyond q_max (raise q_max)")
        fixed = [_numeric_point(stats, w, b, q, dps) for q in roots]
        reason = None
        if not fixed and beyond:
            reason = f"no fixed point in [0, {q_max}], but one lies beyond q_max: {notes[-1]}"
        elif not fixed:
            finite = [i for i, v in enumerate(values) if v is not None and mp.isfinite(v)]
            extreme = min(finite, key=lambda i: values[i] if sign != -1 else -values[i])
            reason = (f"F(q) - q keeps one sign on the scanned grid [0, {q_max}] (closest to 0: "
                      f"{mp.nstr(values[extreme], 6)} at q = {mp.nstr(grid[extreme], 6)}) and in the "
                      f"tail ({tail_reason}); numeric evidence, not a proof")
    return VarianceMap(sw, sb, fixed, False, method, reason=reason, notes=notes,
                       complete=sign is not None and not beyond)


def _numeric_point(stats, w, b, q, dps):
    if q == 0:
        slope = w * to_mpmath(stats.slope_at_zero())
        zero = Quantity.numeric(mp.mpf(0), mp.mpf(0), "F(0) = 0", dps)
        return FixedPoint(zero, Quantity.numeric(slope, 0 * slope, "sigma_W^2 lim E[phi'^2] at q -> 0", dps),
                          Quantity.numeric(slope, 0 * slope, "sigma_W^2 lim E[phi'^2] at q -> 0", dps))
    found = stats.at(mp.sqrt(q), dps)
    (m2, e_m2), (chi, e_chi), (xpp, e_xpp) = found[M2], found[CHI], found[XPP]
    slope = w * xpp / q
    residual = abs(w * m2 + b - q) + w * e_m2
    err_q = residual / max(abs(1 - slope), mp.mpf(10) ** (-dps)) + mp.mpf(10) ** (-dps - 2) * q
    # F'(q) moves with q at rate F''; the slope's error gets the quadrature error plus err_q times a scale
    return FixedPoint(Quantity.numeric(+q, +err_q, "root of F(q) - q (bracketed, refine_root)", dps),
                      _maybe_infinite(+slope, +(w * e_xpp / q + err_q / q), "sigma_W^2 E[X phi phi'](s)/s^2 (Stein)",
                                      dps, stats.reasons.get(XPP)),
                      _maybe_infinite(+w * chi, +(w * e_chi + err_q / q), "sigma_W^2 E[phi'(sZ)^2]", dps,
                                      stats.reasons.get(CHI)))


def _maybe_infinite(value, error, method, dps, reason):
    if mp.isinf(value):
        return Quantity.infinite(1 if value > 0 else -1, method, dps, reason=reason, proved=False)
    return Quantity.numeric(value, error, method, dps)


@dataclass(frozen=True)
class EdgePoint:
    """A point of the edge of chaos: at the fixed point ``q`` of the variance map,
    ``chi_1 = sigma_W^2 E[phi'(sqrt(q) Z)^2] = 1``."""

    q: Quantity
    sigma_w2: Quantity
    sigma_b2: Quantity

    def as_dict(self):
        return {"q": self.q.as_dict(), "sigma_w2": self.sigma_w2.as_dict(), "sigma_b2": self.sigma_b2.as_dict()}


MAX_EDGE_RETRIES = 4  # precision raises of one edge point before its digits are reported as they are


@engine_call
def edge_of_chaos(phi, qs=None, *, sigma_b2=None, sigma_w2=None, dps=20, q_max=10**4):
    """Points of the edge of chaos ``chi_1 = 1``, as a list of :class:`EdgePoint`.

    Give exactly one of

    * ``qs``: fixed-point variances q*; each gives ``sigma_W^2 = 1/E[phi'(sqrt q Z)^2]`` and
      ``sigma_b^2 = q - sigma_W^2 m2(sqrt q)`` (q values that would need ``sigma_b^2 < 0``,
      or where no ``sigma_W^2 > 0`` works, are left out);
    * ``sigma_b2``: the classic question, the ``sigma_W^2`` (and q*) on the edge at this bias
      variance: every root of ``q - m2(sqrt q)/E[phi'^2] = sigma_b^2`` in ``[sigma_b^2, q_max]``;
    * ``sigma_w2``: the converse, every root of ``E[phi'(sqrt q Z)^2] = 1/sigma_W^2`` in
      ``[1e-6, q_max]``.

    ``sigma_b^2`` cancels (``q - m2/chi`` is about ``4 q^3/3`` for tanh at small q); the precision is
    raised until the requested digits survive, and each value carries its error.

    >>> [p.sigma_w2.exact for p in edge_of_chaos("relu", ["0.5"])]
    [2]
    >>> p, = edge_of_chaos("erf", sigma_b2="0.1", dps=15)
    >>> str(p.sigma_w2), str(p.q)
    ('1.55211785533364', '0.726359229384961')
    """
    dps = check_dps(dps)
    if sum(v is not None for v in (qs, sigma_b2, sigma_w2)) != 1:
        raise InputError("give exactly one of qs (fixed-point variances), sigma_b2= or sigma_w2=")
    stats = _Stats(get_activation(phi).expr)
    if qs is not None:
        if isinstance(qs, (str, bytes)) or not hasattr(qs, "__iter__"):
            raise InputError(f"qs must be a list of variances q > 0, got {qs!r}")
        qs = [exact_number(q, "q") for q in qs]
        for q in qs:
            if not (q.is_real and q > 0):
                raise DomainError(f"each q is a variance and must be > 0, got {q}")
        points = [_edge_point(stats, q, dps) for q in qs]
        return [p for p in points if p is not None]
    q_max = exact_number(q_max, "q_max")
    if sigma_b2 is not None:
        b = exact_number(sigma_b2, "sigma_b2")
        if not (b.is_real and b >= 0):
            raise DomainError(f"sigma_b2 is a variance and must be >= 0, got {b}")
        origin = _edge_at_zero(stats, dps)
        at_zero = [origin] if origin is not None and b == 0 else []
        # q - m2/chi <= q, so a root lies at q >= sigma_b^2
        return _edge_roots(stats, lambda q, digits: _bias(stats, q, digits), b, max(b, sympy.Rational(1, 10**40)),
                           q_max, dps, f"sigma_b^2 = {b}", at_zero)
    w = exact_number(sigma_w2, "sigma_w2")
    if not (w.is_real and w > 0):
        raise DomainError(f"sigma_w2 is a variance and must be > 0, got {w}")
    origin = _edge_at_zero(stats, dps)
    at_zero = [origin] if origin is not None and origin.sigma_w2.exact == w else []
    return _edge_roots(stats, lambda q, digits: _gain(stats, q, digits), 1 / w, sympy.Rational(1, 10**6),
                       q_max, dps, f"sigma_W^2 = {w}", at_zero)


def _edge_at_zero(stats, dps):
    """The edge point q* = 0 (``sigma_b^2 = 0``, ``sigma_W^2 = 1/phi'(0)^2``) when phi(0) = 0, else None."""
    chi0 = stats.slope_at_zero()
    if stats.value_at_zero() != 0 or not (chi0.is_positive and chi0.is_finite):
        return None
    method = "q* = 0: phi(0) = 0 and sigma_W^2 = 1/lim E[phi'(sZ)^2] as s -> 0"
    return EdgePoint(Quantity.from_exact(0, method, dps), Quantity.from_exact(1 / chi0, method, dps),
                     Quantity.from_exact(0, method, dps))


def _gain(stats, q, digits):
    """``(E[phi'(sqrt q Z)^2], error)`` at q (an mpf)."""
    return stats.at(mp.sqrt(q), digits, (CHI,))[CHI]


def _bias(stats, q, digits):
    """``(q - m2/chi, error)`` at q, the sigma_b^2 of the edge point at q, with its rounding error."""
    found = stats.at(mp.sqrt(q), digits, (M2, CHI))
    (m2, e_m2), (chi, e_chi) = found[M2], found[CHI]
    if not (0 < chi < mp.inf and mp.isfinite(m2)):
        return None, None
    value = q - m2 / chi
    return value, e_m2 / chi + m2 * e_chi / chi**2 + (abs(q) + abs(m2 / chi)) * mp.eps


def _edge_point(stats, q, dps):
    """The :class:`EdgePoint` at the exact fixed-point variance q, or None when q has none."""
    decided, point = _exact_edge_point(stats, q, dps)
    if decided:
        return point
    digits = dps
    for _ in range(MAX_EDGE_RETRIES):
        with workdps(digits):
            qq = to_mpmath(q)
            sb, e_sb = _bias(stats, qq, digits)
            if sb is None:  # E[phi'^2] is 0 or infinite, or m2 infinite: no sigma_W^2 works
                return None
            chi, e_chi = _gain(stats, qq, digits)
            sw, e_sw = 1 / chi, e_chi / chi**2
            if sb < -e_sb:
                return None
            # sigma_b^2 is a difference of two numbers of size q: retry with the digits it lost
            lost = 0 if sb == 0 or abs(sb) >= abs(qq) else int(mp.ceil(mp.log10(abs(qq) / abs(sb))))
            if e_sb <= abs(sb) * mp.mpf(10) ** (-dps) or lost == 0:
                break
        digits = dps + lost + 10
    # after MAX_EDGE_RETRIES the last values stand, with the error that says how many digits survived
    method = "sigma_b^2 = q - m2(sqrt q)/E[phi'^2]" + (" at raised precision" if digits > dps else "")
    return EdgePoint(Quantity.from_exact(q, "given", dps), Quantity.numeric(+sw, +e_sw, "1/E[phi'(sqrt q Z)^2]", dps),
                     Quantity.numeric(+max(sb, 0 * sb), +e_sb, method, dps))


def _exact_edge_point(stats, q, dps):
    """``(True, EdgePoint or None)`` from the closed forms of m2 and E[phi'^2], or ``(False, None)``
    when there are none or SymPy cannot decide a sign (the numeric path decides then)."""
    m2, chi = stats.exact[M2], stats.exact[CHI]
    if m2 is None or chi is None:
        return False, None
    s = sympy.sqrt(q)
    chi_q = simplify(chi.subs(SIGMA, s))
    if chi_q.is_zero or chi_q.is_infinite:
        return True, None
    if not chi_q.is_positive:
        return False, None
    sw = simplify(1 / chi_q)
    sb = simplify(q - sw * m2.subs(SIGMA, s))
    if sb.is_negative:
        return True, None
    if sb.is_nonnegative is not True:
        return False, None
    method = "closed forms of m2 and E[phi'^2] in sigma"
    return True, EdgePoint(Quantity.from_exact(q, "given", dps), Quantity.from_exact(sw, method, dps),
                           Quantity.from_exact(sb, method, dps))


def _edge_roots(stats, func, target, q_lo, q_max, dps, what, points):
    """``points`` and the edge points at every root of ``func(q) = target`` on a geometric grid of
    [q_lo, q_max]."""
    with workdps(dps):
        lo, hi, goal = to_mpmath(q_lo), to_mpmath(q_max), to_mpmath(target)
        # one point per decade below q = 1e-4, where the moments follow their leading powers of q
        small = [lo * mp.mpf(10) ** k for k in range(int(mp.ceil(mp.log10(mp.mpf("1e-4") / lo))))]
        start = small[-1] * 10 if small else lo
        decades = int(mp.ceil(mp.log10(hi / start)))
        if len(small) + GRID_PER_DECADE * decades > MAX_POINTS:
            raise LimitError(f"[{mp.nstr(lo, 3)}, {mp.nstr(hi, 3)}] needs more than MAX_POINTS = {MAX_POINTS} "
                             "grid points")
        grid = small + [start * mp.mpf(10) ** (mp.mpf(k) / GRID_PER_DECADE)
                        for k in range(GRID_PER_DECADE * decades + 1)]

        def difference(q, digits):
            value, error = func(q, digits)
            return (None, None) if value is None else (value - goal, error)

        def sign_at(index):
            value, error = difference(grid[index], SCAN_DPS + _cancellation_digits(grid[index]))
            if value is not None and abs(value) <= error:
                value, error = difference(grid[index], dps)
            return 0 if value is None or abs(value) <= error else (1 if value > 0 else -1)

        for i0, i1 in bracket_scan(range(len(grid)), sign_at):
            digits = dps + 2 + max(0, -int(mp.floor(mp.log10(grid[i1]))))
            extra = _cancellation_digits(grid[i0])
            with workdps(dps + extra):
                root = refine_root(lambda q: difference(q, dps + extra)[0], grid[i0], grid[i1], digits)
            point = _edge_point(stats, sympy.Float(root, dps + extra + 5), dps)
            if point is not None:
                error = mp.mpf(10) ** (-digits) * max(1, root)
                points.append(EdgePoint(Quantity.numeric(root, error, f"root for {what} (bracketed, refine_root)",
                                                         dps), point.sigma_w2, point.sigma_b2))
    if not points:
        raise UndefinedError(f"no point of the edge of chaos with {what} was found for q in "
                             f"[{sympy.N(q_lo, 6)}, {sympy.N(q_max, 6)}] (no sign change on the scan grid)")
    return points


def _cancellation_digits(q):
    """Digits that q - m2/chi can lose at q < 1 (it is about 4 q^3/3 for tanh: 2 |log10 q|)."""
    return max(0, 2 * int(-mp.floor(mp.log10(q))))


# ------------------------------------------------------------- Lyapunov constants

@engine_call
def derivative_range(phi, dps=20):
    """``(inf phi', sup phi', method)`` from phi' at its one-sided breakpoint values, its
    limits at +-oo and the critical points of phi': the list
    :func:`symsig.regularity.slope_values` that also gives ``Lip`` and ``TV(phi')``.
    Exact when those points are (piecewise-linear phi, tanh, GELU, ...).

    When phi' is unbounded near a finite point (1/x, tan x) the unbounded side is
    ``-oo``/``oo`` and the other side None (not computed); a periodic phi' (sin x) gives its
    range over one period; a phi' with neither a limit at +-oo nor a period there raises
    :class:`ConvergenceError`.

    >>> derivative_range("tanh")[:2]
    (0, 1)
    """
    dps = check_dps(dps)
    phi = get_activation(phi).expr
    known = facts(phi)
    _real_pieces(known)
    jumps = {p: j for p, j in known.jumps(0).items() if j.is_finite}  # not a pole of phi such as log|x|
    if jumps:  # phi' carries Dirac masses: +oo at an upward jump, -oo at a downward one
        up = any(j.is_extended_positive for j in jumps.values())
        down = any(j.is_extended_negative for j in jumps.values())
        return (-oo if down else None), (oo if up else None), (
            f"phi jumps at x = {sorted(jumps, key=float)}: phi' has a Dirac mass there, so it is unbounded")
    dpieces = known.first
    try:
        pole = unbounded_near(dpieces)
    except SingularityUnknown:
        pole = None
    if pole is not None:
        signs = {_blow_up_sign(p.expr, pole, side) for p in dpieces.pieces for side in (-1, 1)
                 if p.lo < pole + side * sympy.Rational(1, 10**9) < p.hi}
        return (-oo if -1 in signs else None), (oo if 1 in signs else None), f"phi' is unbounded near x = {pole}"
    values, exact, reason = slope_values(phi, dps, one_period=True)  # a periodic phi' (cos) spans one period
    if values is None:
        raise ConvergenceError(f"the range of phi' is not decided: {reason}")
    method = ("exact: phi' at breakpoints, limits at +-oo and critical points of phi'" if exact else
              "numeric: phi' at breakpoints, limits at +-oo and critical points of phi' (sign changes of "
              "phi'' refined at working precision)")
    return min(values, key=float), max(values, key=float), method


def _blow_up_sign(expr, x0, side):
    """+1/-1 when expr -> +-oo as x -> x0 from that side (leading term c s^p log(s)^k, p < 0), else None."""
    try:
        c, p, k = leading_term(expr, x0, side)
    except SingularityUnknown:
        return None
    if c == 0 or not p < 0 or not k.is_integer:
        return None
    return 1 if (c > 0) == (k % 2 == 0) else -1  # log(s) < 0 as s -> 0+


@dataclass(frozen=True)
class Lyapunov:
    """Descent constants of the affine map x -> a phi(x) + b: its Lipschitz constant, the
    contraction verdict and the primitive (energy) Lyapunov function's constants."""

    a: object
    b: object
    lipschitz: object
    contraction: dict
    primitive: dict
    method: str

    def as_dict(self):
        return {"a": str(self.a), "b": str(self.b), "Lip": str(self.lipschitz), "method": self.method,
                "contraction": _json_ready(self.contraction), "primitive": _json_ready(self.primitive)}


def _json_ready(data):
    return {k: v if isinstance(v, (bool, str)) else str(v) for k, v in data.items()}


@engine_call
def lyapunov(phi, a=1, b=0, dps=20):
    """Descent constants for ``T(x) = phi(a x + b)``.

    Contraction: ``L = |a| Lip(phi) < 1`` gives ``V = (x - x*)^2`` with
    ``V(Tx) <= L^2 V(x)`` (descent ``1 - L^2``).  Primitive: ``E' = x - T(x)``, so T is
    a unit gradient step on E; with ``beta = sup E'' = 1 - inf(a phi')`` the descent
    lemma gives ``E(Tx) <= E(x) - (1 - beta/2) (x - Tx)^2`` when ``beta < 2``.

    >>> r = lyapunov("relu", "0.5")
    >>> r.contraction["rate"], r.contraction["descent"], r.primitive["descent"]
    (1/2, 3/4, 1/2)
    """
    phi = get_activation(phi).expr
    a, b = exact_number(a, "a"), exact_number(b, "b")
    if not (a.is_real and b.is_real):
        raise DomainError(f"a and b must be real, got {a}, {b}")
    if a == 0:
        raise DomainError("a = 0 makes T constant; there is nothing to certify")
    low, high, method = derivative_range(phi, dps)
    if low is None or high is None or not (low.is_finite and high.is_finite):
        fail = {"holds": False, "reason": "phi' is unbounded, so phi is not Lipschitz"}
        return Lyapunov(a, b, oo, fail, fail, method)
    lip = max(abs(low), abs(high))
    rate = abs(a) * lip
    if rate < 1:
        contraction = {"holds": True, "rate": rate, "descent": 1 - rate**2}
    else:
        contraction = {"holds": False, "rate": rate,
                       "reason": f"|a| Lip(phi) = {_show(rate)} >= 1: no contraction certificate"}
    inf_slope = a * low if a > 0 else a * high
    beta = 1 - inf_slope
    primitive = {"beta": beta}
    if beta < 2:
        primitive.update(holds=True, descent=1 - beta / 2)
    else:
        primitive.update(holds=False, reason=f"inf(a phi') = {_show(inf_slope)} <= -1, so sup E'' >= 2: "
                         "the unit gradient step may not decrease E")
    return Lyapunov(a, b, lip, contraction, primitive, method)


def _show(value):
    """Exact values as they are, numeric ones to 8 digits."""
    return sympy.sstr(value) if not value.has(sympy.Float) else sympy.sstr(sympy.N(value, 8))


# ------------------------------------------------------------- kernel bound

@dataclass(frozen=True)
class KernelBound:
    """The constants of the kernel Hessian bound over a range of sigma: sup A/G (RMS g2) and
    sup A/G^2 (mean-square g2), where they are attained."""

    rms: Quantity          # sup A/G over the range
    mean_square: Quantity  # sup A/G^2
    argmax_rms: object
    argmax_mean_square: object
    sigma_range: tuple
    at_endpoint: dict

    def as_dict(self):
        return {"C_rms": self.rms.as_dict(), "C_mean_square": self.mean_square.as_dict(),
                "argmax_rms": mp.nstr(self.argmax_rms, 6),
                "argmax_mean_square": mp.nstr(self.argmax_mean_square, 6),
                "sigma_range": [str(s) for s in self.sigma_range], "at_endpoint": self.at_endpoint}


@engine_call
def kernel_bound(phi, sigma_min="0.02", sigma_max=10, points=49, dps=15):
    """Smallest C with ``|x^T H y| <= C g2(|x|) g2(|y|) |x| |y|``, ``H = d_x d_y^T K``.

    ``K(x, y) = E_w[phi(w.x) phi(w.y)]``.  By Cauchy-Schwarz ``|x^T H y| <= |x||y|
    sqrt(A(|x|) A(|y|))`` with ``A(s) = E[phi'(sZ)^2 Z^2]``, with equality at x = y, so the
    sharp constant is ``sup A/G`` for the RMS ``g2 = sqrt(G)``, ``G = E[phi'(sZ)^2]``,
    and ``sup A/G^2`` for the mean-square reading.  The sup is over a log grid of
    sigma in [sigma_min, sigma_max], refined by golden-section search; whether it
    sits at an end of the range is reported (the true sup may then lie beyond).
    """
    dps = check_dps(dps)
    lo, hi = exact_number(sigma_min, "sigma_min"), exact_number(sigma_max, "sigma_max")
    if not (lo.is_real and hi.is_real and 0 < lo < hi):
        raise DomainError(f"need real 0 < sigma_min < sigma_max, got {lo}, {hi}")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= MAX_POINTS:
        raise DomainError(f"points must be an integer from 2 to {MAX_POINTS}, got {points!r}")
    stats = _Stats(get_activation(phi).expr)
    if all(p.expr == 0 for p in stats.dpieces.pieces):
        raise UndefinedError("phi' = 0: phi is constant, so g2 = 0, H = 0 and the bound holds with any C; "
                             "there is no smallest positive constant to report")

    def ratios(s):
        found = stats.at(s, dps, (CHI, A))
        (g_val, g_err), (a_val, a_err) = found[CHI], found[A]
        for i in (CHI, A):
            if mp.isinf(found[i][0]):
                raise DivergenceError(f"the kernel bound needs finite moments: {stats.reasons[i]}")
        a_val, a_err = a_val / s**2, a_err / s**2  # E[phi'(X)^2 X^2] / s^2 = E[phi'(sZ)^2 Z^2]
        rel = a_err / a_val + 2 * g_err / g_val
        return a_val / g_val, a_val / g_val**2, rel

    results, argmax, ends = {}, {}, {}
    with workdps(dps):
        low, ratio = to_mpmath(lo), to_mpmath(hi / lo)
        grid = [low * ratio ** (mp.mpf(i) / (points - 1)) for i in range(points)]
        table = [ratios(s) for s in grid]
        for index, name in ((0, "rms"), (1, "mean_square")):
            best = max(range(points), key=lambda i: table[i][index])
            ends[name] = best in (0, points - 1)
            s_best, value, rel = grid[best], table[best][index], table[best][2]
            flat = max(t[index] for t in table) - min(t[index] for t in table) <= rel * value
            spread = 0
            if not ends[name] and not flat:
                s_best, value, spread = _golden_max(lambda s: ratios(s)[index], grid[best - 1], grid[best + 1], dps)
            ends[name] = ends[name] and not flat
            results[name] = Quantity.numeric(+value, +(rel * value + spread),
                                             "max over a log grid + golden section; Gaussian moments from the "
                                             "core engine", dps)
            argmax[name] = +s_best
    return KernelBound(results["rms"], results["mean_square"], argmax["rms"], argmax["mean_square"], (lo, hi), ends)


def _golden_max(func, a, c, dps):
    ratio = (mp.sqrt(5) - 1) / 2
    x1, x2 = c - ratio * (c - a), a + ratio * (c - a)
    f1, f2 = func(x1), func(x2)
    while c - a > mp.mpf(10) ** (-dps // 2) * c:
        if f1 < f2:
            a, x1, f1 = x1, x2, f2
            x2 = a + ratio * (c - a)
            f2 = func(x2)
        else:
            c, x2, f2 = x2, x1, f1
            x1 = c - ratio * (c - a)
            f1 = func(x1)
    # the two last samples straddle the maximiser: their spread bounds what the search leaves
    return (x1, f1, abs(f1 - f2)) if f1 > f2 else (x2, f2, abs(f1 - f2))
