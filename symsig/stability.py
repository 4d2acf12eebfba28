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

import mpmath
import sympy
from sympy import oo

from .activations import x
from .budget import attempt
from .calculus import decompose, slopes
from .errors import DomainError, InputError
from .kernels import _numeric
from .kernels.closed import Q1, Q12, Q2, closed_form_dual, piecewise_polynomial_dual
from .kernels.dual import activation_expr
from .precision import exact_number, workdps
from .quantity import Quantity

Q = sympy.Symbol("q", nonnegative=True)
S = sympy.Symbol("s", nonnegative=True)  # s = sqrt(q)
GRID_PER_DECADE = 5  # scan density of F(q) - q on [1e-4, q_max]; closer root pairs can be missed


# ------------------------------------------------------------- Gaussian statistics

class _Stats:
    """``m2``, ``E[phi'^2]``, ``E[Z phi phi']`` at a standard deviation s, with errors."""

    def __init__(self, phi):
        self.phi = phi
        self.f = _numeric.compiled(phi)
        self.df = _numeric.compiled(phi, derivative=True)
        closed = closed_form_dual(phi)
        diag = {Q1: S**2, Q2: S**2, Q12: S**2}
        self.m2_exact = sympy.simplify(closed[0].subs(diag)) if closed else None
        closed_d = closed_form_dual(phi, derivative=True)
        self.chi_exact = sympy.simplify(closed_d[0].subs(diag)) if closed_d else None

    def _expect(self, func, s, dps):
        kinks = self.f.breakpoints()
        return _numeric.expect_1d(func, s, dps, kinks=kinks)

    def m2(self, s, dps):
        if self.m2_exact is not None:
            return mpmath.mpf(sympy.N(self.m2_exact.subs(S, s), mpmath.mp.dps)), mpmath.mpf(0)
        points = self.f.breakpoints()
        return self._expect(lambda u: self.f(u, points) ** 2, s, dps)

    def chi(self, s, dps):
        if self.chi_exact is not None:
            return mpmath.mpf(sympy.N(self.chi_exact.subs(S, s), mpmath.mp.dps)), mpmath.mpf(0)
        points = self.df.breakpoints()
        return self._expect(lambda u: self.df(u, points) ** 2, s, dps)

    def dm2_dq(self, s, dps):
        """``d m2(sqrt q)/dq = E[Z phi(sZ) phi'(sZ)] / s`` (Stein; no phi'' needed)."""
        fp, dp = self.f.breakpoints(), self.df.breakpoints()
        value, error = self._expect(lambda u: u * self.f(u, fp) * self.df(u, dp), s, dps)
        return value / s**2, error / s**2


# ------------------------------------------------------------- variance map

@dataclass(frozen=True)
class FixedPoint:
    q: Quantity
    slope: Quantity  # F'(q*)
    chi1: Quantity   # sigma_W^2 E[phi'(sqrt(q*) Z)^2]

    @property
    def stable(self):
        return abs(self.slope.value) < 1

    def as_dict(self):
        return {"q": self.q.as_dict(), "F_prime": self.slope.as_dict(), "chi1": self.chi1.as_dict(),
                "stable": self.stable}


@dataclass(frozen=True)
class VarianceMap:
    sigma_w2: object
    sigma_b2: object
    points: list
    exact: bool
    method: str
    reason: str = None  # why there is no (or no further) finite fixed point
    every_q_fixed: bool = False
    notes: list = field(default_factory=list)

    def as_dict(self):
        return {"sigma_w2": str(self.sigma_w2), "sigma_b2": str(self.sigma_b2), "exact": self.exact,
                "method": self.method, "fixed_points": [p.as_dict() for p in self.points],
                "every_q_fixed": self.every_q_fixed, "reason": self.reason}


def _parameters(sigma_w2, sigma_b2):
    sw, sb = exact_number(sigma_w2, "sigma_w2"), exact_number(sigma_b2, "sigma_b2")
    if not (sw.is_real and sb.is_real and sw > 0 and sb >= 0):
        raise DomainError(f"need sigma_w2 > 0 and sigma_b2 >= 0, got {sw}, {sb}")
    return sw, sb


def variance_fixed_points(phi, sigma_w2=1, sigma_b2=0, dps=20, q_max=10**4):
    """All fixed points ``q* >= 0`` of the variance map, or the reason there is none."""
    phi = activation_expr(phi)
    sw, sb = _parameters(sigma_w2, sigma_b2)
    if piecewise_polynomial_dual(phi) is not None:
        return _exact_fixed_points(phi, sw, sb, dps)
    return _numeric_fixed_points(phi, sw, sb, dps, q_max)


