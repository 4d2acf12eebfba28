"""Certified values: Arb balls ``[mid +/- rad]`` whose radius is a proven error bound.

Two tiers, each rigorous or refusing (see docs/certified.md):

* **exact tier**: a SymPy closed form evaluated node by node in Arb ball arithmetic
  (python-flint), at a precision raised until the ball meets the requested accuracy;
* **quadrature tier** for ``E[f(mu + sigma Z)]``: ``acb.integral`` of f times the
  Gaussian density on each smooth piece of ``[-T, T]`` (kinks are segment ends), plus
  the Gaussian tail beyond ``T`` bounded in closed form from a bound
  ``|f(x)| <= sum_j c_j |x|^j`` (|x| >= T) proved from the structure of f by
  :func:`tail_bound`; no bound, no value.

python-flint is the optional ``certified`` extra, imported on first use.

>>> import sympy
>>> b = certified_value(sympy.sqrt(2) / sympy.sqrt(sympy.pi), dps=20)
>>> str(b)
'[0.79788456080286535587989212 +/- 1.6e-28]'
>>> b.contains("0.797884560802865355879892119868763737"), b.contains("0.7978845608028653558798921")
(True, False)
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
import math

import sympy

from .activations import x
from .components import DPHI, PHI
from .errors import ConvergenceError, DivergenceError, InputError, SymsigError, UndefinedError
from .precision import COMPLEX, REAL, check_dps, engine_call, exact_number
from .quantity import INFINITE

#: bits beyond the requested digits, and the largest working precision tried (a multiple of the first)
GUARD_BITS, PREC_CAP_FACTOR = 32, 8
#: the digits a Ball keeps beyond the requested ones (its radius absorbs the rounding)
KEPT_DIGITS = 6


class NotCertified(InputError):
    """No proven enclosure: the extra is missing, a function has no ball translation, or no tail bound."""


def _flint():
    try:
        import flint
    except ImportError:
        raise NotCertified("certified values need python-flint: pip install 'symsig[certified]'") from None
    return flint


@contextmanager
def _precision(bits):
    """flint's precision is global: set it for one block and always put it back."""
    ctx = _flint().ctx
    saved = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = saved


# ------------------------------------------------------------------------- the ball

def _exact(value):
    """An exact Fraction of a number given exactly (int, Fraction, decimal string, mpf, SymPy rational)."""
    if isinstance(value, COMPLEX):
        raise InputError("a Ball is real; compare the real part")
    if isinstance(value, (REAL, str)):
        value = exact_number(value)
    if isinstance(value, sympy.Float):
        value = sympy.Rational(value)  # the Float's exact binary value
    if isinstance(value, sympy.Basic):
        if not value.is_Rational:
            raise InputError(f"{value} is not an exact number; evaluate it to a decimal or mpf first")
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        return Fraction(value)
    raise InputError(f"cannot compare {value!r} with a Ball exactly")


def _decimal(q):
    """The exact decimal string of a Fraction whose denominator divides a power of 10
    (scientific notation for small and large numbers, as :class:`decimal.Decimal` prints)."""
    n, d = q.numerator, q.denominator
    k = 0
    while 10**k % d:
        k += 1
    return str(Decimal(f"{n * (10**k // d)}E-{k}"))  # from a string: exact, no context rounding


def _exponent10(q):
    """floor(log10(q)) of a positive Fraction, exactly (no float underflow at 1e-400)."""
    e = len(str(q.numerator)) - len(str(q.denominator))
    while Fraction(10) ** e > q:
        e -= 1
    while Fraction(10) ** (e + 1) <= q:
        e += 1
    return e


