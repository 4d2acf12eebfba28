"""Instance verification of an affine law on a concrete activation.

``psi = c*phi(a*x + b) + d`` is built explicitly; psi's component at
``(mu, sigma)`` is computed from scratch by :func:`symsig.signature.signature`
(the registered definition), and independently phi's statistics at
``(a*mu + b, |a|*sigma)`` are computed here, with fixed meanings (m1 = E[PHI],
chi = E[DPHI**2], E[...] monomials, slopes, TV, C, B, Lip), and pushed through
the law.  The two
are compared exactly (SymPy) when both are exact, else to ``dps`` digits.
"""

from dataclasses import dataclass

import sympy

from ..activations import x
from ..bounded import attempt
from ..errors import InputError, UndefinedError
from ..precision import FIXED, engine_call, exact_number, mp, short_str, to_mpmath, workdps
from ..quantity import Quantity
from . import terms
from .derive import MONOMIAL_NAMES, read_integrand
from .terms import Stat

_TRANSFORMS = {"g2": ("chi", sympy.sqrt), "g4": ("E[DPHI**4]", lambda v: v ** sympy.Rational(1, 4))}


@dataclass(frozen=True)
class LawCheck:
    """Both sides of a law on an instance and whether they agree."""

    name: str
    direct: Quantity
    via_law: Quantity
    agree: object  # True, False, or None when the law does not determine the value
    how: str

    def __str__(self):
        return (f"{self.name}[psi]: from scratch {_show(self.direct)} ({self.direct.method}); "
                f"through the law {_show(self.via_law)} ({self.via_law.method}); "
                f"{ {True: 'agree', False: 'DISAGREE', None: 'not determined'}[self.agree]} ({self.how})")

    def __bool__(self):
        return self.agree is True


def _show(q):
    return q.reason and f"undefined ({q.reason})" if q.status == "undefined" else str(q)


def _as_expr(phi):
    from ..activations import get_activation
    return get_activation(phi).expr


@engine_call
def direct_component(psi, law, sigma, mu, dps):
    """psi's component from scratch: :func:`symsig.signature.signature` for a registered component.

    Laws of unregistered expectations (``register_expectation_law``) are
    computed from their own integrand and transform.
    """
    from ..signature import COMPONENTS, signature
    if law.name in COMPONENTS:
        return signature(psi, sigma, mu, dps, components=(law.name,))[law.name]
    return component(psi, law.name, sigma, mu, dps, definition=law.definition)


@engine_call
def component(f, name, sigma, mu, dps, definition=None):
    """Statistic ``name`` of the activation expression f at (mu, sigma), as a Quantity.

    This is the law side's own computation (Gaussian expectations of the
    classical derivatives plus explicit Dirac masses, slopes, regularity
    functionals), independent of the signature registry, so a user's swapped
    convention never changes what a statistic of phi in a law means.
    ``definition = (integrand, transform)`` computes an expectation component.
    """
    from ..calculus import slope
    from ..regularity import areas, lipschitz, total_variation
    f = _as_expr(f)
    if definition is not None:
        integrand, transform = definition
        value = _expectation(f, integrand, sigma, mu, dps)
        return value if transform is None else _apply(transform, [value], dps, f"{name} from E[{integrand}]")
    if name in _TRANSFORMS:
        inner, transform = _TRANSFORMS[name]
        return _apply(transform, [component(f, inner, sigma, mu, dps)], dps, f"{name} from {inner}")
    integrand = monomial_integrand(name)
    if integrand is not None:
        return _expectation(f, integrand, sigma, mu, dps)
    if name == "eta":
        m1, g1, m2 = (component(f, n, sigma, mu, dps) for n in ("m1", "g1", "m2"))
        return _apply(lambda m1, g1, m2: _eta(sigma, m1, g1, m2), [m1, g1, m2], dps, "eta from m1, g1, m2")
    if name in ("alpha_plus", "alpha_minus"):
        return slope(f, 1 if name == "alpha_plus" else -1, dps)
    if name == "TV":
        return total_variation(f, dps)
    if name == "Lip":
        return lipschitz(f, dps)
    if name in ("C", "B"):
        c_area, b_area = areas(f, slope(f, 1, dps), slope(f, -1, dps), dps)
        return c_area if name == "C" else b_area
    raise InputError(f"no instance verification for the component {name!r}")


def monomial_integrand(name):
    """The integrand of a monomial statistic (m1, g1, chi, m2, ``E[...]``), or None."""
    names = {v: k for k, v in MONOMIAL_NAMES.items()}
    if name in names:
        return names[name]
    if name.startswith("E[") and name.endswith("]"):
        return read_integrand(name[2:-1])
    return None