def _exact_fixed_points(phi, sw, sb, dps):
    stats = _Stats(phi)
    m2 = sympy.expand(stats.m2_exact)
    g = sympy.expand(sw * m2 + sb - S**2)
    method = "exact: m2 is a polynomial in sqrt(q) (wedge integrals); real roots of F(q) - q"
    if g == 0:
        return VarianceMap(sw, sb, [], True, method, reason="F(q) = q for every q: every variance is fixed "
                           "(the critical line of a positively homogeneous activation)", every_q_fixed=True)
    roots = sorted({r for r in sympy.Poly(g, S).real_roots() if r >= 0}, key=float)
    slope = sympy.diff(sw * m2, S) / (2 * S)
    points = []
    for r in roots:
        q = sympy.nsimplify(r**2) if not r.is_Rational else r**2
        f_prime = sympy.limit(slope, S, 0, "+") if r == 0 else slope.subs(S, r)
        chi = sw * stats.chi_exact.subs(S, r)
        points.append(FixedPoint(*(Quantity.from_exact(sympy.simplify(v), "closed form", dps) for v in (q, f_prime, chi))))
    reason = None
    if not points:
        reason = f"F(q) - q = {sympy.sstr(g.subs(S, sympy.sqrt(Q)))} has no root q >= 0 (exact)"
    return VarianceMap(sw, sb, points, True, method, reason=reason)


