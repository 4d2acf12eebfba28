"""``E_{a,b}(z)`` on arrays of z in double precision, each point with an error estimate.

Three vectorised paths, tried in turn on the points not yet accepted:

* **series** ``sum c_k z^k`` by Horner where ``sum |c_k z^k| / |E|`` is small; error: the
  Horner roundings ``eps |p_i| |z|^i`` added in squares (an estimate, as in :mod:`.numeric`)
  plus a geometric tail bound;
* **asymptotic**: the exponential residues plus ``-sum z^-k / Gamma(b - a k)`` cut at the
  minimum of its envelope ``|z|^-k Gamma(1 + a k - b) / pi``, as in :mod:`.numeric`;
* **contour**: the trapezoidal rule on the parabola ``s = mu (1 + i u)^2`` (Garrappa's
  contour, SIAM J. Numer. Anal. 53 (2015); mu small, so the integrand stays near |E|) plus
  the residues of the poles right of it; the step h is checked against h/2, and the
  difference, the per-node roundings and the cut tails make the error.

The coefficients ``1/Gamma(a k + b)`` and ``1/Gamma(b - a k)`` come from the exact a and b,
correctly rounded; the residues ``s^(1-b) e^s / a`` are computed with mpmath from the exact
a, b, z (in doubles e^s inherits the rounding of ``|z|^(1/a)`` times |s|); the contour
integrand uses a and a - b as double-doubles.  A point is accepted when its estimate is at
most ``rtol |E|``; the caller evaluates the others with the arbitrary-precision paths.
"""

import math

import mpmath
import numpy as np

from ..precision import at_digits, mp