@dataclass(frozen=True)
class Ball:
    """The closed interval ``[mid - rad, mid + rad]``; ``mid``, ``rad`` exact decimal strings."""

    mid: str
    rad: str
    method: str = ""

    @classmethod
    def from_arb(cls, value, digits, method=""):
        """An arb rounded to ``digits`` significant decimals, the rounding added to the radius."""
        mid, rad = (Fraction(int(m)) * Fraction(2) ** int(e) for m, e in
                    (value.mid().man_exp(), value.rad().man_exp()))
        if mid:
            unit = Fraction(10) ** (_exponent10(abs(mid)) - digits + 1)
            rounded = round(mid / unit) * unit
        else:
            rounded = Fraction(0)
        rad += abs(rounded - mid)
        if rad:  # two significant digits, rounded up
            unit = Fraction(10) ** (_exponent10(rad) - 1)
            rad = math.ceil(rad / unit) * unit
        return cls(_decimal(rounded), _decimal(rad), method)

    @property
    def interval(self):
        mid, rad = Fraction(Decimal(self.mid)), Fraction(Decimal(self.rad))
        return mid - rad, mid + rad

    def contains(self, value):
        lo, hi = self.interval
        return lo <= _exact(value) <= hi

    def proven(self):
        """``(digits, unit)``: mid rounded at the coarsest decimal unit ``u`` with ``rad < u/2``,
        so every printed digit is proven and ``digits +/- u`` lies outside the ball."""
        mid, rad = Fraction(Decimal(self.mid)), Fraction(Decimal(self.rad))
        if not rad:
            return self.mid, Fraction(0)
        exponent = _exponent10(2 * rad) + 1  # 10**exponent > 2 rad
        unit = Fraction(10) ** exponent
        return _decimal(round(mid / unit) * unit), unit

    def as_dict(self):
        return {"mid": self.mid, "rad": self.rad, "certified": True}

    def __str__(self):
        digits, unit = self.proven()
        if not unit:
            return f"[{digits} +/- 0]"
        mid = Fraction(Decimal(self.mid))
        rad = Fraction(Decimal(self.rad)) + abs(Fraction(Decimal(digits)) - mid)
        exponent = _exponent10(rad)
        head = math.ceil(rad / Fraction(10) ** (exponent - 1))  # two digits, rounded up
        if head == 100:
            head, exponent = 10, exponent + 1
        return f"[{digits} +/- {head // 10}{'.%d' % (head % 10) if head % 10 else ''}e{exponent}]"


# ------------------------------------------------------------ SymPy tree -> acb

def _guarded(name, cut_part):
    """A function with branch cuts and no analytic flag in python-flint: in analytic mode it
    refuses (NaN, which makes acb.integral subdivide) unless the argument avoids the cut."""
    def call(z, analytic):
        if analytic:
            part = z.real if cut_part == "re" else z.imag
            if not abs(part).upper() < 1:
                return _flint().acb("nan")
        return getattr(z, name)()
    return call


def _functions():
    plain = {sympy.exp: "exp", sympy.erf: "erf", sympy.erfc: "erfc", sympy.tanh: "tanh",
             sympy.cosh: "cosh", sympy.sinh: "sinh", sympy.sin: "sin", sympy.cos: "cos",
             sympy.tan: "tan"}
    table = {f: (lambda name: lambda z, a: getattr(z, name)())(name) for f, name in plain.items()}
    table.update({sympy.log: lambda z, a: z.log(analytic=a),
                  sympy.Abs: lambda z, a: z.real_abs(analytic=a),
                  sympy.asin: _guarded("asin", "re"), sympy.acos: _guarded("acos", "re"),
                  sympy.atan: _guarded("atan", "im"), sympy.asinh: _guarded("asinh", "im")})
    return table


_FUNCTIONS = _functions()


def translate(expr, var=None):
    """``expr`` as a function ``(z, analytic) -> acb`` built node by node (NotCertified otherwise).

    ``var`` is the variable (None for a closed form); ``analytic`` is acb.integral's flag:
    functions with branch cuts return NaN when they cannot prove analyticity.
    """
    flint = _flint()
    acb = flint.acb
    if var is not None and expr == var:
        return lambda z, a: z
    if expr.is_Integer:
        value = int(expr)
        return lambda z, a: acb(value)
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        return lambda z, a: acb(flint.fmpq(p, q))
    if isinstance(expr, sympy.Float):
        sign, man, exp, _ = expr._mpf_
        value = flint.arb(flint.fmpz((-1) ** sign * man)) * flint.arb(2) ** exp  # the float's exact value
        return lambda z, a: acb(value)
    if expr is sympy.pi:
        return lambda z, a: acb(flint.arb.pi())
    if expr is sympy.E:
        return lambda z, a: acb(flint.arb.const_e())
    if expr is sympy.I:
        return lambda z, a: acb(0, 1)
    if expr.is_Add or expr.is_Mul:
        parts = [translate(arg, var) for arg in expr.args]
        if expr.is_Add:
            def add(z, a):
                total = parts[0](z, a)
                for part in parts[1:]:
                    total += part(z, a)
                return total
            return add

        def mul(z, a):
            total = parts[0](z, a)
            for part in parts[1:]:
                total *= part(z, a)
            return total
        return mul
    if expr.is_Pow:
        base, exponent = expr.args
        if base is sympy.E:
            return translate(sympy.exp(exponent, evaluate=False), var)
        inner = translate(base, var)
        if exponent.is_Integer:
            n = int(exponent)
            return lambda z, a: inner(z, a) ** n
        if exponent == sympy.Rational(1, 2):
            return lambda z, a: inner(z, a).sqrt(analytic=a)
        if exponent.is_Rational:
            p, q = int(exponent.p), int(exponent.q)
            return lambda z, a: inner(z, a).pow(acb(flint.fmpq(p, q)), analytic=a)
        raise NotCertified(f"no ball translation for the power {expr} (integer and rational exponents only)")
    func = _FUNCTIONS.get(expr.func)
    if func is None or len(expr.args) != 1:
        what = "the symbol" if expr.is_Symbol else "the function"
        raise NotCertified(f"no ball translation for {what} {expr.func.__name__ if not expr.is_Symbol else expr} "
                           f"(in {expr}); certified values cover {', '.join(sorted(f.__name__ for f in _FUNCTIONS))}")
    inner = translate(expr.args[0], var)
    return lambda z, a: func(inner(z, a), a)


