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
from enum import StrEnum

import sympy

from ..activations import x
from ..bounded import attempt
from ..components import BUILTIN, COMPONENTS, MOMENTS, SIGMA, Kind, read_integrand
from ..errors import InputError, UndefinedError
from ..facts import facts
from ..precision import FIXED, engine_call, exact_number, lambdify_mpmath, mp, short_str, to_mpmath, workdps
from ..quantity import INFINITE, UNDEFINED, Quantity
from . import terms
from .terms import Stat


class Agreement(StrEnum):
    AGREE = "agree"
    DISAGREE = "DISAGREE"
    NOT_DETERMINED = "not determined"  # the law does not determine psi's value here


@dataclass(frozen=True)
class LawCheck:
    """Both sides of a law on an instance and whether they agree."""

    name: str
    direct: Quantity
    via_law: Quantity
    agree: Agreement
    how: str

    def __str__(self):
        return (f"{self.name}[psi]: from scratch {_show(self.direct)} ({self.direct.method}); "
                f"through the law {_show(self.via_law)} ({self.via_law.method}); "
                f"{self.agree} ({self.how})")

    def __bool__(self):
        return self.agree == Agreement.AGREE


def _show(q):
    return q.reason and f"undefined ({q.reason})" if q.status == UNDEFINED else str(q)


def _as_expr(phi):
    from ..activations import get_activation
    return get_activation(phi).expr


@engine_call
def direct_component(psi, law, sigma, mu, dps):
    """psi's component from scratch: :func:`symsig.signature.signature` for a registered component.

    Laws of unregistered expectations (``register_expectation_law``) are
    computed from their own integrand and transform.
    """
    from ..signature import signature
    if law.name in COMPONENTS:
        return signature(psi, sigma, mu, dps, components=(law.name,))[law.name]
    return component(psi, law.name, sigma, mu, dps, definition=law.definition)


@engine_call
def component(f, name, sigma, mu, dps, definition=None):
    """Statistic ``name`` of the activation expression f at (mu, sigma), as a Quantity.

    This is the law side's own computation with the built-in meaning of ``name``
    (:data:`symsig.components.BUILTIN`: m1 = E[PHI], chi = E[DPHI**2], eta's
    formula, slopes, TV, C, B, Lip; ``E[...]`` names a monomial expectation),
    independent of the registry, so a user's swapped convention never changes
    what a statistic of phi in a law means.  ``definition = (integrand,
    transform)`` computes an expectation component.
    """
    f = _as_expr(f)
    integrand = monomial_integrand(name)
    if definition is None and integrand is not None:
        definition = (integrand, None)
    if definition is not None:
        integrand, transform = definition
        value = _expectation(f, integrand, sigma, mu, dps)
        return value if transform is None else _apply(transform, [value], dps, f"{name} from E[{integrand}]")
    spec = BUILTIN.get(name)
    if spec is None:
        raise InputError(f"no instance verification for the component {name!r}")
    if spec.kind == Kind.EXPECTATION:
        return component(f, name, sigma, mu, dps, definition=(spec.integrand, spec.transform))
    if spec.kind == Kind.DERIVED:
        inputs = [component(f, inner, sigma, mu, dps) for inner in spec.inputs]
        formula = spec.formula.xreplace({SIGMA: sigma})
        return _apply(lambda *values: _formula_value(name, formula, spec.inputs, values), inputs, dps,
                      f"{name} from {', '.join(spec.inputs)}")
    return spec.compute(facts(f), dps)


def monomial_integrand(name):
    """The integrand of a moment (m1, g1, chi, m2) or of ``E[...]``, or None."""
    if name in MOMENTS:
        return BUILTIN[name].integrand
    if name.startswith("E[") and name.endswith("]"):
        return read_integrand(name[2:-1])
    return None