def _expectation(f, integrand, sigma, mu, dps):
    """E[integrand(f, f', f'')] at (mu, sigma): classical derivatives plus the Dirac masses we can name."""
    from ..calculus import decompose
    from ..gaussian import expectation
    pieces = decompose(f)
    first = pieces.diff()
    second = first.diff()
    dirac = _dirac_part(integrand, pieces, first, sigma, mu)
    classical = integrand.xreplace({terms.PHI: pieces.as_expr(), terms.DPHI: first.as_expr(),
                                    terms.DDPHI: second.as_expr()})
    value = expectation(classical, sigma=sigma, mu=mu, dps=dps)
    if dirac == 0 or not value.is_finite:
        return value
    method = value.method + " + Dirac masses (exact)"
    if value.exact is not None:
        return Quantity.from_exact(attempt(sympy.simplify, value.exact + dirac) or value.exact + dirac,
                                   method, dps)
    with workdps(dps):
        return Quantity.numeric(value.value + to_mpmath(dirac), value.error, method, dps)


def _dirac_part(integrand, pieces, first, sigma, mu):
    """Exact contribution of phi's jumps (to DPHI) and phi''s kinks (to DDPHI)."""
    jumps, kinks = pieces.jumps(), first.jumps()
    if jumps and integrand.has(terms.DDPHI):
        raise InputError("phi jumps, so phi'' holds derivatives of Dirac masses; verify on a continuous phi")
    if jumps and integrand.has(terms.DPHI) and integrand != terms.DPHI:
        raise InputError(f"phi jumps, so E[{integrand}] multiplies or squares a Dirac mass; "
                         "verify this statistic on a continuous phi")
    total = sympy.Integer(0)
    for masses, symbol in ((jumps, terms.DPHI), (kinks, terms.DDPHI)):
        if not masses or not integrand.has(symbol):
            continue
        coefficient = sympy.expand(integrand).coeff(symbol, 1)
        if sympy.degree(integrand, symbol) != 1 or coefficient.has(terms.DPHI, terms.DDPHI):
            raise InputError(f"phi' jumps, so E[{integrand}] squares a Dirac mass or multiplies it by a "
                             "jumping phi'; verify this statistic on a C^1 phi")
        for point, jump in masses.items():
            density = sympy.exp(-(point - mu) ** 2 / (2 * sigma**2)) / (sigma * sympy.sqrt(2 * sympy.pi))
            total += jump * coefficient.xreplace({terms.PHI: _value_at(pieces, point)}) * density
    return total


def _value_at(pieces, point):
    index = next(i for i, p in enumerate(pieces.pieces) if p.hi == point)
    return pieces.one_sided(index, point)


def _eta(sigma, m1, g1, m2):
    variance = m2 - m1**2
    if variance == 0:
        raise UndefinedError("eta is undefined: the output variance m2 - m1**2 is 0")
    return sigma**2 * g1**2 / variance


def _apply(func, quantities, dps, method):
    """func of Quantities: exact if all are exact, else numeric at dps digits (None status passes on)."""
    for q in quantities:
        if q.status == "undefined":
            return q
    if all(q.exact is not None for q in quantities):
        try:
            value = func(*[q.exact for q in quantities])
        except UndefinedError as exc:
            return Quantity.undefined(str(exc), method, dps)
        value = attempt(sympy.simplify, value) or value
        if value.has(sympy.nan, sympy.zoo):
            return Quantity.undefined("the law gives an indeterminate form", method, dps)
        return Quantity.from_exact(value, f"{method} (exact)", dps)
    with workdps(dps):
        try:
            value = func(*[q.value for q in quantities])
        except UndefinedError as exc:
            return Quantity.undefined(str(exc), method, dps)
        if isinstance(value, sympy.Basic):  # a law's right side with the numbers put in
            value = to_mpmath(value)
        error = sum((abs(q.error or 0) for q in quantities), mp.mpf(0)) * 10 + abs(value) * mp.eps
    if FIXED.isinf(value):
        return Quantity.infinite(1 if value > 0 else -1, method, dps)
    return Quantity.numeric(value, error, f"{method} (numeric)", dps)


def _law_value(law, phi, a, b, c, d, sigma, mu, dps):
    """psi's component through the law from phi's statistics at (a*mu + b, |a|*sigma)."""
    rhs = law.rhs[1 if a > 0 else -1]
    rhs = rhs.xreplace({terms.a: a, terms.b: b, terms.c: c, terms.d: d, terms.mu: mu, terms.sigma: sigma})
    stats = sorted(rhs.atoms(Stat), key=sympy.default_sort_key)
    if law.name in ("C", "B"):
        return _tail_law(law.name, phi, a, b, c, d, dps)
    if law.name == "eta" and c == 0:
        return Quantity.undefined("c = 0: psi is constant, its variance is 0", "eta law", dps)
    values = [component(phi, s.name, s.point[1], s.point[0], dps) if s.point
              else component(phi, s.name, 1, 0, dps) for s in stats]
    if law.name in ("alpha_plus", "alpha_minus") and values[0].status == "infinite":
        if c == 0:
            return Quantity.from_exact(0, "slope law (c = 0)", dps)
        return Quantity.infinite(int(sympy.sign(c * a)) * (1 if values[0].value > 0 else -1), "slope law", dps)
    method = f"{law.name} law from phi at (a*mu + b, |a|*sigma)"
    return _apply(lambda *vals: rhs.xreplace(dict(zip(stats, vals))), values, dps, method)


class _NotDetermined(Exception):
    """The law leaves psi's value open (args: reason, method); caught in :func:`verify_law`."""