def _real(value, what):
    """The real part of an acb that encloses a real number; refuse a non-finite ball."""
    if not value.is_finite():
        raise NotCertified(f"{what}: the ball is not finite (a pole, a branch cut or a precision cap)")
    if not value.imag.contains(0):
        raise NotCertified(f"{what}: the ball is not real")
    return value.real


def _accurate(ball, dps, last):
    """Relative accuracy 10**-dps; at the last precision also a ball around 0 of radius
    10**-dps (a value that is 0, or too small to separate from 0 within the cap)."""
    flint = _flint()
    tol = flint.arb(10) ** (-dps)
    if ball.contains(0):
        return last and bool(ball.rad() <= tol)
    return bool(ball.rad() <= tol * abs(ball).lower())


def _refine(evaluate, dps, what):
    """Call ``evaluate()`` (an arb) at rising precision until it is accurate to ``dps`` digits."""
    first = int(dps * 3.33) + GUARD_BITS
    bits = first
    while bits <= PREC_CAP_FACTOR * first:
        with _precision(bits):
            ball = evaluate()
            if ball.is_finite() and _accurate(ball, dps, 2 * bits > PREC_CAP_FACTOR * first):
                return ball
        bits *= 2
    raise ConvergenceError(f"{what}: no ball accurate to {dps} digits at up to {bits // 2} bits")


def _number(expr):
    """An exact number without free symbols as an arb at the current precision."""
    return _real(translate(expr)(_flint().acb(0), False), f"the number {expr}")


@engine_call
def certified_value(expr, dps=30):
    """A closed form (a SymPy number, no free symbols) as a :class:`Ball` accurate to ``dps`` digits.

    >>> certified_value(sympy.Function("f")(1), dps=10)
    Traceback (most recent call last):
    ...
    symsig.certified.NotCertified: no ball translation for the function f (in f(1)); ...
    """
    dps = check_dps(dps)
    if not isinstance(expr, sympy.Basic) or expr.free_symbols:
        raise InputError(f"certified_value takes an exact SymPy number, got {expr!r}")
    ball = _refine(lambda: _number(expr), dps, f"the closed form {expr}")
    return Ball.from_arb(ball, dps + KEPT_DIGITS, "exact: closed form in Arb ball arithmetic")


# ---------------------------------------------------------------- tail bounds

# A bound is {j: c_j} (arb, c_j >= 0): |f(x)| <= sum_j c_j |x|^j for all x of the tail
# {s x >= T}, s = +1 or -1, T >= 1; every rule below is a proof of such a bound.

def _add(p, q):
    out = dict(p)
    for j, c in q.items():
        out[j] = out[j] + c if j in out else c
    return out


def _mul(p, q):
    out = {}
    for i, a in p.items():
        for j, b in q.items():
            out = _add(out, {i + j: a * b})
    return out


def _constant(p):
    return set(p) <= {0}


def _collapse(p):
    """On |x| >= 1: sum_j c_j |x|^j <= (sum_j c_j) |x|^max j."""
    return sum(p.values()), max(p)


def _upper_exponent(arg, side):
    """An upper bound of the real ``arg`` on the tail when it is a polynomial in x whose
    non-constant coefficients (in t = s x >= 0) are all <= 0, else None."""
    t = sympy.Dummy("t", positive=True)
    try:
        poly = sympy.Poly(sympy.expand(arg.xreplace({x: side * t})), t)
    except sympy.PolynomialError:
        return None
    coeffs = poly.as_dict()
    if all((c <= 0) is sympy.true for (j,), c in coeffs.items() if j > 0):
        return coeffs.get((0,), sympy.Integer(0))
    return None


