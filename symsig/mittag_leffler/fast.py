"""``E_{a,b}(z)`` on arrays of z in double precision, each point with an error estimate.

Vectorised paths, tried in turn on the points not yet accepted:

* **series** ``sum c_k z^k`` where ``sum |c_k z^k| / |E|`` is small, summed from the last
  term down (the partial sums are Horner's); error: the roundings ``eps |p_i| |z|^i`` added
  in squares (an estimate, as in :mod:`.numeric`) plus a geometric tail bound;
* **asymptotic**: the exponential residues plus ``-sum z^-k / Gamma(b - a k)`` cut at the
  minimum of its envelope ``|z|^-k Gamma(1 + a k - b) / pi``, as in :mod:`.numeric`;
* **contour**: the trapezoidal rule on the parabola ``s = mu (1 + i u)^2`` (Garrappa's
  contour, SIAM J. Numer. Anal. 53 (2015); mu small, so the integrand stays near |E|) plus
  the residues of the poles right of it; the step h is checked against h/2, and the
  difference, the per-node roundings and the cut tails make the error.  Points with the
  same (mu, h, N) share every factor of the integrand but ``1/(s^a - z)``; real z use the
  nodes u >= 0 only (the integrand at -u is the conjugate);
* **wide series**, point by point where the doubles cancel (|z|^(1/a) <= 60): the series in
  integers (z and 50-digit coefficients as exact binary fractions), with a rigorous bound.

The coefficients ``1/Gamma(a k + b)`` and ``1/Gamma(b - a k)`` come from the exact a and b,
correctly rounded; the residues ``s^(1-b) e^s / a`` are computed in extended precision
(in doubles e^s inherits the rounding of ``|z|^(1/a)`` times |s|); the contour integrand uses
a and a - b as double-doubles.  A point is accepted when its estimate is at most
``rtol |E|``; the caller evaluates the others with the arbitrary-precision paths.  Every
value and error depends on its own point alone, not on the other points of the array.
"""

import math

import numpy as np

from ..precision import at_digits, mp

