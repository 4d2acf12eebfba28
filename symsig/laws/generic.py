"""The affine laws of the built-in components, for a generic phi, with their derivations.

``psi(x) = c*phi(a*x + b) + d``, ``a != 0``.  Gaussian components of psi at
``(mu, sigma)`` come from phi's at ``(a*mu + b, |a|*sigma)`` (because
``a*(mu + sigma*Z) + b`` has the law of ``a*mu + b + |a|*sigma*Z``: for
``a < 0`` that is the substitution ``z -> -z``).  Functionals over R (slopes,
TV, C, B, Lip) follow from the change of variables ``u = a*x + b``.
"""

import sympy
from sympy import Abs, Derivative, Integral, Limit, oo

from ..components import BUILTIN, MOMENTS
from ..precision import engine_call
from .derive import expectation_chain, expectation_definition, law_rhs
from .law import AffineLaw, Registry, derive_law
from .proof import Step
from .terms import DPHI, D, Stat, Sup, a, b, c, d, mu, phi, sigma, u, x

M, S = a * mu + b, Abs(a) * sigma


def _stat(name, *point):
    return Stat(name, "phi", *point)


def _slope_definition(direction):
    return lambda f: Limit(f(x) / x, x, direction * oo)


def _derivative(f, order):
    return Derivative(f(x), (x, order))


def _tail_integrals(f, absolute):
    wrap = Abs if absolute else (lambda e: e)
    lo = wrap(f(x) - Stat("alpha_minus", _fn(f)) * x)
    hi = wrap(f(x) - Stat("alpha_plus", _fn(f)) * x)
    return Integral(lo, (x, -oo, 0)) + Integral(hi, (x, 0, oo))


_REGISTRY = Registry()


def _fn(f):
    return next(name for name, g in _REGISTRY.functions.items() if g == f)