def _lower(expr, side, tail):
    """A lower bound (arb) of ``expr`` on the tail, or None."""
    flint = _flint()
    if not expr.has(x):
        return _number(expr)
    if expr == x:
        return flint.arb(tail) if side > 0 else None
    if isinstance(expr, sympy.exp) and expr.args[0].is_real:
        return flint.arb(0)
    if isinstance(expr, sympy.cosh) and expr.args[0].is_real:
        return flint.arb(1)
    if expr.is_Pow and expr.exp.is_Integer and expr.exp.is_even and expr.base.is_real:
        return flint.arb(0)
    if expr.is_Add or expr.is_Mul:
        bounds = [_lower(arg, side, tail) for arg in expr.args]
        if any(b is None for b in bounds):
            return None
        if expr.is_Add:
            return sum(bounds[1:], bounds[0])
        if all(b >= 0 for b in bounds):
            out = bounds[0]
            for b in bounds[1:]:
                out *= b
            return out
    return None


def _sigmoid_pair(factors, side, tail):
    """Pull out ``exp(j a) * (c + k exp(a))**-m`` (c, k > 0, 1 <= j <= m), bounded by
    ``c**(j-m) / k**j`` since ``k exp(a) / (c + k exp(a)) <= 1`` (the sigmoid shape, any real a).
    Returns (bound, other factors) or None."""
    for i, f in enumerate(factors):
        if not (f.is_Pow and f.exp.is_Integer and f.exp < 0 and f.base.is_Add):
            continue
        exps = [t for t in f.base.args if t.has(x)]
        if len(exps) != 1:
            continue
        k, e = exps[0].as_independent(x, as_Add=False)
        c = f.base - exps[0]
        if not isinstance(e, sympy.exp) or not e.args[0].is_real:
            continue
        m = -int(f.exp)
        for g in factors:
            j = sympy.simplify(g.args[0] / e.args[0]) if isinstance(g, sympy.exp) else None
            if j is None or not (j.is_Integer and 1 <= j <= m):
                continue
            c_low, k_low = _lower(c, side, tail), _lower(k, side, tail)
            if c_low is None or k_low is None or not (c_low > 0 and k_low > 0):
                break
            rest = [h for h in factors if h is not f and h is not g]
            return {0: c_low ** (int(j) - m) / k_low ** int(j)}, rest
    return None


def _sech_pair(factors):
    """Pull out ``u * (1 - tanh(u)**2)`` (u real), bounded by 1: ``|u| <= cosh u`` so
    ``|u| sech(u)**2 <= sech u <= 1`` (TeLU's slope).  Returns (bound, other factors) or None."""
    for f in factors:
        if f.is_Add and len(f.args) == 2 and sympy.Integer(1) in f.args:
            square = f - 1
            if square.is_Mul and square.args[0] == -1 and len(square.args) == 2:
                square = square.args[1]
                if (square.is_Pow and square.exp == 2 and isinstance(square.base, sympy.tanh)
                        and square.base.args[0] in factors and square.base.args[0].is_real):
                    u = square.base.args[0]
                    return {0: _flint().arb(1)}, [g for g in factors if g is not f and g is not u]
    return None


_BOUNDED = {sympy.tanh: 1, sympy.erf: 1, sympy.sin: 1, sympy.cos: 1, sympy.erfc: 2, sympy.atan: 2}


def tail_bound(expr, side, tail):
    """``{j: c_j}`` with ``|expr(x)| <= sum_j c_j |x|^j`` for ``side * x >= tail >= 1``.

    Rules (each a proof): constants; ``|x|``; sums and products; integer powers
    (negative ones need a positive lower bound of the base); rational powers after
    collapsing on ``|x| >= 1``; tanh, erf, sin, cos <= 1, erfc <= 2, atan <= 2 (real
    argument); exp, cosh, sinh of a bounded argument ``<= exp(bound)``; exp of a
    polynomial whose non-constant part is <= 0 on the tail ``<= exp(constant)``;
    ``k exp(a) / (c + k exp(a)) <= 1``; ``|u| (1 - tanh(u)**2) <= 1``; softplus ``log(c + exp(a)) <= log(1 + c) + |a|``
    (c >= 1).  Anything else raises :class:`NotCertified` with the sub-expression.
    """
    flint = _flint()
    if not expr.has(x):
        return {0: abs(_number(expr))}
    if expr == x:
        return {1: flint.arb(1)}
    if expr.is_Add:
        out = {}
        for arg in expr.args:
            out = _add(out, tail_bound(arg, side, tail))
        return out
    if expr.is_Mul:
        factors, out = list(expr.args), {0: flint.arb(1)}
        pair = _sigmoid_pair(factors, side, tail) or _sech_pair(factors)
        while pair is not None:
            bound, factors = pair
            out = _mul(out, bound)
            pair = _sigmoid_pair(factors, side, tail) or _sech_pair(factors)
        for f in factors:
            out = _mul(out, tail_bound(f, side, tail))
        return out
    if expr.is_Pow and expr.base is not sympy.E:
        base, exponent = expr.args
        if exponent.is_Integer and exponent > 0:
            out = {0: flint.arb(1)}
            for _ in range(int(exponent)):
                out = _mul(out, tail_bound(base, side, tail))
            return out
        if exponent.is_Rational and exponent < 0:
            low = _lower(base, side, tail)
            if low is not None and low > 0:
                return {0: low ** _number(exponent)}
            raise NotCertified(f"no tail bound: cannot prove {base} >= c > 0 on the tail")
        if exponent.is_Rational:
            total, degree = _collapse(tail_bound(base, side, tail))
            return {math.ceil(degree * exponent): total ** _number(exponent)}
    arg = expr.args[0] if len(expr.args) == 1 else None
    if arg is not None and arg.is_real:
        if expr.func in _BOUNDED:
            return {0: flint.arb(_BOUNDED[expr.func])}
        if expr.func == sympy.Abs:
            return tail_bound(arg, side, tail)
        if expr.func in (sympy.exp, sympy.cosh, sympy.sinh):
            inner = _try_bound(arg, side, tail)
            if inner is not None and _constant(inner):
                return {0: inner.get(0, flint.arb(0)).exp()}
            if expr.func == sympy.exp:
                top = _upper_exponent(arg, side)
                if top is not None:
                    return {0: _number(top).exp()}
        if expr.func == sympy.log and arg.is_Add:
            softplus = _softplus(arg, side, tail)
            if softplus is not None:
                return softplus
    raise NotCertified(f"no tail bound proved for {expr} as x -> {'+' if side > 0 else '-'}oo "
                       "(bounded functions, polynomials, exp of decaying arguments, sigmoid and "
                       "softplus shapes only)")