EPS = 2.0 ** -52
MAX_SERIES_TERMS = 400
MAX_ASYMPTOTIC_TERMS = 400
MAX_NODES = 1500      # trapezoidal nodes per side at step h/2; beyond, the point falls back
NODE_CACHE = 64       # node sets kept per (a, b): a plot reuses a few (mu, h, N)
CHUNK = 256           # points per 2-D block (points x terms): bounds memory
LEVEL = 38.0          # ln of the discretisation/truncation target relative to the integrand size
STEP_TOP = 2 * math.pi / LEVEL  # above every step _parameters allows
MU_CHOICES = (0.125, 0.25, 0.0625, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
PATHS = ("float series", "float asymptotic", "float contour", "float wide series", "float closed form")


class Coefficients:
    """Double-precision data of one (a, b): correctly rounded ``1/Gamma(a k + b)`` and
    ``1/Gamma(b - a k)``, their logs, a and a - b to twice double precision, the series
    coefficients exactly for the wide series, and the contour nodes once computed."""

    def __init__(self, a_at, b_at):
        with at_digits(50):
            a, b = a_at(), b_at()
            # a, 1 - b, ln a and pi in extended precision for the residues
            self.extended = tuple(_extended(v) for v in (a, 1 - b, mp.log(a), mp.pi))
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
            # the series coefficients as exact binary fractions m 2^e (50 digits) for the
            # big-integer series; mpf holds (sign, mantissa, exponent, bits)
            self.wide = [((-1) ** c._mpf_[0] * c._mpf_[1], c._mpf_[2]) for c in series]
        x = 1 + self.alpha * np.arange(1, MAX_ASYMPTOTIC_TERMS + 1) - self.beta
        # the asymptotic expansion's envelope Gamma(1 + a k - b) / pi (+oo where the argument
        # is not positive) and its terms' coefficients, as logs, k = 1..MAX
        self.log_envelope = np.array([math.lgamma(v) - math.log(math.pi) if v > 0 else np.inf for v in x])
        self.convex = x > 1
        with np.errstate(divide="ignore"):
            self.log_algebraic = np.log(np.abs(self.algebraic[1:]))
        # contour nodes by (mu, h, N, mirrored): functions of a, b and the key alone
        self.nodes = {}


def _extended(x):
    """The longdouble nearest an mpf (the sum of its two leading doubles)."""
    high = float(x)
    return np.longdouble(high) + np.longdouble(float(x - high))


def evaluate(coef, z, rtol):
    """(value, error, path index, accepted) arrays for the complex128 points ``z``."""
    value = np.zeros(z.shape, complex)
    error = np.full(z.shape, np.inf)
    path = np.full(z.shape, -1)
    # overflow, underflow, inf - inf, 0/0 are expected on the way (terms beyond a point's
    # own, e^s far out on the contour) and end as inf errors: one switch for all paths
    with np.errstate(all="ignore"):
        if coef.alpha == 0:
            _accept(value, error, path, np.ones(z.shape, bool), *_closed_form(coef, z), 4, rtol)
        else:
            for start in range(0, z.size, CHUNK):
                block = slice(start, start + CHUNK)
                _evaluate_block(coef, z[block], rtol, value[block], error[block], path[block])
    return value, error, path, path >= 0


def _evaluate_block(coef, z, rtol, value, error, path):
    alpha = coef.alpha
    size = np.abs(z)
    radius = np.where(size > 0, size ** (1 / alpha), 0.0)
    theta = np.angle(z)
    # cancellation of the series: its terms reach ~ e^r, |E| ~ e^(r cos(theta/a)) inside
    # the sector of the exponential residue, ~ 1/|z| outside
    inside = np.abs(theta) < alpha * np.pi
    loss = np.where(inside, radius * (1 - np.cos(np.minimum(np.abs(theta) / alpha, np.pi))),
                    radius + np.log(np.maximum(size, 1.0)))
    stages = (((loss <= 4) & (radius <= 60), _series), (radius >= 12, _asymptotic),
              (np.ones(z.shape, bool), _contour), (radius <= 60, _wide_series))
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
    v = coef.series[0] / (1 - z)
    return v, np.abs(v) * (4 * EPS + EPS * (1 + np.abs(z)) / np.abs(1 - z))


def _series_plan(coef, z, depth):
    """(last index, ln|c_k z^k| for k <= last, tail ratio bound, found) of the series: stop at
    the first K with the term ``depth`` e-folds below the peak (below 1 if the peak is
    smaller: |E| may be ~1 however small the terms), a K + b > 1 and ratio bound rho < 0.9
    for every later term (Gamma(x)/Gamma(x + a) decreases for x > 0)."""
    size = np.abs(z)
    log_size = np.log(np.maximum(size, 1e-300))
    k = np.arange(MAX_SERIES_TERMS + 1)
    logs = coef.log_series[:-1][None, :] + k[None, :] * log_size[:, None]
    ratio = size[:, None] * np.exp(coef.log_series[1:] - coef.log_series[:-1])[None, :]
    peak = np.maximum.accumulate(logs, axis=1)
    stop = (logs < np.minimum(peak, 0) - depth) & (coef.alpha * k + coef.beta > 1)[None, :] & (ratio < 0.9)
    found = stop.any(axis=1)
    last = np.argmax(stop, axis=1)
    rows = np.arange(z.size)
    return last, logs, ratio[rows, last], found


def _row_sum(x):
    """Row sums in order: the zeros a row carries beyond its own terms (the other points'
    columns) change no bit, where a pairwise sum would regroup."""
    return np.cumsum(x, axis=1)[:, -1]


def _series(coef, z, radius, theta):
    last, logs, rho, found = _series_plan(coef, z, 40)
    count = int(last[found].max()) + 1 if found.any() else 1
    powers = np.cumprod(np.broadcast_to(z[:, None], (z.size, count)), axis=1)
    terms = np.empty((z.size, count), complex)
    terms[:, 0] = coef.series[0]
    terms[:, 1:] = coef.series[1:count] * powers[:, :-1]
    terms[np.arange(count)[None, :] > last[:, None]] = 0
    # summed from the last term down, the partial sums are the tails T_i = p_i z^i of
    # Horner's scheme, and the roundings are Horner's: ~eps |T_i| for z^i (carried by
    # every later term) and for the sum; independent, they add in squares (an estimate,
    # as in .numeric), the largest counted twice more
    tails = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]
    total = tails[:, 0]
    magnitude = np.abs(tails)
    e = EPS * (4 * np.sqrt(_row_sum(magnitude ** 2)) + 2 * magnitude.max(axis=1))
    tail = np.exp(logs[np.arange(z.size), last]) * rho / (1 - rho)
    e = np.where(found, e + tail, np.inf)
    return total, e


WIDE_BITS = 160        # relative precision of z^k in the big-integer series
WIDE_COEFFICIENT = 1e-44  # relative error bound of the 50-digit coefficients 1/Gamma(a k + b)