EPS = 2.0 ** -52
MAX_SERIES_TERMS = 400
MAX_ASYMPTOTIC_TERMS = 400
MAX_NODES = 1500      # trapezoidal nodes per side at step h/2; beyond, the point falls back
CHUNK = 256           # points per 2-D block (points x terms): bounds memory
LEVEL = 38.0          # ln of the discretisation/truncation target relative to the integrand size
MU_CHOICES = (0.125, 0.25, 0.0625, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
# The residues need a few digits more than doubles.  Opening a private context costs more
# than a whole double-precision point, so fast.py keeps its own (never the global mpmath.mp);
# its precision is set before every use, and the engine lock serialises the calls.
_RESIDUE_CONTEXT = mpmath.MPContext()
PATHS = ("float series", "float asymptotic", "float contour", "float closed form")


class Coefficients:
    """Double-precision data of one (a, b): correctly rounded ``1/Gamma(a k + b)`` and
    ``1/Gamma(b - a k)``, their logs, a and a - b to twice double precision."""

    def __init__(self, a_at, b_at):
        with at_digits(40):
            a, b = a_at(), b_at()
            self.a_exact, self.b_exact = a, b  # 40 digits: exact enough for the residues
            self.alpha, self.beta = float(a), float(b)
            # a and a - b as double-doubles: the contour integrand uses s^a and s^(a-b)
            self.alpha_low = float(a - self.alpha)
            self.power = float(a - b)
            self.power_low = float(a - b - self.power)
            series = [mp.rgamma(a * k + b) for k in range(MAX_SERIES_TERMS + 2)]
            algebraic = [mp.rgamma(b - a * k) for k in range(MAX_ASYMPTOTIC_TERMS + 1)]
            self.series = np.array([float(c) for c in series])
            self.log_series = np.array([float(mp.log(abs(c))) if c else -np.inf for c in series])
            self.algebraic = np.array([float(c) for c in algebraic])


def evaluate(coef, z, rtol):
    """(value, error, path index, accepted) arrays for the complex128 points ``z``."""
    value = np.zeros(z.shape, complex)
    error = np.full(z.shape, np.inf)
    path = np.full(z.shape, -1)
    if coef.alpha == 0:
        _accept(value, error, path, np.ones(z.shape, bool), *_closed_form(coef, z), 3, rtol)
    else:
        for start in range(0, z.size, CHUNK):
            block = slice(start, start + CHUNK)
            _evaluate_block(coef, z[block], rtol, value[block], error[block], path[block])
    return value, error, path, path >= 0


def _evaluate_block(coef, z, rtol, value, error, path):
    alpha = coef.alpha
    size = np.abs(z)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        radius = np.where(size > 0, size ** (1 / alpha), 0.0)
        theta = np.angle(z)
        # cancellation of the series: its terms reach ~ e^r, |E| ~ e^(r cos(theta/a)) inside
        # the sector of the exponential residue, ~ 1/|z| outside
        inside = np.abs(theta) < alpha * np.pi
        loss = np.where(inside, radius * (1 - np.cos(np.minimum(np.abs(theta) / alpha, np.pi))),
                        radius + np.log(np.maximum(size, 1.0)))
    stages = (((loss <= 4) & (radius <= 60), _series), (radius >= 12, _asymptotic),
              (np.ones(z.shape, bool), _contour))
    for index, (candidates, method) in enumerate(stages):
        todo = candidates & (path < 0)
        if todo.any():
            _accept(value, error, path, todo, *method(coef, z[todo], radius[todo], theta[todo]),
                    index, rtol)


def _accept(value, error, path, todo, v, e, index, rtol):
    good = np.isfinite(v) & np.isfinite(e) & (e <= rtol * np.abs(v))
    where = np.flatnonzero(todo)[good]
    value[where], error[where], path[where] = v[good], e[good], index


def _closed_form(coef, z):
    """E_{0,b}(z) = 1/(Gamma(b)(1 - z)); z = 1 is left to the caller (a pole)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        v = coef.series[0] / (1 - z)
        return v, np.abs(v) * (4 * EPS + EPS * (1 + np.abs(z)) / np.abs(1 - z))


def _series(coef, z, radius, theta):
    size = np.abs(z)
    log_size = np.log(np.maximum(size, 1e-300))
    k = np.arange(MAX_SERIES_TERMS + 1)
    ak = coef.alpha * k + coef.beta
    # stop at K: terms 40 e-folds below their peak, a k + b > 1 and ratio bound rho < 1/2
    # for every later term (Gamma(x)/Gamma(x + a) decreases for x > 0)
    logs = coef.log_series[:-1][None, :] + k[None, :] * log_size[:, None]
    ratio = size[:, None] * np.exp(coef.log_series[1:] - coef.log_series[:-1])[None, :]
    peak = np.maximum.accumulate(logs, axis=1)
    stop = (logs < peak - 40) & (ak > 1)[None, :] & (ratio < 0.5)
    found = stop.any(axis=1)
    last = int(np.argmax(stop, axis=1)[found].max()) if found.any() else 0
    # Horner step i rounds p_i = p_(i+1) z + c_i by ~eps |p_i|, which reaches the sum times
    # |z|^i; independent roundings add in squares (an estimate, as in .numeric), the
    # largest is counted twice more
    total = np.full(z.shape, coef.series[last], complex)
    squares = np.abs(total * size ** last) ** 2
    biggest = np.sqrt(squares)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(last - 1, -1, -1):
            total = total * z + coef.series[i]
            weighted = np.abs(total) * size ** i
            squares += weighted ** 2
            biggest = np.maximum(biggest, weighted)
        rho = ratio[:, last]
        tail = np.exp(logs[:, last]) * rho / (1 - rho)
        e = EPS * (4 * np.sqrt(squares) + 2 * biggest) + tail
        e = np.where(found & (rho < 0.5), e, np.inf)
    return total, e


def _exponential(coef, z, radius, theta, mu=None):
    """Residues (1/a) s^(1-b) e^s, s = r e^(i (theta + 2 pi j)/a), |theta + 2 pi j| < a pi;
    with ``mu``, only those right of the parabola s = mu (1 + iu)^2 (r cos^2(phi/2) > mu).

    In doubles, e^s would inherit the rounding of r = |z|^(1/a) times |s| (1e-13 at
    r = 14): the few residues are computed from the exact a, b, z with mpmath and rounded
    once; error eps per residue."""
    alpha = coef.alpha
    poles = []
    reach = math.ceil(alpha / 2) + 1
    for j in range(-reach, reach + 1):
        angle = theta + 2 * np.pi * j
        on = (np.abs(angle) < alpha * np.pi) & (radius * np.cos(angle / alpha) < 700)
        if mu is not None:
            on &= radius * np.cos(angle / alpha / 2) ** 2 > mu
        poles += [(i, j) for i in np.flatnonzero(on)]
    total = np.zeros(z.shape, complex)
    absolute = np.zeros(z.shape)
    if poles:
        ctx = _RESIDUE_CONTEXT
        ctx.dps = 22 + int(math.log10(1 + max(radius[i] for i, _ in poles)))
        a, b = ctx.convert(coef.a_exact), ctx.convert(coef.b_exact)
        for i, j in poles:
            point = ctx.mpc(z[i].real, z[i].imag)
            s = abs(point) ** (1 / a) * ctx.expj((ctx.arg(point) + 2 * ctx.pi * j) / a)
            term = complex(s ** (1 - b) * ctx.exp(s) / a)
            total[i] += term
            absolute[i] += abs(term)
    # beyond e^700 the point has no double value: inf, not accepted
    total[(np.abs(theta) < alpha * np.pi) & (radius * np.cos(theta / alpha) >= 700)] = np.inf
    return total, EPS * absolute


def _asymptotic(coef, z, radius, theta):
    alpha, beta = coef.alpha, coef.beta
    exponential, exp_error = _exponential(coef, z, radius, theta)
    k = np.arange(1, MAX_ASYMPTOTIC_TERMS + 1)
    x = 1 + alpha * k - beta
    log_size = np.log(np.abs(z))
    with np.errstate(invalid="ignore"):
        log_env = np.where(x > 0, -k[None, :] * log_size[:, None]
                           + np.array([math.lgamma(v) if v > 0 else 0.0 for v in x])[None, :] - math.log(math.pi),
                           np.inf)
    inverse = 1 / z
    powers = np.cumprod(np.broadcast_to(inverse[:, None], (z.size, MAX_ASYMPTOTIC_TERMS)), axis=1)
    with np.errstate(invalid="ignore", under="ignore"):
        terms = powers * coef.algebraic[1:][None, :]
    reference = np.abs(exponential) + np.abs(terms).max(axis=1)
    valid = (x > 1)[None, :]
    # the envelope is log-convex in k once x > 1: cut where it starts to grow or is negligible
    grows = valid & (np.diff(log_env, axis=1, append=np.inf) > 0)
    small = valid & (log_env < np.log(np.maximum(reference, 1e-300))[:, None] - 40)
    stop = grows | small
    found = stop.any(axis=1)
    count = np.where(found, np.argmax(stop, axis=1) + 1, MAX_ASYMPTOTIC_TERMS)
    terms = np.where(k[None, :] <= count[:, None], terms, 0)
    algebraic = -terms.sum(axis=1)
    envelope = np.exp(log_env[np.arange(z.size), count - 1])
    beyond = np.exp(-radius) * np.maximum(1, radius ** (1 - beta)) / alpha  # Stokes-line terms
    # z^-k carries ~k roundings; the sum one more per term
    roundoff = EPS * (np.abs(terms) * (k + 2)[None, :]).sum(axis=1)
    e = envelope + beyond + roundoff + exp_error
    return exponential + algebraic, np.where(found, e, np.inf)


def _contour(coef, z, radius, theta):
    alpha, beta = coef.alpha, coef.beta
    n = z.size
    mu, step, width, ok = np.empty(n), np.empty(n), np.empty(n), np.ones(n, bool)
    for i in range(n):
        levels = _levels(alpha, float(radius[i]), float(theta[i]))
        choice = _parameters(levels, max(0.0, 2 * (alpha - beta) + 1))
        if choice is None:
            ok[i] = False
            mu[i], step[i], width[i] = 1.0, 1.0, 1.0
        else:
            mu[i], step[i], width[i] = choice
    nodes = np.ceil(width / step * 2).astype(int)  # at step h/2
    ok &= nodes <= MAX_NODES
    top = int(nodes[ok].max()) if ok.any() else 0
    k = np.arange(-top, top + 1)
    u = k[None, :] * (step[:, None] / 2)
    used = (np.abs(k)[None, :] <= nodes[:, None]) & ok[:, None]
    w = 1 + 1j * u
    s = mu[:, None] * w * w
    power = coef.power
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_s = np.log(s)
        # s^x = e^(x_high log s) (1 + x_low log s): the parameters' rounding does not enter
        sa = np.exp(alpha * log_s) * (1 + coef.alpha_low * log_s)
        denominator = sa - z[:, None]
        f = np.exp(s + power * log_s) * (1 + coef.power_low * log_s) / denominator \
            * (mu[:, None] * w / np.pi)
        f = np.where(used, f, 0)
        magnitude = np.abs(f)
        # rounding of s, s^a and the subtraction s^a - z, per node
        condition = 8 + np.abs(s) + abs(power) * np.abs(log_s) \
            + np.abs(sa) / np.abs(denominator) * (2 + alpha * np.abs(log_s))
        half = step / 2
        fine = half * f.sum(axis=1)
        coarse = step * f[:, top % 2::2].sum(axis=1)  # the nodes k h/2 with k even
        # independent roundings per node add in squares (an estimate); the summation's
        # rounding, ~eps of the absolute sum, is added
        roundoff = half * EPS * (4 * np.sqrt(((magnitude * condition) ** 2).sum(axis=1))
                                 + 2 * magnitude.sum(axis=1))
        edge = np.minimum(nodes, top)
        ends = half * (magnitude[np.arange(n), top - edge] + magnitude[np.arange(n), top + edge]) * 10
    residue, residue_error = _exponential(coef, z, radius, theta, mu)
    value = fine + residue
    e = np.abs(fine - coarse) + roundoff + ends + residue_error
    return value, np.where(ok, e, np.inf)


def _levels(alpha, radius, theta):
    """r cos^2(phi/2) for the poles s = r e^(i phi) of s^a - z in the principal sheet."""
    levels = []
    reach = math.ceil(alpha / 2) + 1
    for j in range(-reach, reach + 1):
        angle = theta + 2 * math.pi * j
        if abs(angle) < alpha * math.pi and radius > 0:
            levels.append(radius * math.cos(angle / alpha / 2) ** 2)
    return levels


def _parameters(levels, growth):
    """(mu, h, half-width of the u-range) for the parabola s = mu (1 + i u)^2, or None.

    The poles map to Im u = 1 - sqrt(level / mu), the origin to Im u = 1.  A small mu keeps
    the integrand near the size of E (at mu = 2 its absolute sum is ~20 |E| at
    E_{0.8,1}(-10), at mu = 1/4 ~2.5 |E|), so mu is the first of a few values, smallest
    first, that keeps every pole 0.4 away from the real u axis.  The trapezoidal error from a
    strip of half-width d is ~ e^(mu (1 -+ d)^2 - 2 pi d / h) above / below against an
    integrand of size e^mu; the nodes stop where e^(mu (1 - u^2)) |u|^growth is negligible.
    """
    def distance(mu):
        return min([1.0] + [abs(1 - math.sqrt(v / mu)) for v in levels])

    mu = max(MU_CHOICES, key=distance)
    for choice in MU_CHOICES:
        if distance(choice) >= 0.4:
            mu = choice
            break
    above = [1 - math.sqrt(v / mu) for v in levels if v < mu]
    below = [math.sqrt(v / mu) - 1 for v in levels if v > mu]
    up = 0.9 * min([1.0] + above)
    down = min([math.sqrt(LEVEL / mu)] + [0.9 * d for d in below])
    if up <= 0.05 or down <= 0.05:
        return None
    step = min(2 * math.pi * up / (LEVEL + mu), 2 * math.pi * down / (LEVEL + mu * (2 * down + down ** 2)))
    return mu, step, math.sqrt(1 + (LEVEL + 8 + 3 * growth) / mu)