def _try_bound(expr, side, tail):
    try:
        return tail_bound(expr, side, tail)
    except NotCertified:
        return None


def _softplus(arg, side, tail):
    exps = [t for t in arg.args if isinstance(t, sympy.exp)]
    if len(exps) != 1 or not exps[0].args[0].is_real:
        return None
    c = arg - exps[0]
    if c.has(x) or not bool(_number(c) >= 1):
        return None
    return _add({0: (1 + _number(c)).log()}, tail_bound(exps[0].args[0], side, tail))


def gaussian_tail(bound, sigma, mu, cut):
    """An upper bound (arb) of ``integral_{|x| >= T} sum_j c_j |x|^j rho(x) dx`` for one tail,
    ``rho`` the N(mu, sigma^2) density, ``T = |mu| + sigma L``, ``cut = L > 0``.

    With ``x = mu + sigma z``: ``|x| <= |mu| + sigma |z|`` and ``|z| >= L`` on the tail, and
    ``J_i = integral_L^oo z^i phi(z) dz`` is exact: ``J_0 = erfc(L/sqrt 2)/2``,
    ``J_1 = phi(L)``, ``J_i = L^(i-1) phi(L) + (i-1) J_(i-2)``.
    """
    flint = _flint()
    arb = flint.arb
    L = arb(cut)
    density = (-L * L / 2).exp() / (2 * arb.pi()).sqrt()
    J = [(L / arb(2).sqrt()).erfc() / 2, density]
    top = max(bound)
    for i in range(2, top + 1):
        J.append(L ** (i - 1) * density + (i - 1) * J[i - 2])
    total = arb(0)
    for j, c in bound.items():
        for i in range(j + 1):
            total += c * math.comb(j, i) * abs(mu) ** (j - i) * sigma ** i * J[i]
    return total


# -------------------------------------------------------------- quadrature tier

def _quadrature(pieces, sigma_expr, mu_expr, dps):
    """E[f(mu + sigma Z)] for a PiecewiseSmooth f: acb.integral on [-T, T] split at the
    breakpoints, plus both tails bounded by :func:`gaussian_tail`."""
    flint = _flint()
    arb, acb = flint.arb, flint.acb
    breaks = pieces.breakpoints
    for b in breaks:
        if not (b.is_Rational and sympy.Integer(b.q) & (b.q - 1) == 0):
            raise NotCertified(f"the breakpoint {b} is not a binary fraction, so it cannot be a segment end")
    parts = [translate(p.expr, x) for p in pieces.pieces]
    reach = max([abs(b) for b in breaks], default=0) + 1

    def evaluate():
        sigma, mu = _number(sigma_expr), _number(mu_expr)
        bits = flint.ctx.prec
        cut = int(math.isqrt(2 * bits)) + 2  # erfc(L/sqrt 2) ~ 2^-bits
        while True:
            T = int(math.ceil(float((abs(mu) + sigma * cut).upper()))) + 1
            if T <= reach:
                cut += 1
                continue
            tails = [gaussian_tail(tail_bound(p.expr, side, T), sigma, mu, arb(T - abs(mu).upper()) / sigma)
                     for p, side in ((pieces.pieces[-1], 1), (pieces.pieces[0], -1))]
            if all(t < arb(2) ** (-bits) for t in tails) or cut > 4 * bits:
                break
            cut += 2
        norm = 1 / (sigma * (2 * arb.pi()).sqrt())
        two_var = 2 * sigma * sigma

        def integrand(part):
            return lambda z, a: part(z, a) * (-(z - mu) ** 2 / two_var).exp()

        ends = [acb(flint.fmpq(int(e.p), int(e.q))) for e in map(sympy.Rational, [-T, *breaks, T])]
        total = acb(0)
        for part, lo, hi in zip(parts, ends, ends[1:]):  # dyadic ends: exact in acb
            total += acb.integral(integrand(part), lo, hi, rel_tol=arb(2) ** (-bits), abs_tol=arb(2) ** (-bits))
        value = _real(total * norm, "the Gaussian integral")
        return value + arb(0, tails[0].upper() + tails[1].upper())

    return evaluate


