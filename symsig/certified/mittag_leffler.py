"""Certified Mittag-Leffler and Prabhakar balls: the finite hypergeometric sum for rational a
(gamma = 1), else the series with a proven remainder."""

import math

import sympy

from ..errors import InputError
from ..precision import check_dps, engine_call, exact_number
from .ball import Ball, ComplexBall, GUARD_BITS, KEPT_DIGITS, NotCertified, _flint, _precision, _real
from .translate import _number

#: the largest cancellation (log2 of the largest series term over 1) a Mittag-Leffler ball absorbs
MAX_CANCELLATION_BITS = 2**16
#: the most series terms summed, and the largest p, q of a = p/q on the hypergeometric path
ML_MAX_TERMS, ML_MAX_PQ = 50_000, 32
ML_METHODS = ("auto", "series", "hypergeometric")


def _log_term(k, a, b, g, log_size):
    """log |(g)_k z^k / (k! Gamma(a k + b))| in floats, or None where 1/Gamma(a k + b) = 0."""
    arg = a * k + b
    if arg <= 0 and arg == math.floor(arg):
        return None
    coefficient = math.lgamma(g + k) - math.lgamma(g) - math.lgamma(k + 1) if g != 1 else 0.0
    return k * log_size - math.lgamma(arg) + coefficient


def _hump(a, b, g, size):
    """The k near which |t_k| peaks: a k + b ~ |z|^(1/a) for g = 1; for g != 1 the last k
    where the term ratio |z| (g + k)/(k + 1) Gamma(x)/Gamma(x + a), x = a k + b, reaches 1
    (bisection in floats, the ratio decreasing for large k)."""
    if g == 1:
        return max(0.0, (size ** (1 / a) - b) / a)
    log_size = math.log(size)
    start = max(0.0, math.floor(-b / a) + 1)  # the first k with a k + b > 0

    def rising(k):
        x = a * k + b
        return log_size + math.log((g + k) / (k + 1)) + math.lgamma(x) - math.lgamma(x + a) > 0

    lo, hi = start, start + 1.0
    while rising(hi):
        lo, hi = hi, 2 * hi
        if hi > 1e16:
            return math.inf
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rising(mid) else (lo, mid)
    return lo


def _largest_term_bits(a, b, z, g=1.0):
    """log2 of the largest |(g)_k z^k / (k! Gamma(a k + b))| and the k where it lies (a float
    estimate: it only picks the precision; the balls carry the proof)."""
    size = abs(z)
    if size == 0:
        return 0.0, 0
    try:
        hump = _hump(a, b, g, size)
    except OverflowError:
        return math.inf, math.inf
    if hump > 1e15:
        return math.inf, math.inf
    best, log_size = 0.0, math.log(size)
    for k in {*range(min(int(hump), 64) + 1), *range(max(0, int(hump) - 2), int(hump) + 3)}:
        log_term = _log_term(k, a, b, g, log_size)
        if log_term is not None:
            best = max(best, log_term / math.log(2))
    return best, hump


