"""Certified ``E[f(mu + sigma Z)]``: the closed form in Arb, else acb.integral plus a proven tail bound."""

import math

import sympy

from ..activations import x
from ..bounded import simplify
from ..precision import engine_call
from .ball import Ball, KEPT_DIGITS, NotCertified, _flint, _real, _refine
from .translate import _number, translate

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
            j = simplify(g.args[0] / e.args[0]) if isinstance(g, sympy.exp) else None  # bounded
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
    from ..gaussian_exact import as_pieces, check_gaussian, exact_form  # lazy: certified is optional

    sigma, mu, dps = check_gaussian(sigma, mu, dps)
    pieces = as_pieces(expr_or_name)
    form = exact_form(pieces, mu)
    if form is not None:
        from ..components import SIGMA
        from ..quantity import without_erf_cancellation
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