@engine_call
def certified_expectation(expr_or_name, sigma=1, mu=0, dps=30):
    """``E[f(mu + sigma Z)]`` as a :class:`Ball`: the closed form in Arb, else certified quadrature.

    >>> str(certified_expectation("relu", sigma=2, dps=15))
    '[0.79788456080286535588 +/- 1.2e-22]'
    """
    from .gaussian import _as_pieces, check_gaussian, exact_form  # lazy: certified is optional

    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    pieces = _as_pieces(expr_or_name)
    form = exact_form(pieces, mu)
    if form is not None:
        from .components import SIGMA
        from .quantity import without_erf_cancellation
        value = without_erf_cancellation(form[0].subs(SIGMA, sigma))  # an exact rewrite: c - c erf = c erfc
        try:
            ball = _refine(lambda: _number(value), dps, "the closed form")
            return Ball.from_arb(ball, dps + KEPT_DIGITS, f"exact: closed form ({form[1]}) in Arb")
        except NotCertified:
            pass  # the closed form uses a function without a ball translation: integrate instead
    ball = _refine(_quadrature(pieces, sigma, mu, dps), dps, "the certified quadrature")
    segments = len(pieces.pieces)
    return Ball.from_arb(ball, dps + KEPT_DIGITS,
                         f"quadrature: acb.integral on {segments} segment(s) of [-T, T] + proven tail bound")


# --------------------------------------------------------------------- signature

CERTIFIED_COMPONENTS = ("m1", "g1", "g2", "m2", "eta")


@engine_call
def certified_signature(phi, sigma=1, mu=0, dps=50):
    """``{name: Ball or refusal reason (str)}`` for m1, g1, g2, m2, eta.

    Expectations come from :func:`certified_expectation` (plus Dirac masses of phi' as
    exact closed forms); g2 = sqrt(chi) and eta = sigma^2 g1^2 / (m2 - m1^2) are ball
    arithmetic on the unrounded input balls.
    """
    from .activations import get_activation
    from .facts import facts
    from .gaussian import check_gaussian

    _flint()
    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    known = facts(get_activation(phi).expr)
    work = dps + KEPT_DIGITS  # the derived components lose a few digits to the arithmetic
    balls = {}
    for name, integrand in (("m1", PHI), ("g1", DPHI), ("chi", DPHI**2), ("m2", PHI**2)):
        try:
            extra, verdict = known.dirac_part(integrand, sigma, mu)
            if verdict is not None:
                raise (DivergenceError if verdict[0] == INFINITE else UndefinedError)(verdict[1])
            ball = certified_expectation(known.classical(integrand), sigma, mu, work)
            balls[name] = ball if extra == 0 else _combine(lambda v, e: v + e, [ball, extra], work)
        except SymsigError as exc:
            balls[name] = f"refused: {exc}"
    out = {name: balls[name] for name in ("m1", "g1", "m2")}
    out["g2"] = _derived(lambda chi: chi.sqrt(), [balls["chi"]], dps, "g2")
    out["eta"] = _derived(lambda g1, m1, m2: _number(sigma) ** 2 * g1 ** 2 / (m2 - m1 ** 2),
                          [balls["g1"], balls["m1"], balls["m2"]], dps, "eta")
    return {name: out[name] for name in CERTIFIED_COMPONENTS}


def _arb(item):
    """A Ball (its exact interval) or an exact SymPy number, as an arb at the current precision."""
    if isinstance(item, Ball):
        flint = _flint()
        mid, rad = (Fraction(Decimal(v)) for v in (item.mid, item.rad))
        to_arb = (lambda q: flint.arb(flint.fmpq(q.numerator, q.denominator)))
        return to_arb(mid) + flint.arb(0, to_arb(rad).upper())
    return _number(item)