def _wide_series(coef, z, radius, theta):
    """The series summed in integers: z (a binary fraction) and the coefficients m 2^e are
    exact, z^k is kept to WIDE_BITS bits, the sum in fixed point 2^-200 below the largest term.
    A rigorous bound (the coefficients' 1e-44, the truncations, the tail, the final rounding)
    where doubles cancel: E_{0.8,0.7}(-3), E_{1.5,0.7}(-50)."""
    last, logs, rho, found = _series_plan(coef, z, 60)
    value = np.zeros(z.shape, complex)
    e = np.full(z.shape, np.inf)
    for i in np.flatnonzero(found):
        count = int(last[i]) + 1
        peak = float(logs[i, :count].max())
        absolute = float(np.exp(logs[i, :count] - peak).sum())  # sum |t_k| / e^peak
        unit = int(peak / math.log(2)) - 200  # the sum is held in units of 2^unit
        real, imag, shift = _binary(complex(z[i]))
        wr, wi, g = 1, 0, 0  # z^k = (wr + i wi) 2^g
        sr = si = 0
        for m, ec in coef.wide[:count]:
            if m:
                n = ec + g - unit
                if n >= 0:
                    sr += (m * wr) << n
                    si += (m * wi) << n
                else:
                    sr += (m * wr) >> -n
                    si += (m * wi) >> -n
            wr, wi = wr * real - wi * imag, wr * imag + wi * real
            g += shift
            extra = max(abs(wr).bit_length(), abs(wi).bit_length()) - WIDE_BITS
            if extra > 0:
                wr >>= extra
                wi >>= extra
                g += extra
        v = complex(math.ldexp(sr, unit), math.ldexp(si, unit))
        # floor shifts: <= 1 unit per component and term; z^k relative 2^(3 - WIDE_BITS) per step
        bound = (WIDE_COEFFICIENT + count * 2.0 ** (3 - WIDE_BITS)) * absolute * math.exp(peak) \
            + 2 * count * math.ldexp(1.0, unit) + math.exp(logs[i, last[i]]) * rho[i] / (1 - rho[i])
        value[i], e[i] = v, bound + EPS * abs(v)
    return value, e