#: The built-in components whose laws are proved here by hand (the others' laws are derived).
NAMES = ("m1", "g1", "g2", "chi", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C", "B", "g4", "Lip")
# the moments, and E[phi'^4] under g4
_EXPECTATIONS = {**{name: BUILTIN[name].integrand for name in MOMENTS}, "E[DPHI**4]": DPHI**4}


def _definitions():
    defs = {name: expectation_definition(integrand) for name, integrand in _EXPECTATIONS.items()}
    defs["g2"] = lambda f, m, s: sympy.sqrt(Stat("chi", _fn(f), m, s))
    defs["g4"] = lambda f, m, s: Stat("E[DPHI**4]", _fn(f), m, s) ** sympy.Rational(1, 4)
    defs["eta"] = lambda f, m, s: (s**2 * Stat("g1", _fn(f), m, s)**2
                                   / (Stat("m2", _fn(f), m, s) - Stat("m1", _fn(f), m, s)**2))
    defs["alpha_plus"] = _slope_definition(1)
    defs["alpha_minus"] = _slope_definition(-1)
    defs["TV"] = lambda f: Integral(Abs(_derivative(f, 2)), (x, -oo, oo))
    defs["Lip"] = lambda f: Sup(Abs(_derivative(f, 1)), x)
    defs["C"] = lambda f: _tail_integrals(f, True)
    defs["B"] = lambda f: _tail_integrals(f, False)
    return defs


def _case_parameters(case):
    return tuple(case.subs.get(s, s) for s in (a, b, c, d))


def _dphi(point, order=1):
    return D(order, point)


def _transformed(inner, transform):
    def derive(case):
        aa = case.subs[a]
        return [Step(transform(Stat(inner, "psi", mu, sigma)), "definition"),
                Step(transform(_REGISTRY.law(inner).claim(aa)[1]), "law", (inner,))]
    return derive


def _eta(case):
    aa = case.subs[a]
    g1, m2, m1 = (Stat(n, "psi", mu, sigma) for n in ("g1", "m2", "m1"))
    unfolded = sigma**2 * g1**2 / (m2 - m1**2)
    cited = unfolded.xreplace({s: _REGISTRY.law(s.name).claim(aa)[1] for s in (g1, m2, m1)})
    return [Step(unfolded, "definition"), Step(cited, "law", ("g1", "m2", "m1"))]


def _slope(direction):
    def derive(case):
        aa, bb, cc, dd = _case_parameters(case)
        target = direction * (1 if aa.is_positive else -1) * oo
        return [
            Step(Limit((cc * phi(aa * x + bb) + dd) / x, x, direction * oo), "definition"),
            Step(Limit(aa * (cc * phi(u) + dd) / (u - bb), u, target), "change_of_variables", (x, u, aa * x + bb)),
            Step(cc * aa * Limit(phi(u) / u, u, target) * Limit(u / (u - bb), u, target)
                 + aa * dd * Limit(1 / (u - bb), u, target), "limit_arithmetic"),
            Step(cc * aa * Limit(phi(u) / u, u, target), "evaluate"),
        ]
    return derive


def _tv(case):
    aa, bb, cc, dd = _case_parameters(case)
    inner = aa * x + bb
    return [
        Step(Integral(Abs(Derivative(cc * phi(inner) + dd, (x, 2))), (x, -oo, oo)), "definition"),
        Step(Integral(Abs(cc * aa**2 * _dphi(inner, 2)), (x, -oo, oo)), "chain_rule"),
        Step(Integral(Abs(cc) * aa**2 * Abs(_dphi(inner, 2)), (x, -oo, oo)), "algebra"),
        Step(Abs(cc) * aa**2 * Integral(Abs(_dphi(inner, 2)), (x, -oo, oo)), "linearity"),
        Step(Abs(cc) * aa**2 / Abs(aa) * Integral(Abs(D(2, u)), (u, -oo, oo)),
             "change_of_variables", (x, u, inner)),
    ]


def _lip(case):
    aa, bb, cc, dd = _case_parameters(case)
    inner = aa * x + bb
    return [
        Step(Sup(Abs(Derivative(cc * phi(inner) + dd, x)), x), "definition"),
        Step(Sup(Abs(cc * aa * _dphi(inner)), x), "chain_rule"),
        Step(Sup(Abs(cc) * Abs(aa) * Abs(_dphi(inner)), x), "algebra"),
        Step(Abs(cc) * Abs(aa) * Sup(Abs(_dphi(inner)), x), "homogeneity"),
        Step(Abs(cc) * Abs(aa) * Sup(Abs(D(1, u)), u), "change_of_variables", (x, u, inner)),
    ]


def _tails(absolute):
    """C (absolute) or B: psi - l_psi = c*(phi(u) - l(u)) on each tail, then u = a*x + b."""
    wrap = Abs if absolute else (lambda e: e)
    factor = Abs if absolute else (lambda e: e)

    def derive(case):
        aa, bb, cc, dd = _case_parameters(case)
        inner = aa * x + bb
        slope_psi = {s: Stat(s, "psi") for s in ("alpha_minus", "alpha_plus")}
        cited = {k: case_rhs(k, aa, case) for k in slope_psi}
        # on x < 0 the tail of psi uses psi's alpha_minus, i.e. phi's slope at the matching end
        lo_alpha, hi_alpha = cited["alpha_minus"] / (cc * aa), cited["alpha_plus"] / (cc * aa)

        def integrals(f_lo, f_hi, var, lo_range, hi_range):
            return Integral(f_lo, (var, *lo_range)) + Integral(f_hi, (var, *hi_range))
        psi_x = cc * phi(inner) + dd
        steps = [Step(integrals(wrap(psi_x - slope_psi["alpha_minus"] * x), wrap(psi_x - slope_psi["alpha_plus"] * x),
                                x, (-oo, 0), (0, oo)), "definition")]
        steps.append(Step(integrals(wrap(psi_x - cited["alpha_minus"] * x), wrap(psi_x - cited["alpha_plus"] * x),
                                    x, (-oo, 0), (0, oo)), "law", ("alpha_minus", "alpha_plus")))
        steps.append(Step(integrals(factor(cc) * wrap(phi(inner) - lo_alpha * inner),
                                    factor(cc) * wrap(phi(inner) - hi_alpha * inner), x, (-oo, 0), (0, oo)), "algebra"))
        steps.append(Step(factor(cc) * integrals(wrap(phi(inner) - lo_alpha * inner),
                                                 wrap(phi(inner) - hi_alpha * inner), x, (-oo, 0), (0, oo)),
                          "linearity"))
        lo_range, hi_range = ((-oo, bb), (bb, oo)) if aa.is_positive else ((bb, oo), (-oo, bb))
        steps.append(Step(factor(cc) / Abs(aa) * integrals(wrap(phi(u) - lo_alpha * u), wrap(phi(u) - hi_alpha * u),
                                                          u, lo_range, hi_range),
                          "change_of_variables", (x, u, inner)))
        if bb != 0:
            steps.append(Step(factor(cc) / Abs(aa) * integrals(wrap(phi(u) - lo_alpha * u), wrap(phi(u) - hi_alpha * u),
                                                              u, (-oo, 0), (0, oo)) if aa.is_positive else
                              factor(cc) / Abs(aa) * integrals(wrap(phi(u) - hi_alpha * u), wrap(phi(u) - lo_alpha * u),
                                                               u, (-oo, 0), (0, oo)), "additivity"))
        return steps
    return derive


def case_rhs(name, aa, case):
    return _REGISTRY.law(name).claim(aa)[1].xreplace(case.subs)


_ALPHA = Stat("alpha_plus", "phi")
_TAIL_VARIANTS = [("b = 0, d = 0", {b: sympy.Integer(0), d: sympy.Integer(0)}),
                  ("alpha_plus[phi] = alpha_minus[phi], d = -c*b*alpha_plus[phi]",
                   {Stat("alpha_minus", "phi"): _ALPHA, d: -c * b * _ALPHA})]
_TAIL_CONDITIONS = ("phi's slopes are finite and psi's asymptotes pass through the origin, i.e. "
                    "c*alpha_plus[phi]*b + d = 0 and c*alpha_minus[phi]*b + d = 0 (for c != 0: "
                    "either b = d = 0, or alpha_plus[phi] = alpha_minus[phi] and d = -c*b*alpha_plus[phi])")
_TAIL_PREMISE = ("if the integral of |f| over a half-line is finite and k != 0, the integral of |c*f + k| "
                 "over that half-line is +oo; this makes C[psi] = +oo when an asymptote of psi misses the "
                 "origin and C[phi] < oo; likewise if f -> L with c*L + k != 0")


def _build():
    reg = _REGISTRY
    reg.definitions.update(_definitions())
    laws = reg.laws
    for name, integrand in _EXPECTATIONS.items():
        laws[name] = AffineLaw(name, law_rhs(integrand), expectation_chain(integrand), reg,
                               conditions=f"{name}[phi] is finite at (a*mu + b, |a|*sigma)",
                               definition=(integrand, None))
    laws["m1"].rhs = {k: c * _stat("m1", M, S) + d for k in (1, -1)}
    laws["g1"].rhs = {k: c * a * _stat("g1", M, S) for k in (1, -1)}
    laws["chi"].rhs = {k: c**2 * a**2 * _stat("chi", M, S) for k in (1, -1)}
    laws["m2"].rhs = {k: c**2 * _stat("m2", M, S) + 2 * c * d * _stat("m1", M, S) + d**2 for k in (1, -1)}
    laws["g2"] = AffineLaw("g2", Abs(c) * Abs(a) * _stat("g2", M, S), _transformed("chi", sympy.sqrt), reg,
                           conditions="chi[phi] is finite at (a*mu + b, |a|*sigma)",
                           definition=(DPHI**2, sympy.sqrt))
    laws["g4"] = AffineLaw("g4", Abs(c) * Abs(a) * _stat("g4", M, S),
                           _transformed("E[DPHI**4]", lambda e: e ** sympy.Rational(1, 4)), reg,
                           conditions="E[phi'^4] is finite at (a*mu + b, |a|*sigma)",
                           definition=(DPHI**4, lambda e: e ** sympy.Rational(1, 4)))
    laws["eta"] = AffineLaw("eta", _stat("eta", M, S), _eta, reg,
                            conditions="c != 0 and the variance m2[phi] - m1[phi]**2 at (a*mu + b, |a|*sigma) "
                                       "is positive (eta is undefined at zero variance)")
    for name, direction, other in (("alpha_plus", 1, "alpha_minus"), ("alpha_minus", -1, "alpha_plus")):
        laws[name] = AffineLaw(name, {1: c * a * Stat(name, "phi"), -1: c * a * Stat(other, "phi")},
                               _slope(direction), reg, gaussian=False,
                               conditions="phi's slope exists and is finite (an infinite slope gives "
                                          "(c*a)*(+-oo) when c != 0, and 0 when c = 0); slopes swap when a < 0")
    laws["TV"] = AffineLaw("TV", Abs(c) * Abs(a) * Stat("TV", "phi"), _tv, reg, gaussian=False,
                           conditions="TV[phi'] is finite (proof for phi in C^2; at a kink x0 of phi the jump of "
                                      "psi' at (x0 - b)/a is c*a times phi's, so the same factor |c*a| applies)")
    laws["Lip"] = AffineLaw("Lip", Abs(c) * Abs(a) * Stat("Lip", "phi"), _lip, reg, gaussian=False,
                            conditions="phi is Lipschitz")
    laws["C"] = AffineLaw("C", Abs(c) / Abs(a) * Stat("C", "phi"), _tails(True), reg, gaussian=False,
                          variants=_TAIL_VARIANTS, conditions=_TAIL_CONDITIONS,
                          otherwise="C[psi] = +oo if c != 0, C[phi] < oo and an asymptote misses the origin, "
                                    "or if on some tail phi - l_phi -> L and c*L + (c*alpha*b + d) != 0; "
                                    "C[psi] = 0 if c = 0 and d = 0, +oo if c = 0 and d != 0",
                          premises=(_TAIL_PREMISE,))
    laws["B"] = AffineLaw("B", c / Abs(a) * Stat("B", "phi"), _tails(False), reg, gaussian=False,
                          variants=_TAIL_VARIANTS, conditions=_TAIL_CONDITIONS + " and B[phi] exists",
                          otherwise="B[psi] = sign(k)*oo when one asymptote of psi misses the origin by "
                                    "the offset k (undefined when the two offsets have opposite signs)",
                          premises=(_TAIL_PREMISE.replace("|c*f + k|", "c*f + k").replace("+oo", "sign(k)*oo"),))
    return reg


REGISTRY = _build()


@engine_call
def register_expectation_law(name, integrand, transform=None, description=""):
    """Derive, register and return the law of a user expectation component."""
    law = derive_law(name, integrand, REGISTRY, transform=transform, description=description)
    REGISTRY.laws[name] = law
    return law