def _combine(formula, inputs, dps):
    with _precision(int(dps * 3.33) + GUARD_BITS):
        return Ball.from_arb(formula(*[_arb(v) for v in inputs]), dps + KEPT_DIGITS, "ball arithmetic")


def _derived(formula, inputs, dps, name):
    refused = [v for v in inputs if isinstance(v, str)]
    if refused:
        return f"refused: needs an input that was refused ({refused[0]})"
    with _precision(int(dps * 3.33) + 2 * GUARD_BITS):
        value = formula(*[_arb(v) for v in inputs])
        if not value.is_finite():
            return f"refused: {name} is not finite in ball arithmetic (a denominator ball contains 0)"
        return Ball.from_arb(value, dps + KEPT_DIGITS, "ball arithmetic on certified inputs")


# --------------------------------------------------------------- Mittag-Leffler

#: the largest cancellation (log2 of the largest series term over 1) a Mittag-Leffler ball absorbs
MAX_CANCELLATION_BITS = 2**16
#: the most series terms summed, and the largest p, q of a = p/q on the hypergeometric path
ML_MAX_TERMS, ML_MAX_PQ = 50_000, 32
ML_METHODS = ("auto", "series", "hypergeometric")


@dataclass(frozen=True)
class ComplexBall:
    """A complex value as two real balls: the rectangle ``real x imag``."""

    real: Ball
    imag: Ball
    method: str = ""

    def contains(self, value):
        if isinstance(value, (str, sympy.Basic)):
            re, im = exact_number(value).as_real_imag()
        else:  # Python and mpmath numbers
            re, im = value.real, value.imag
        return self.real.contains(re) and self.imag.contains(im)

    def as_dict(self):
        return {"real": self.real.as_dict(), "imag": self.imag.as_dict(), "certified": True}

    def __str__(self):
        return f"{self.real} + {self.imag}*I"


def _largest_term_bits(a, b, z):
    """log2 of the largest |z^k / Gamma(a k + b)| (a float estimate: it only picks the precision;
    the balls carry the proof).  The term is largest where a k + b ~ |z|^(1/a)."""
    size = abs(z)
    if size == 0:
        return 0.0, 0
    try:
        hump = max(0.0, (size ** (1 / a) - b) / a)
    except OverflowError:
        return math.inf, math.inf
    if hump > 1e15:
        return math.inf, math.inf
    best = 0.0
    for k in {*range(min(int(hump), 64) + 1), *range(max(0, int(hump) - 2), int(hump) + 3)}:
        arg = a * k + b
        if arg > 0 or arg != math.floor(arg):
            best = max(best, (k * math.log(size) - math.lgamma(arg)) / math.log(2))
    return best, hump