def _expectation(f, integrand, sigma, mu, dps):
    """E[integrand(f, f', f'')] at (mu, sigma): classical derivatives plus the Dirac masses."""
    from ..gaussian import expectation
    known = facts(f)
    dirac, verdict = known.dirac_part(integrand, sigma, mu)
    if verdict is not None:
        status, reason = verdict
        return (Quantity.infinite(1, "Dirac mass", dps, reason=reason) if status == INFINITE
                else Quantity.undefined(reason, "Dirac mass", dps))
    value = expectation(known.classical(integrand), sigma=sigma, mu=mu, dps=dps)
    if dirac == 0 or not value.is_finite:
        return value
    method = value.method + " + Dirac masses (exact)"
    if value.exact is not None:
        return Quantity.from_exact(attempt(sympy.simplify, value.exact + dirac) or value.exact + dirac,
                                   method, dps)
    with workdps(dps):
        return Quantity.numeric(value.value + to_mpmath(dirac), value.error, method, dps)


def _formula_value(name, formula, names, values):
    """A derived component's formula at its inputs' values (exact or mpmath)."""
    symbols = [sympy.Symbol(n) for n in names]
    denominator = sympy.denom(sympy.together(formula))
    if all(isinstance(v, sympy.Basic) for v in values):
        substitution = dict(zip(symbols, values))
        if attempt(sympy.simplify, denominator.xreplace(substitution)) == 0:
            raise UndefinedError(f"{name} is undefined: its denominator {denominator} is 0 here")
        return formula.xreplace(substitution)
    if lambdify_mpmath(symbols, denominator)(*values) == 0:
        raise UndefinedError(f"{name} is undefined: its denominator {denominator} is 0 here")
    return lambdify_mpmath(symbols, formula)(*values)


def _apply(func, quantities, dps, method):
    """func of Quantities: exact if all are exact, else numeric at dps digits (None status passes on)."""
    for q in quantities:
        if q.status == UNDEFINED:
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
        return Quantity.infinite(1 if value > 0 else -1, method, dps, proved=False)
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
    if law.name in ("alpha_plus", "alpha_minus") and values[0].status == INFINITE:
        if c == 0:
            return Quantity.from_exact(0, "slope law (c = 0)", dps)
        return Quantity.infinite(int(sympy.sign(c * a)) * (1 if values[0].value > 0 else -1), "slope law", dps)
    method = f"{law.name} law from phi at (a*mu + b, |a|*sigma)"
    return _apply(lambda *vals: rhs.xreplace(dict(zip(stats, vals))), values, dps, method)


class _NotDetermined(Exception):
    """The law leaves psi's value open (args: reason, method); caught in :func:`verify_law`."""


def _tail_law(name, phi, a, b, c, d, dps):
    known = facts(phi)
    ap, am = known.slopes(dps)
    if c == 0:
        value = 0 if d == 0 else (sympy.oo if name == "C" else sympy.oo * sympy.sign(d))
        return Quantity.from_exact(value, f"{name} law (c = 0)", dps)
    if not (ap.is_finite and am.is_finite):
        return Quantity.undefined("a slope of phi is infinite or undefined", f"{name} law", dps)
    c_area, b_area = known.areas(dps)
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
    from ..calculus import symbolic_limit
    pieces = facts(phi).pieces.pieces
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
    if p.status == UNDEFINED or q.status == UNDEFINED:
        return p.status == q.status, "both undefined" if p.status == q.status else "one side undefined"
    if p.status == INFINITE or q.status == INFINITE:
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
        return LawCheck(law.name, direct, Quantity.undefined(reason, method, dps), Agreement.NOT_DETERMINED,
                        "the law does not apply here: " + reason)
    agree, how = _agree(direct, via, dps)
    return LawCheck(law.name, direct, via, Agreement.AGREE if agree else Agreement.DISAGREE, how)


__all__ = ["Agreement", "LawCheck", "verify_law", "component", "direct_component", "monomial_integrand"]