def _binary(point):
    """(X, Y, E) with point = (X + i Y) 2^E exactly, X and Y integers."""
    (xn, xd), (yn, yd) = point.real.as_integer_ratio(), point.imag.as_integer_ratio()
    d = max(xd, yd)  # powers of two
    return xn * (d // xd), yn * (d // yd), -(d.bit_length() - 1)


def _exponential(coef, z, radius, theta, mu=None):
    """Residues (1/a) s^(1-b) e^s, s = r e^(i (theta + 2 pi j)/a), |theta + 2 pi j| < a pi;
    with ``mu``, only those right of the parabola s = mu (1 + iu)^2 (r cos^2(phi/2) > mu).

    In doubles, e^s would inherit the rounding of r = |z|^(1/a) times |s| (1e-13 at
    r = 14): the residues are exp((1-b) q + e^q - ln a), q = ln s = (ln z + 2 pi i j)/a, in
    extended precision (numpy's longdouble, 64 bits on x86-64: |s| 2^-64 <= 4e-17 at
    |s| = 700), with a bound from the longdouble epsilon; where longdouble is only a double
    the bound is large and the point goes elsewhere."""
    alpha = coef.alpha
    reach = math.ceil(alpha / 2) + 1
    j = np.arange(-reach, reach + 1)
    angle = theta[:, None] + 2 * np.pi * j[None, :]
    on = (np.abs(angle) < alpha * np.pi) & (radius[:, None] * np.cos(angle / alpha) < 700)
    if mu is not None:
        on &= radius[:, None] * np.cos(angle / alpha / 2) ** 2 > mu[:, None]
    point, pole = np.nonzero(on)
    total = np.zeros(z.shape, complex)
    absolute = np.zeros(z.shape)
    if point.size:
        a, c, log_a, pi = coef.extended
        eps = float(np.finfo(np.longdouble).eps)
        x, y = z.real[point].astype(np.longdouble), z.imag[point].astype(np.longdouble)
        q = np.empty(point.size, np.clongdouble)
        q.real = np.log(np.hypot(x, y)) / a
        q.imag = (np.arctan2(y, x) + 2 * pi * j[pole]) / a
        s = np.exp(q)
        w = c * q + s - log_a
        term = np.exp(w)
        # errors of ln z, of the division and of a: ~eps |q|; exp: ~eps relative, each
        # counted twice; the sum w rounds at eps |w| + eps |s|
        dq = eps * (3 * np.abs(q) + 1)
        dw = abs(float(c)) * dq + np.abs(s) * (dq + 2 * eps) + 2 * eps * (np.abs(w) + np.abs(s) + 1)
        size = np.abs(term).astype(float)
        np.add.at(total, point, term.astype(complex))
        np.add.at(absolute, point, size * (EPS + (dw + 2 * eps).astype(float)))
    # beyond e^700 the point has no double value: inf, not accepted
    total[(np.abs(theta) < alpha * np.pi) & (radius * np.cos(theta / alpha) >= 700)] = np.inf
    return total, absolute


def _asymptotic(coef, z, radius, theta):
    alpha, beta = coef.alpha, coef.beta
    exponential, exp_error = _exponential(coef, z, radius, theta)
    k = np.arange(1, MAX_ASYMPTOTIC_TERMS + 1)
    log_size = np.log(np.abs(z))
    # ln of the envelope |z|^-k Gamma(1 + a k - b) / pi and of the terms, k = 1..MAX
    log_env = coef.log_envelope[None, :] - k[None, :] * log_size[:, None]
    log_terms = coef.log_algebraic[None, :] - k[None, :] * log_size[:, None]
    # the envelope is log-convex in k once 1 + a k - b > 1: cut where it starts to grow or
    # is negligible against the largest term before that
    grows = coef.convex[None, :] & (np.diff(log_env, axis=1, append=np.inf) > 0)
    turn = np.where(grows.any(axis=1), np.argmax(grows, axis=1), MAX_ASYMPTOTIC_TERMS - 1)
    largest = np.where(k[None, :] <= turn[:, None] + 1, log_terms, -np.inf).max(axis=1)
    reference = np.logaddexp(np.log(np.abs(exponential)), largest)
    small = coef.convex[None, :] & (log_env < reference[:, None] - 40)
    stop = grows | small
    found = stop.any(axis=1)
    count = np.where(found, np.argmax(stop, axis=1) + 1, MAX_ASYMPTOTIC_TERMS)
    columns = int(count.max())
    powers = np.cumprod(np.broadcast_to((1 / z)[:, None], (z.size, columns)), axis=1)
    terms = powers * coef.algebraic[1:columns + 1][None, :]
    terms = np.where(k[None, :columns] <= count[:, None], terms, 0)
    algebraic = -_row_sum(terms)
    envelope = np.exp(log_env[np.arange(z.size), count - 1])
    beyond = np.exp(-radius) * np.maximum(1, radius ** (1 - beta)) / alpha  # Stokes-line terms
    # z^-k carries ~k roundings; the sum one more per term
    roundoff = EPS * _row_sum(np.abs(terms) * (k[:columns] + 2)[None, :])
    e = envelope + beyond + roundoff + exp_error
    return exponential + algebraic, np.where(found, e, np.inf)


def _contour(coef, z, radius, theta):
    n = z.size
    mu, step, width, ok = _parameters(coef.alpha, radius, theta, max(0.0, 2 * (coef.alpha - coef.beta) + 1))
    nodes = np.ceil(width / step * 2).astype(int)  # at step h/2
    ok &= nodes <= MAX_NODES
    fine, coarse, roundoff, ends = (np.zeros(n, complex), np.zeros(n, complex), np.zeros(n), np.zeros(n))
    # the points of one (mu, h, N) share the nodes and every factor but 1/(s^a - z); for
    # real z the integrand at -u is the conjugate of the one at u: half the nodes
    real = z.imag == 0
    keys = {}
    for i in np.flatnonzero(ok):
        keys.setdefault((mu[i], step[i], nodes[i], real[i]), []).append(i)
    for (m, h, count, mirrored), rows in keys.items():
        for out, v in zip((fine, coarse, roundoff, ends), _trapezoid(coef, z[rows], m, h, count, mirrored)):
            out[rows] = v
    residue, residue_error = _exponential(coef, z, radius, theta, mu)
    value = fine + residue
    e = np.abs(fine - coarse) + roundoff + ends + residue_error
    return value, np.where(ok, e, np.inf)


def _trapezoid(coef, z, mu, step, count, mirrored):
    """The trapezoidal sums at steps h/2 and h over the nodes |k| <= count, their rounding
    estimate and the size of the cut tails; ``mirrored``: z is real, nodes k >= 0 only,
    counted twice for k > 0."""
    key = (mu, step, count, mirrored)
    nodes = coef.nodes.get(key)
    if nodes is None:
        nodes = _nodes(coef, *key)
        if len(coef.nodes) < NODE_CACHE:
            coef.nodes[key] = nodes
    sa, numerator, fixed, scaled = nodes

    def total(x):  # over the nodes; when mirrored, the nodes k > 0 count twice
        t = x.sum(axis=1)
        return 2 * t - x[:, 0] if mirrored else t

    denominator = sa[None, :] - z[:, None]
    f = numerator[None, :] / denominator
    magnitude = np.abs(f)
    condition = fixed[None, :] + scaled[None, :] / np.abs(denominator)
    half = step / 2
    fine = half * total(f)
    coarse = step * total(f[:, (0 if mirrored else count % 2)::2])  # the nodes with k even
    if mirrored:
        fine, coarse = fine.real.astype(complex), coarse.real.astype(complex)
    # independent roundings per node add in squares (an estimate); the summation's
    # rounding, ~eps of the absolute sum, is added
    roundoff = half * EPS * (4 * np.sqrt(total((magnitude * condition) ** 2)) + 2 * total(magnitude))
    # the outermost nodes, at -u and u (the same node when mirrored)
    ends = half * (magnitude[:, -1] + magnitude[:, -1 if mirrored else 0]) * 10
    return fine, coarse, roundoff, ends


def _nodes(coef, mu, step, count, mirrored):
    """What the nodes of one (a, b, mu, h, N) share, whatever z: s^a, e^s s^(a-b) s'/(2 pi i),
    and the rounding condition of a node as ``fixed + scaled / |s^a - z|``."""
    alpha, power = coef.alpha, coef.power
    k = np.arange(0 if mirrored else -count, count + 1)
    w = 1 + 1j * (k * (step / 2))
    s = mu * w * w
    log_s = np.log(s)
    # s^x = e^(x_high log s) (1 + x_low log s): the parameters' rounding does not enter
    sa = np.exp(alpha * log_s) * (1 + coef.alpha_low * log_s)
    numerator = np.exp(s + power * log_s) * (1 + coef.power_low * log_s) * (mu * w / np.pi)
    # rounding of s, s^a and the subtraction s^a - z, per node
    size = np.abs(log_s)
    fixed = 8 + np.abs(s) + abs(power) * size
    scaled = np.abs(sa) * (2 + alpha * size)
    return sa, numerator, fixed, scaled


def _parameters(alpha, radius, theta, growth):
    """(mu, h, half-width of the u-range, usable) for the parabola s = mu (1 + i u)^2, per point.

    The poles s = r e^(i phi) of s^a - z in the principal sheet have levels r cos^2(phi/2)
    and map to Im u = 1 - sqrt(level / mu), the origin to Im u = 1.  A small mu keeps the
    integrand near the size of E (at mu = 2 its absolute sum is ~20 |E| at E_{0.8,1}(-10), at
    mu = 1/4 ~2.5 |E|), so mu is the first of a few values, smallest first, that keeps every
    pole 0.4 away from the real u axis.  The trapezoidal error from a strip of half-width d
    is ~ e^(mu (1 -+ d)^2 - 2 pi d / h) above / below against an integrand of size e^mu; the
    nodes stop where e^(mu (1 - u^2)) |u|^growth is negligible.
    """
    reach = math.ceil(alpha / 2) + 1
    angle = theta[:, None] + 2 * np.pi * np.arange(-reach, reach + 1)[None, :]
    pole = (np.abs(angle) < alpha * np.pi) & (radius[:, None] > 0)
    levels = np.where(pole, radius[:, None] * np.cos(angle / alpha / 2) ** 2, 1.0)
    choices = np.array(MU_CHOICES)
    gap = np.where(pole[:, :, None], np.abs(1 - np.sqrt(levels[:, :, None] / choices)), 1.0)
    distance = np.minimum(1.0, gap.min(axis=1))
    far = distance >= 0.4
    mu = choices[np.where(far.any(axis=1), np.argmax(far, axis=1), np.argmax(distance, axis=1))]
    ratio = np.sqrt(levels / mu[:, None])
    up = 0.9 * np.where(pole & (levels < mu[:, None]), 1 - ratio, 1.0).min(axis=1, initial=1.0)
    down = np.minimum(np.sqrt(LEVEL / mu), 0.9 * np.where(pole & (levels > mu[:, None]), ratio - 1, np.inf).min(axis=1))
    ok = (up > 0.05) & (down > 0.05)
    up, down = np.where(ok, up, 1.0), np.where(ok, down, 1.0)
    step = np.minimum(2 * np.pi * up / (LEVEL + mu), 2 * np.pi * down / (LEVEL + mu * (2 * down + down ** 2)))
    # rounded down to a ladder of steps 2^(1/4) apart: points of a plot share their nodes
    step = STEP_TOP * 2.0 ** (-np.ceil(4 * np.log2(STEP_TOP / step)) / 4)
    return mu, step, np.sqrt(1 + (LEVEL + 8 + 3 * growth) / mu), ok