def _ml_series(a, b, z, rational, bits, g=None):
    """sum_k (g)_k z^k / (k! Gamma(a k + b)) in acb plus a proven bound of the remainder
    (``g = None``: g = 1, the two-parameter function).

    From the first k with ``x_k = a k + b > 0``, ``|t_(j+1) / t_j| = |z| (g + j)/(j + 1)
    Gamma(x_j) / Gamma(x_j + a)`` is at most ``r = |z| max(1, (g + k)/(k + 1)) Gamma(x_k) /
    Gamma(x_k + a)`` for every j >= k: ``log Gamma(x + a) - log Gamma(x)`` increases on x > 0
    (digamma increases), and for g >= 0, ``(g + j)/(j + 1) = 1 + (g - 1)/(j + 1)`` decreases in j
    when g >= 1 and stays below 1 when g < 1.  When r < 1 the remainder is at most
    ``|t_k| / (1 - r)``.  For a = p/q the reciprocal Gammas follow
    ``1/Gamma(x + p) = 1/Gamma(x) / (x)_p`` once x > 0.
    """
    flint = _flint()
    arb, acb = flint.arb, flint.acb
    size = abs(z)
    tol_bits = bits - 16  # the stop: remainder below 2^-tol_bits |partial sum|
    total, power, coefficient, last = acb(0), acb(1), arb(1), []
    real = z.imag == 0
    for k in range(ML_MAX_TERMS):
        if rational is not None:
            p, q = rational
            x_k = arb(flint.fmpq(p * k, q) + b)
            previous = last[-q] if k >= q else None
            if previous is not None and bool(previous[0] > 0):
                gamma_inv = previous[1] / previous[0].rising(p)
            else:
                gamma_inv = x_k.rgamma()
            last = (last + [(x_k, gamma_inv)])[-q:]
        else:
            x_k = a * k + b
            gamma_inv = x_k.rgamma()
        if not real:  # z^k by squaring: a product of rectangles grows by (|Re z| + |Im z|) / |z| per factor
            power = z ** k
        term = power * gamma_inv if g is None else power * (coefficient * gamma_inv)
        if bool(x_k > 0):
            magnitude = abs(term).upper()
            tol = arb(2) ** (-tol_bits) * abs(total).mid() if total != 0 else arb(0)
            if magnitude <= tol or magnitude < arb(2) ** (-2 * bits):
                with _precision(64):  # r is an upper bound at any precision
                    ratio = size * (x_k.lgamma() - (x_k + a).lgamma()).exp()
                    if g is not None:
                        growth = ((g + k) / (k + 1)).upper()
                        ratio *= growth if bool(growth > 1) else 1
                if bool(ratio < 1):
                    remainder = (magnitude / (1 - ratio)).upper()
                    return total + acb(arb(0, remainder), arb(0, remainder) if z.imag != 0 else 0), k
        total += term
        if real:
            power *= z
        if g is not None:
            coefficient *= (g + k) / (k + 1)  # (g)_(k+1)/(k+1)! = (g)_k/k! (g + k)/(k + 1)
    raise NotCertified(f"the series did not reach its proven remainder within {ML_MAX_TERMS} terms")


def _ml_hypergeometric(p, q, b, z):
    """E_{p/q,b}(z) = sum_{r<q} z^r (2 pi)^((p-1)/2) p^(1/2 - c_r) 1F_p~(1; (c_r + j)/p, j < p; z^q / p^p),
    c_r = p r / q + b, 1F_p~ regularized: split k = q m + r and apply Gauss's multiplication
    prod_j Gamma(y + j/p) = (2 pi)^((p-1)/2) p^(1/2 - p y) Gamma(p y) at y = m + c_r / p."""
    flint = _flint()
    arb, acb = flint.arb, flint.acb
    w = z ** q / acb(p) ** p
    total = acb(0)
    for r in range(q):
        c = arb(flint.fmpq(p * r, q)) + b
        factor = (2 * arb.pi()) ** (arb(p - 1) / 2) * arb(p) ** (arb(1) / 2 - c)
        total += z ** r * factor * w.hypgeom([acb(1)], [acb((c + j) / p) for j in range(p)], regularized=True)
    return total


def _ml_accurate(value, dps):
    flint = _flint()
    tol = flint.arb(10) ** (-dps) * abs(value).lower()
    return value.is_finite() and bool(tol > 0) and all(bool(part.rad() <= tol) for part in (value.real, value.imag))


