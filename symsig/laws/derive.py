"""Laws of Gaussian-expectation components, derived from their integrands.

A component ``E[P(phi(X), phi'(X), phi''(X))]`` with ``P`` a polynomial gets its
law by substituting ``psi = c*phi(u) + d``, ``psi' = c*a*phi'(u)``,
``psi'' = c*a**2*phi''(u)`` (``u = a*X + b``), expanding, and naming the
expectation of each monomial as a statistic of phi at ``(a*mu + b, |a|*sigma)``.
The proof unfolds both sides into integrals against the Gaussian density and
is re-checked like every other proof.
"""

import sympy
from sympy import Derivative, Integral, Subs, oo

from ..components import moment_name, read_integrand
from ..errors import InputError
from .proof import Step
from .terms import DDPHI, DPHI, PHI, PHI_LAMBDA, D, Stat, a, b, c, d, gauss, mu, phi, sigma, t, z

def _derivative_at(f, point, order):
    """f^(order)(point): D for phi itself, an unevaluated Subs for a composite such as psi."""
    if f == PHI_LAMBDA:
        return D(order, point)
    return Subs(Derivative(f(t), (t, order)), t, point)


def expectation_definition(integrand):
    """Unfolding ``E[integrand](m, s)`` of a function f: an integral over R against the density."""
    def unfold(f, m, s):
        point = m + s * z
        values = {PHI: f(point), DPHI: _derivative_at(f, point, 1), DDPHI: _derivative_at(f, point, 2)}
        return Integral(integrand.xreplace(values) * gauss(z), (z, -oo, oo))
    return unfold


def check_polynomial(integrand):
    integrand = read_integrand(integrand)
    extra = integrand.free_symbols - {PHI, DPHI, DDPHI}
    if extra or not integrand.is_polynomial(PHI, DPHI, DDPHI):
        raise InputError(f"no affine law can be derived for the integrand {integrand}: it must be a "
                         "polynomial in PHI, DPHI, DDPHI with numeric coefficients")
    return integrand


def _substituted(integrand, aa):
    return sympy.expand(integrand.xreplace({PHI: c * PHI + d, DPHI: c * aa * DPHI, DDPHI: c * aa**2 * DDPHI}))


def law_rhs(integrand, aa=a):
    """psi's expectation through phi's statistics at (a*mu + b, |a|*sigma)."""
    poly = sympy.Poly(_substituted(check_polynomial(integrand), aa), PHI, DPHI, DDPHI)
    total = sympy.Integer(0)
    for powers, coeff in poly.terms():
        monomial = PHI**powers[0] * DPHI**powers[1] * DDPHI**powers[2]
        total += coeff * (1 if monomial == 1 else Stat(moment_name(monomial), "phi", aa * mu + b,
                                                        sympy.Abs(aa) * sigma))
    return total


def expectation_chain(integrand):
    """The derivation of an expectation law, as a function of the case."""
    integrand = check_polynomial(integrand)

    def derive(case):
        aa = case.subs[a]
        bb, cc, dd = (case.subs.get(s, s) for s in (b, c, d))
        psi = sympy.Lambda(t, cc * phi(aa * t + bb) + dd)
        point = mu + sigma * z
        unfolded = Integral(integrand.xreplace({
            PHI: psi(point), DPHI: _derivative_at(psi, point, 1), DDPHI: _derivative_at(psi, point, 2),
        }) * gauss(z), (z, -oo, oo))
        inner = aa * point + bb
        values = {PHI: cc * phi(inner) + dd, DPHI: cc * aa * D(1, inner), DDPHI: cc * aa**2 * D(2, inner)}
        chained = Integral(integrand.xreplace(values) * gauss(z), (z, -oo, oo))
        steps = [Step(unfolded, "definition")]
        if integrand.has(DPHI, DDPHI):
            steps.append(Step(chained, "chain_rule"))
        else:
            steps[0] = Step(chained, "definition")
        poly = sympy.Poly(_substituted(integrand, aa).xreplace({c: cc, d: dd}), PHI, DPHI, DDPHI)
        terms = [(coeff, PHI**p[0] * DPHI**p[1] * DDPHI**p[2]) for p, coeff in poly.terms()]

        def split(inner_point):
            vals = {PHI: phi(inner_point), DPHI: D(1, inner_point), DDPHI: D(2, inner_point)}
            return sympy.Add(*[coeff * Integral(m.xreplace(vals) * gauss(z), (z, -oo, oo)) for coeff, m in terms])

        steps.append(Step(split(inner), "linearity"))
        if any(m == 1 for _, m in terms):
            steps.append(Step(split(inner).replace(lambda e: isinstance(e, Integral) and e.function == gauss(z),
                                                   lambda e: sympy.Integer(1)), "evaluate"))
        if aa.is_negative:
            mirrored = aa * mu + bb - aa * sigma * z
            steps.append(Step(steps[-1].rhs.xreplace({inner: mirrored}), "reflection"))
        return steps
    return derive