def _tail_sign(phi, sw, sb, dps):
    """Sign of G(q) = F(q) - q as q -> oo, with the reason (from the asymptotic slopes)."""
    plus, minus = slopes(phi, dps)
    if plus.status == "infinite" or minus.status == "infinite":
        return 1, "phi grows superlinearly, so F(q) - q -> +oo"
    if not (plus.is_finite and minus.is_finite):
        return None, "the asymptotic slopes are undefined"
    gain = sw * (plus.value**2 + minus.value**2) / 2
    if abs(gain - 1) > mpmath.mpf(10) ** (-dps // 2):
        sign = 1 if gain > 1 else -1
        return sign, f"F(q)/q -> sigma_W^2 (alpha+^2 + alpha-^2)/2 = {mpmath.nstr(gain, 6)}"
    if sb > 0:
        return 1, ("critical slope sigma_W^2 (alpha+^2 + alpha-^2)/2 = 1 and sigma_b^2 > 0: "
                   "F(q) - q -> sigma_b^2 + sigma_W^2 (m2(sqrt q) - q (alpha+^2 + alpha-^2)/2), "
                   "whose correction vanishes like q^(-1/2) when phi approaches its asymptotes integrably")
    return None, "critical slope with sigma_b^2 = 0: the tail sign needs higher-order asymptotics"


def _numeric_fixed_points(phi, sw, sb, dps, q_max):
    stats = _Stats(phi)
    w, b = (mpmath.mpf(sympy.N(v, dps + 15)) for v in (sw, sb))
    exact_m2 = stats.m2_exact is not None
    method = ("numeric: scan of F(q) - q on [0, q_max] (geometric grid), bisection-refined roots, "
              "tail sign from the asymptotic slopes; " + ("closed-form m2" if exact_m2 else "kink-split quadrature"))
    with workdps(dps):
        def g(q):
            s = mpmath.sqrt(q)
            value, error = stats.m2(s, dps) if q else (mpmath.mpf(stats.f(mpmath.mpf(0), stats.f.breakpoints())) ** 2, 0)
            return w * value + b - q, w * error

        grid = [mpmath.mpf(0)] + [mpmath.mpf(10) ** (k / mpmath.mpf(GRID_PER_DECADE))
                                  for k in range(-4 * GRID_PER_DECADE, GRID_PER_DECADE * int(mpmath.log10(q_max)) + 1)]
        values = [g(q) for q in grid]
        points = []
        for (q0, (g0, e0)), (q1, (g1, e1)) in zip(zip(grid, values), zip(grid[1:], values[1:])):
            if g0 == 0:
                points.append(q0)
            elif g0 * g1 < 0:
                points.append(mpmath.findroot(lambda q: g(q)[0], (q0, q1), solver="anderson"))
        sign, tail_reason = _tail_sign(phi, sw, sb, dps)
        if values[-1][0] < 0 and sign == 1:
            tail_reason += f"; WARNING: G < 0 at q_max = {q_max}, a root beyond q_max is expected"
        fixed = []
        for q in points:
            s = mpmath.sqrt(q)
            err_q = abs(g(q)[1]) + mpmath.mpf(10) ** (-dps - 2) * max(1, q)
            slope = stats.dm2_dq(s, dps) if q else (mpmath.mpf(0), mpmath.mpf(0))
            chi = stats.chi(s, dps)
            fixed.append(FixedPoint(Quantity.numeric(+q, err_q, "root of F(q) - q (bracketed)", dps),
                                    Quantity.numeric(+w * slope[0], +w * slope[1], "sigma_W^2 E[Z phi phi'](s)/s (Stein)", dps),
                                    Quantity.numeric(+w * chi[0], +w * chi[1], "sigma_W^2 E[phi'(sZ)^2]", dps)))
        reason = None
        if not fixed:
            low = min(range(len(grid)), key=lambda i: values[i][0] if sign != -1 else -values[i][0])
            reason = (f"F(q) - q keeps one sign on the scanned grid [0, {q_max}] (extreme "
                      f"{mpmath.nstr(values[low][0], 6)} at q = {mpmath.nstr(grid[low], 6)}) and in the tail: "
                      f"{tail_reason}.  Numeric evidence, not a proof")
    return VarianceMap(sw, sb, fixed, False, method, reason=reason, notes=[tail_reason])


def edge_of_chaos(phi, qs, dps=20):
    """Points ``(q*, sigma_W^2, sigma_b^2)`` with ``chi_1 = 1`` at the fixed point q*.

    ``sigma_W^2 = 1 / E[phi'(sqrt q Z)^2]`` and ``sigma_b^2 = q - sigma_W^2 m2(sqrt q)``;
    values of q that would need ``sigma_b^2 < 0`` are left out.
    """
    stats = _Stats(activation_expr(phi))
    curve = []
    with workdps(dps):
        for q in qs:
            q = mpmath.mpf(sympy.N(exact_number(q, "q"), mpmath.mp.dps))
            s = mpmath.sqrt(q)
            chi, m2 = stats.chi(s, dps)[0], stats.m2(s, dps)[0]
            sw = 1 / chi
            sb = q - sw * m2
            if sb >= -mpmath.mpf(10) ** (-dps):
                curve.append((+q, +sw, +max(sb, 0)))
    return curve


# ------------------------------------------------------------- Lyapunov constants

def derivative_range(phi, dps=20, search=30):
    """``(inf phi', sup phi', method)``: one-sided values at breakpoints, limits at +-oo,
    and interior critical points of phi' (sign changes of phi'' on a grid over
    [-search, search], refined by bisection).  Exact for piecewise-linear phi."""
    pieces = decompose(activation_expr(phi))
    dpieces = pieces.diff()
    candidates, exact = [], True
    for i, p in enumerate(dpieces.pieces):
        expr = p.expr
        if not expr.has(x):
            candidates.append(expr)
            continue
        exact = False
        for end in (p.lo, p.hi):
            value = dpieces.one_sided(i, end) if end not in (oo, -oo) else attempt(sympy.limit, expr, x, end, seconds=3)
            if value is None or not value.is_finite:
                return (-oo if value == -oo else None), (oo if value == oo else None), "phi' is unbounded"
            candidates.append(value)
        d2 = sympy.lambdify(x, sympy.diff(expr, x), "mpmath")
        d1 = sympy.lambdify(x, expr, "mpmath")
        with workdps(dps):
            lo = max(mpmath.mpf(sympy.N(p.lo, 30)) if p.lo != -oo else -search, -search)
            hi = min(mpmath.mpf(sympy.N(p.hi, 30)) if p.hi != oo else search, search)
            grid = mpmath.linspace(lo, hi, 400)[1:-1]
            for a, c in zip(grid, grid[1:]):
                if mpmath.sign(d2(a)) * mpmath.sign(d2(c)) < 0:
                    root = mpmath.findroot(d2, (a, c), solver="anderson")
                    candidates.append(sympy.Float(d1(root), dps))
    values = [sympy.nsimplify(v) if exact else v for v in candidates]
    method = "exact (piecewise-constant phi')" if exact else (
        f"numeric: one-sided values, limits at +-oo, critical points of phi' found on [-{search}, {search}]")
    return min(values, key=float), max(values, key=float), method


@dataclass(frozen=True)
class Lyapunov:
    a: object
    b: object
    lipschitz: object
    contraction: dict
    primitive: dict
    method: str

    def as_dict(self):
        return {"a": str(self.a), "b": str(self.b), "Lip": str(self.lipschitz), "method": self.method,
                "contraction": {k: str(v) for k, v in self.contraction.items()},
                "primitive": {k: str(v) for k, v in self.primitive.items()}}


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
    phi = activation_expr(phi)
    a, b = exact_number(a, "a"), exact_number(b, "b")
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
                       "reason": f"|a| Lip(phi) = {sympy.N(rate, 8)} >= 1: no contraction certificate"}
    inf_slope = a * low if a > 0 else a * high
    beta = 1 - inf_slope
    primitive = {"beta": beta}
    if beta < 2:
        primitive.update(holds=True, descent=1 - beta / 2)
    else:
        primitive.update(holds=False, reason=f"inf(a phi') = {sympy.N(inf_slope, 8)} <= -1, so sup E'' >= 2: "
                         "the unit gradient step may not decrease E")
    return Lyapunov(a, b, lip, contraction, primitive, method)