def _ml_series(a, b, z, rational, bits):
    """sum_k z^k / Gamma(a k + b) in acb plus a proven bound of the remainder.

    From the first k with ``x_k = a k + b > 0``, ``|t_(j+1) / t_j| = |z| Gamma(x_j) / Gamma(x_j + a)``
    is at most ``r = |z| Gamma(x_k) / Gamma(x_k + a)`` for every j >= k, because
    ``log Gamma(x + a) - log Gamma(x)`` increases on x > 0 (digamma increases); when r < 1 the
    remainder is at most ``|t_k| / (1 - r)``.  For a = p/q the reciprocal Gammas follow
    ``1/Gamma(x + p) = 1/Gamma(x) / (x)_p`` once x > 0.
    """
    flint = _flint()
    arb, acb = flint.arb, flint.acb
    size = abs(z)
    tol_bits = bits - 16  # the stop: remainder below 2^-tol_bits |partial sum|
    total, power, last = acb(0), acb(1), []
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
        term = power * gamma_inv
        if bool(x_k > 0):
            magnitude = abs(term).upper()
            tol = arb(2) ** (-tol_bits) * abs(total).mid() if total != 0 else arb(0)
            if magnitude <= tol or magnitude < arb(2) ** (-2 * bits):
                with _precision(64):  # r is an upper bound at any precision
                    ratio = size * (x_k.lgamma() - (x_k + a).lgamma()).exp()
                if bool(ratio < 1):
                    remainder = (magnitude / (1 - ratio)).upper()
                    return total + acb(arb(0, remainder), arb(0, remainder) if z.imag != 0 else 0), k
        total += term
        power *= z
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
def certified_mittag_leffler(a, b, z, dps=30, method="auto"):
    """``E_{a,b}(z) = sum_k z^k / Gamma(a k + b)`` as a :class:`Ball` (real z) or a
    :class:`ComplexBall`, accurate to ``dps`` digits, or :class:`NotCertified` with the reason.

    ``a >= 0`` and ``b`` real exact numbers (strings are exact decimals, floats their binary
    value).  Paths: ``a = 0`` the closed form ``1 / (Gamma(b) (1 - z))``; rational ``a = p/q``
    (p, q <= 32) the finite sum of regularized 1F_p that Arb evaluates rigorously
    (:func:`_ml_hypergeometric`); else the series with a proven remainder (:func:`_ml_series`).
    The working precision is raised by the size of the largest series term (the cancellation
    at negative z), up to ``MAX_CANCELLATION_BITS``.

    >>> str(certified_mittag_leffler("1/2", 1, -5, dps=15))  # exp(25) erfc(5)
    '[0.11070463773306862637 +/- 3.5e-22]'
    """
    dps = check_dps(dps)
    if method not in ML_METHODS:
        raise InputError(f"method must be one of {', '.join(ML_METHODS)}; got {method!r}")
    flint = _flint()
    a_exact, b_exact = exact_number(a, "alpha"), exact_number(b, "beta")
    z_re, z_im = exact_number(z, "z").as_real_imag()
    for name, value in (("alpha", a_exact), ("beta", b_exact)):
        if not value.is_real:
            raise InputError(f"{name} must be real, got {value}")
    if a_exact < 0:
        raise InputError(f"alpha must be >= 0, got {a_exact}")
    rational = (int(a_exact.p), int(a_exact.q)) if a_exact.is_Rational and a_exact > 0 else None
    if a_exact == 0:
        path = "closed form"
    elif method == "hypergeometric" or (method == "auto" and rational and max(rational) <= ML_MAX_PQ):
        if rational is None:
            raise NotCertified(f"the hypergeometric form needs a rational alpha, got {a_exact}")
        path = "hypergeometric"
    else:
        path = "series"
    z_approx = complex(sympy.N(z_re, 20), sympy.N(z_im, 20))
    cancel, hump = _largest_term_bits(float(a_exact), float(b_exact), z_approx) if a_exact else (0.0, 0)
    base = int(dps * 3.33) + GUARD_BITS + (int(hump).bit_length() if path == "series" else 0)
    beyond = cancel > MAX_CANCELLATION_BITS
    if path == "series" and (beyond or hump > ML_MAX_TERMS):
        raise NotCertified(f"the series terms of E_{{{a_exact},{b_exact}}}({z_re + sympy.I * z_im}) reach "
                           f"2^{cancel:.3g} near k = {hump:.3g}: beyond the caps of {MAX_CANCELLATION_BITS} "
                           f"guard bits and {ML_MAX_TERMS} terms")
    extra = 0 if beyond else math.ceil(max(cancel, 0))
    for attempt in range(3):
        bits = base * 2 ** attempt + extra
        with _precision(bits):
            zz = flint.acb(_number(z_re), _number(z_im))
            b_arb = _number(b_exact)
            if path == "closed form":
                value = b_arb.rgamma() / (1 - zz)
                how = "closed form 1/(Gamma(b) (1 - z)) in Arb"
            elif path == "hypergeometric":
                p, q = rational
                value = _ml_hypergeometric(p, q, b_arb, zz)
                how = f"hypergeometric: {q} regularized 1F{p} in Arb (a = {p}/{q})"
            else:
                value, terms = _ml_series(_number(a_exact), b_arb, zz, rational, bits)
                how = f"series: {terms} terms + proven geometric remainder"
            if _ml_accurate(value, dps):
                limit = flint.arb(2) ** MAX_CANCELLATION_BITS
                if not bool(abs(value) < limit) or not bool(abs(value) * limit > 1):
                    raise NotCertified(f"|E| = {abs(value).mid().str(3, radius=False)} lies outside the range "
                                       f"2^-{MAX_CANCELLATION_BITS} .. 2^{MAX_CANCELLATION_BITS} of a decimal Ball")
                digits = dps + KEPT_DIGITS
                method_text = f"{how}, {bits} bits"
                if z_im == 0:
                    return Ball.from_arb(_real(value, "E_{a,b}(z)"), digits, method_text)
                return ComplexBall(Ball.from_arb(value.real, digits), Ball.from_arb(value.imag, digits), method_text)
    if beyond:
        raise NotCertified(f"cancellation: the series terms reach 2^{cancel:.3g} (near k = {hump:.3g}), "
                           f"beyond the cap of {MAX_CANCELLATION_BITS} guard bits")
    raise NotCertified(f"no ball accurate to {dps} digits at up to {bits} bits")


__all__ = ["Ball", "ComplexBall", "NotCertified", "certified_expectation", "certified_mittag_leffler",
           "certified_signature", "certified_value", "tail_bound", "gaussian_tail", "translate"]