@engine_call
def certified_mittag_leffler(a, b, z, dps=30, method="auto", gamma=1):
    """``E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b))`` (``g = gamma``; g = 1 is
    ``E_{a,b}``) as a :class:`Ball` (real z) or a :class:`ComplexBall`, accurate to ``dps``
    digits, or :class:`NotCertified` with the reason.

    ``a >= 0``, ``b`` and ``gamma >= 0`` real exact numbers (strings are exact decimals, floats
    their binary value).  Paths: ``a = 0`` the closed form ``(1 - z)^-g / Gamma(b)``;
    ``g = 0`` the closed form ``1 / Gamma(b)``; rational ``a = p/q`` (p, q <= 32, g = 1) the finite
    sum of regularized 1F_p that Arb evaluates rigorously (:func:`_ml_hypergeometric`); else the
    series with a proven remainder (:func:`_ml_series`).  The working precision is raised by the
    size of the largest series term (the cancellation at negative z), up to ``MAX_CANCELLATION_BITS``.

    >>> str(certified_mittag_leffler("1/2", 1, -5, dps=15))  # exp(25) erfc(5)
    '[0.11070463773306862637 +/- 3.5e-22]'
    >>> str(certified_mittag_leffler(1, 2, "1.5", dps=15, gamma=2))  # E^2_{1,2}(z) = exp(z)
    '[4.4816890703380648226 +/- 6.3e-20]'
    """
    dps = check_dps(dps)
    if method not in ML_METHODS:
        raise InputError(f"method must be one of {', '.join(ML_METHODS)}; got {method!r}")
    flint = _flint()
    a_exact, b_exact, g_exact = exact_number(a, "alpha"), exact_number(b, "beta"), exact_number(gamma, "gamma")
    z_re, z_im = exact_number(z, "z").as_real_imag()
    for name, value in (("alpha", a_exact), ("beta", b_exact), ("gamma", g_exact)):
        if not value.is_real:
            raise InputError(f"{name} must be real, got {value}")
    for name, value in (("alpha", a_exact), ("gamma", g_exact)):
        if value < 0:
            raise InputError(f"{name} must be >= 0, got {value}")
    prabhakar = g_exact != 1
    rational = (int(a_exact.p), int(a_exact.q)) if a_exact.is_Rational and a_exact > 0 else None
    if a_exact == 0 or g_exact == 0:
        path = "closed form"
    elif method == "hypergeometric" or (method == "auto" and rational and max(rational) <= ML_MAX_PQ
                                        and not prabhakar):
        if rational is None or prabhakar:
            raise NotCertified(f"the hypergeometric form needs a rational alpha and gamma = 1, "
                               f"got alpha = {a_exact}, gamma = {g_exact}")
        path = "hypergeometric"
    else:
        path = "series"
    z_approx = complex(sympy.N(z_re, 20), sympy.N(z_im, 20))
    g_float = float(g_exact)
    cancel, hump = (_largest_term_bits(float(a_exact), float(b_exact), z_approx, g_float)
                    if path != "closed form" else (0.0, 0))
    base = int(dps * 3.33) + GUARD_BITS + (int(hump).bit_length() if path == "series" else 0)
    beyond = cancel > MAX_CANCELLATION_BITS
    name = f"E^{g_exact}_{{{a_exact},{b_exact}}}" if prabhakar else f"E_{{{a_exact},{b_exact}}}"
    if path == "series" and (beyond or hump > ML_MAX_TERMS):
        raise NotCertified(f"the series terms of {name}({z_re + sympy.I * z_im}) reach "
                           f"2^{cancel:.3g} near k = {hump:.3g}: beyond the caps of {MAX_CANCELLATION_BITS} "
                           f"guard bits and {ML_MAX_TERMS} terms")
    extra = 0 if beyond else math.ceil(max(cancel, 0))
    for attempt in range(3):
        bits = base * 2 ** attempt + extra
        with _precision(bits):
            zz = flint.acb(_number(z_re), _number(z_im))
            b_arb = _number(b_exact)
            if g_exact == 0:  # (0)_k = 0 for k >= 1
                value = flint.acb(b_arb.rgamma())
                how = "closed form 1/Gamma(b) (gamma = 0) in Arb"
            elif path == "closed form":
                value = b_arb.rgamma() * (1 - zz) ** flint.acb(-_number(g_exact))
                how = f"closed form (1 - z)^-{g_exact}/Gamma(b) in Arb" if prabhakar else \
                    "closed form 1/(Gamma(b) (1 - z)) in Arb"
            elif path == "hypergeometric":
                p, q = rational
                value = _ml_hypergeometric(p, q, b_arb, zz)
                how = f"hypergeometric: {q} regularized 1F{p} in Arb (a = {p}/{q})"
            else:
                value, terms = _ml_series(_number(a_exact), b_arb, zz, rational, bits,
                                          _number(g_exact) if prabhakar else None)
                how = f"series: {terms} terms + proven geometric remainder"
            if _ml_accurate(value, dps):
                limit = flint.arb(2) ** MAX_CANCELLATION_BITS
                if not bool(abs(value) < limit) or not bool(abs(value) * limit > 1):
                    raise NotCertified(f"|E| = {abs(value).mid().str(3, radius=False)} lies outside the range "
                                       f"2^-{MAX_CANCELLATION_BITS} .. 2^{MAX_CANCELLATION_BITS} of a decimal Ball")
                digits = dps + KEPT_DIGITS
                method_text = f"{how}, {bits} bits"
                if z_im == 0:
                    return Ball.from_arb(_real(value, f"{name}(z)"), digits, method_text)
                return ComplexBall(Ball.from_arb(value.real, digits), Ball.from_arb(value.imag, digits), method_text)
    if beyond:
        raise NotCertified(f"cancellation: the series terms reach 2^{cancel:.3g} (near k = {hump:.3g}), "
                           f"beyond the cap of {MAX_CANCELLATION_BITS} guard bits")
    raise NotCertified(f"no ball accurate to {dps} digits at up to {bits} bits")