def _tail_law(name, phi, a, b, c, d, dps):
    from ..calculus import slope
    from ..regularity import areas
    ap, am = slope(phi, 1, dps), slope(phi, -1, dps)
    if c == 0:
        value = 0 if d == 0 else (sympy.oo if name == "C" else sympy.oo * sympy.sign(d))
        return Quantity.from_exact(value, f"{name} law (c = 0)", dps)
    if not (ap.is_finite and am.is_finite):
        return Quantity.undefined("a slope of phi is infinite or undefined", f"{name} law", dps)
    c_area, b_area = areas(phi, ap, am, dps)
    base = c_area if name == "C" else b_area
    slopes = [q.exact if q.exact is not None else q.value for q in (ap, am)]
    # psi's offsets at x -> +oo and x -> -oo: the slope of phi at the end that u = a*x + b reaches
    ends = slopes if a > 0 else slopes[::-1]
    offsets = [c * s * b + d for s in ends]
    if all(_is_zero(k, dps) for k in offsets):
        factor = (abs(c) if name == "C" else c) / abs(a)
        return _apply(lambda v: factor * v, [base], dps, f"{name} law")
    if not c_area.is_finite:
        if name == "C" and _misses_at_infinity(phi, a, c, offsets, slopes):
            return Quantity.infinite(1, "C law: psi - l tends to a nonzero constant on a tail", dps)
        raise _NotDetermined(f"{name}[phi] is infinite and an asymptote of psi misses the origin: "
                             "the law does not determine it", f"{name} law")
    if name == "C":
        return Quantity.infinite(1, "C law: an asymptote of psi misses the origin", dps)
    with workdps(dps):
        signs = {int(mp.sign(to_mpmath(k) if isinstance(k, sympy.Basic) else k))
                 for k in offsets if not _is_zero(k, dps)}
    if len(signs) == 2:
        return Quantity.undefined("the two tails of psi - l diverge with opposite signs", "B law", dps)
    return Quantity.infinite(signs.pop(), "B law: an asymptote of psi misses the origin", dps)


def _misses_at_infinity(phi, a, c, offsets, slopes):
    """True when on some tail psi - l_psi -> c*L + k != 0, L = lim (phi - l_phi) at the end u reaches."""
    from ..calculus import decompose, symbolic_limit
    pieces = decompose(phi).pieces
    for direction, offset in zip((1, -1), offsets):
        end = direction if a > 0 else -direction  # the end of phi that u = a*x + b reaches
        alpha = slopes[0] if end > 0 else slopes[1]
        limit = symbolic_limit(pieces[-1 if end > 0 else 0].expr - alpha * x, end * sympy.oo)
        if limit is not None and limit.is_finite and (c * limit + offset).is_nonzero:
            return True
    return False


def _is_zero(value, dps):
    if isinstance(value, sympy.Basic) and not value.has(sympy.Float):
        return attempt(sympy.simplify, value) == 0
    with workdps(dps):
        return abs(to_mpmath(value) if isinstance(value, sympy.Basic) else value) < mp.mpf(10) ** (-dps)


def _agree(p, q, dps):
    if p.status == "undefined" or q.status == "undefined":
        return p.status == q.status, "both undefined" if p.status == q.status else "one side undefined"
    if p.status == "infinite" or q.status == "infinite":
        return p.value == q.value, "infinite"
    if p.exact is not None and q.exact is not None:
        difference = attempt(sympy.simplify, p.exact - q.exact)
        if difference == 0:
            return True, "exactly (SymPy)"
    with workdps(dps):
        tolerance = mp.mpf(10) ** (-dps) * max(1, abs(p.value)) + (p.error or 0) + (q.error or 0)
        ok = abs(p.value - q.value) <= tolerance
    return bool(ok), f"to {dps} digits (|difference| = {short_str(abs(p.value - q.value), 3)})"


@engine_call
def verify_law(law, phi, a=1, b=0, c=1, d=0, sigma=1, mu=0, dps=30):
    """See :meth:`symsig.laws.law.AffineLaw.verify`."""
    a, b, c, d, sigma, mu = [exact_number(v, n) for v, n in
                             zip((a, b, c, d, sigma, mu), ("a", "b", "c", "d", "sigma", "mu"))]
    if a == 0:
        raise InputError("a must be nonzero: psi(x) = c*phi(a*x + b) + d with a = 0 is a constant")
    phi = _as_expr(phi)
    psi = c * phi.xreplace({x: a * x + b}) + d
    point = (sigma, mu) if law.lhs.point else (1, 0)
    direct = direct_component(psi, law, *point, dps)
    try:
        via = _law_value(law, phi, a, b, c, d, sigma, mu, dps)
    except _NotDetermined as exc:
        reason, method = exc.args
        return LawCheck(law.name, direct, Quantity.undefined(reason, method, dps), None,
                        "the law does not apply here: " + reason)
    agree, how = _agree(direct, via, dps)
    return LawCheck(law.name, direct, via, agree, how)


__all__ = ["LawCheck", "verify_law", "component", "direct_component", "monomial_integrand"]