# ------------------------------------------------------------- kernel bound

@dataclass(frozen=True)
class KernelBound:
    rms: Quantity          # sup A/G over the range
    mean_square: Quantity  # sup A/G^2
    argmax_rms: object
    argmax_mean_square: object
    sigma_range: tuple
    at_endpoint: dict

    def as_dict(self):
        return {"C_rms": self.rms.as_dict(), "C_mean_square": self.mean_square.as_dict(),
                "argmax_rms": mpmath.nstr(self.argmax_rms, 6),
                "argmax_mean_square": mpmath.nstr(self.argmax_mean_square, 6),
                "sigma_range": [str(s) for s in self.sigma_range], "at_endpoint": self.at_endpoint}


def kernel_bound(phi, sigma_min="0.02", sigma_max=10, points=49, dps=15):
    """Smallest C with ``|x^T H y| <= C g2(|x|) g2(|y|) |x| |y|``, ``H = d_x d_y^T K``.

    ``K(x, y) = E_w[phi(w.x) phi(w.y)]``.  By Cauchy-Schwarz ``|x^T H y| <= |x||y|
    sqrt(A(|x|) A(|y|))`` with ``A(s) = E[phi'(sZ)^2 Z^2]``, with equality at x = y, so the
    sharp constant is ``sup A/G`` for the RMS ``g2 = sqrt(G)``, ``G = E[phi'(sZ)^2]``,
    and ``sup A/G^2`` for the mean-square reading.  The sup is over a log grid of
    sigma in [sigma_min, sigma_max], refined by golden-section search; whether it
    sits at an end of the range is reported (the true sup may then lie beyond).
    """
    stats = _Stats(activation_expr(phi))
    lo, hi = exact_number(sigma_min, "sigma_min"), exact_number(sigma_max, "sigma_max")
    if not (0 < lo < hi):
        raise DomainError("need 0 < sigma_min < sigma_max")
    dp = stats.df.breakpoints

    def ratios(s):
        points_ = dp()
        a_val, a_err = stats._expect(lambda u: stats.df(u, points_) ** 2 * (u / s) ** 2, s, dps)
        g_val, g_err = stats.chi(s, dps)
        rel = a_err / a_val + g_err / g_val
        return a_val / g_val, a_val / g_val**2, rel

    results, argmax, ends = {}, {}, {}
    with workdps(dps):
        grid = [mpmath.mpf(sympy.N(lo, mpmath.mp.dps)) * (mpmath.mpf(sympy.N(hi / lo, mpmath.mp.dps))) ** (mpmath.mpf(i) / (points - 1))
                for i in range(points)]
        table = [ratios(s) for s in grid]
        for index, name in ((0, "rms"), (1, "mean_square")):
            best = max(range(points), key=lambda i: table[i][index])
            ends[name] = best in (0, points - 1)
            s_best, value, rel = grid[best], table[best][index], table[best][2]
            if not ends[name]:
                s_best, value = _golden_max(lambda s: ratios(s)[index], grid[best - 1], grid[best + 1], dps)
            results[name] = Quantity.numeric(+value, +(rel * value + mpmath.mpf(10) ** (-dps // 2) * value),
                                             "max over a log grid + golden section of kink-split quadratures", dps)
            argmax[name] = +s_best
    return KernelBound(results["rms"], results["mean_square"], argmax["rms"], argmax["mean_square"], (lo, hi), ends)


def _golden_max(func, a, c, dps):
    ratio = (mpmath.sqrt(5) - 1) / 2
    x1, x2 = c - ratio * (c - a), a + ratio * (c - a)
    f1, f2 = func(x1), func(x2)
    while c - a > mpmath.mpf(10) ** (-dps // 2) * c:
        if f1 < f2:
            a, x1, f1 = x1, x2, f2
            x2 = a + ratio * (c - a)
            f2 = func(x2)
        else:
            c, x2, f2 = x2, x1, f1
            x1 = c - ratio * (c - a)
            f1 = func(x1)
    return (x1, f1) if f1 > f2 else (x2, f2)
