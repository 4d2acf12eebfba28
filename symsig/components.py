"""The component model: what each component of the signature is, written once.

A component is one of three :class:`Kind` s:

* an **expectation** ``transform(E[integrand])``, ``integrand`` a SymPy
  expression in :data:`PHI`, :data:`DPHI`, :data:`DDPHI` (phi, phi', phi'' at
  ``X = mu + sigma Z``), e.g. ``chi = E[DPHI**2]``;
* a **derived** component: a ``formula`` in other components' names and
  :data:`SIGMA`, e.g. ``eta = sigma**2 g1**2 / (m2 - m1**2)``;
* a **functional** of phi alone: ``compute(facts, dps) -> Quantity`` with
  ``facts`` the :class:`~symsig.facts.ActivationFacts` of phi (slopes, TV, C, B, Lip).

The signature evaluates the registry, the affine laws are proved for the
built-in definitions (:data:`BUILTIN`) and derived for registered ones, law
verification computes phi's statistics with the built-in meanings, and the
table formats take names and LaTeX from here.

>>> COMPONENTS["g2"].kind, COMPONENTS["g2"].inputs, COMPONENTS["TV"].latex
(<Kind.DERIVED: 'derived'>, ('chi',), '\\\\mathrm{TV}')
>>> evaluation_order(["eta"])
['g1', 'm1', 'm2', 'eta']
"""

from dataclasses import dataclass
from enum import StrEnum

import sympy

from .errors import InputError

PHI, DPHI, DDPHI = sympy.symbols("PHI DPHI DDPHI", real=True)
SIGMA = sympy.Symbol("sigma", positive=True)


class Kind(StrEnum):
    EXPECTATION = "expectation"
    DERIVED = "derived"
    FUNCTIONAL = "functional"


@dataclass(frozen=True)
class Component:
    """One registered component; exactly one of integrand, formula, compute is set."""

    name: str
    description: str
    latex: str
    integrand: sympy.Expr = None
    transform: sympy.Lambda = None
    formula: sympy.Expr = None
    compute: object = None
    nonnegative: bool = False

    @property
    def kind(self):
        if self.integrand is not None:
            return Kind.EXPECTATION
        return Kind.DERIVED if self.formula is not None else Kind.FUNCTIONAL

    @property
    def inputs(self):
        """The components a derived component's formula uses, sorted by name."""
        if self.formula is None:
            return ()
        return tuple(sorted(s.name for s in self.formula.free_symbols - {SIGMA}))

    def same_definition(self, other):
        """True when both define the same quantity (descriptions and LaTeX aside)."""
        if other is None or self.kind != other.kind:
            return False
        if self.kind == Kind.EXPECTATION:
            return (sympy.expand(self.integrand - other.integrand) == 0
                    and _same_transform(self.transform, other.transform))
        if self.kind == Kind.DERIVED:
            return sympy.expand(self.formula - other.formula) == 0
        return self.compute is other.compute


def _same_transform(f, g):
    if f is None or g is None:
        return f is None and g is None
    u = sympy.Dummy("u", positive=True)
    return sympy.expand(f(u) - g(u)) == 0


COMPONENTS = {}
"""The registry, name -> :class:`Component`, in registration order."""

NINE = ("m1", "g1", "g2", "m2", "eta", "alpha_plus", "alpha_minus", "TV", "C")
"""The nine components of S_sigma(phi), in the paper's order."""


def read_integrand(integrand):
    """An integrand in PHI, DPHI, DDPHI: strings through the safe parser, SymPy expressions as they are."""
    if isinstance(integrand, str):
        from .activations import parse_expression
        return parse_expression(integrand, {"PHI": PHI, "DPHI": DPHI, "DDPHI": DDPHI}, what="the integrand")
    if isinstance(integrand, sympy.Basic):
        return integrand
    if isinstance(integrand, (int, float)) and not isinstance(integrand, bool):
        return sympy.Integer(integrand) if isinstance(integrand, int) else sympy.Rational(integrand)
    raise InputError(f"an integrand is an expression in PHI, DPHI, DDPHI, got {integrand!r}")


def register_component(name, *, integrand=None, transform=None, formula=None, compute=None,
                       description="", latex=None, nonnegative=False):
    """Add or replace a component (exactly one of integrand, formula, compute).

    A string integrand is read by the safe parser (names PHI, DPHI, DDPHI only).
    Swapping a convention is one line, e.g. the mean-square g2::

        register_component("g2", integrand=DPHI**2, description="mean-square gain")
    """
    if sum(v is not None for v in (integrand, formula, compute)) != 1:
        raise InputError("a component needs exactly one of integrand=, formula= or compute=")
    if integrand is not None:
        integrand = read_integrand(integrand)
        if not integrand.free_symbols <= {PHI, DPHI, DDPHI}:
            raise InputError(f"an integrand may use PHI, DPHI and DDPHI only, got {integrand}")
    if formula is not None:
        unknown = [s.name for s in formula.free_symbols - {SIGMA} if s.name not in COMPONENTS]
        if unknown:
            raise InputError(f"the formula of {name!r} uses {', '.join(sorted(unknown))}, which are not "
                             f"registered; registered: {', '.join(COMPONENTS)}")
    latex = latex or r"\mathrm{%s}" % name.replace("_", r"\_")
    COMPONENTS[name] = Component(name, description, latex, integrand, transform, formula, compute, nonnegative)
    return COMPONENTS[name]


def get_component(name):
    spec = COMPONENTS.get(name)
    if spec is None:
        raise InputError(f"unknown component {name!r}; registered: {', '.join(COMPONENTS)}")
    return spec


def latex_name(name):
    """The LaTeX symbol of a component (registered or built in), or of an unregistered name."""
    spec = COMPONENTS.get(name) or BUILTIN.get(name)
    return spec.latex if spec else r"\mathrm{%s}" % name.replace("_", r"\_")


def evaluation_order(names):
    """The components ``names`` need, inputs before the formulas that use them.

    >>> evaluation_order(["g2", "m1"])
    ['chi', 'g2', 'm1']
    """
    order = []

    def visit(name):
        for inner in get_component(name).inputs:
            visit(inner)
        if name not in order:
            order.append(name)
    for name in names:
        visit(name)
    return order


_u = sympy.Symbol("u", nonnegative=True)
register_component("m1", integrand=PHI, latex="m_1", description="mean output E[phi(X)]")
register_component("g1", integrand=DPHI, latex="g_1", description="mean slope E[phi'(X)]")
register_component("chi", integrand=DPHI**2, latex=r"\chi", nonnegative=True,
                   description="mean-square gain E[phi'(X)^2] = g2^2")
register_component("g2", formula=sympy.sqrt(sympy.Symbol("chi")), latex="g_2", nonnegative=True,
                   description="RMS gain sqrt(E[phi'(X)^2])")
register_component("m2", integrand=PHI**2, latex="m_2", nonnegative=True,
                   description="second moment E[phi(X)^2]")
register_component("eta", formula=SIGMA**2 * sympy.Symbol("g1")**2 / (sympy.Symbol("m2") - sympy.Symbol("m1")**2),
                   latex=r"\eta", description="linear fraction sigma^2 g1^2 / Var phi(X)")
register_component("g4", integrand=DPHI**4, transform=sympy.Lambda(_u, _u**sympy.Rational(1, 4)), latex="g_4",
                   nonnegative=True, description="quartic gain E[phi'(X)^4]^(1/4)")
register_component("E_phi_ddphi", integrand=PHI * DDPHI, latex=r"\mathrm{E}[\phi\phi'']",
                   description="E[phi(X) phi''(X)]")
register_component("dm2_dsigma", formula=2 * SIGMA * (sympy.Symbol("chi") + sympy.Symbol("E_phi_ddphi")),
                   latex=r"\partial_\sigma m_2",
                   description="d m2 / d sigma = 2 sigma (E[phi'^2] + E[phi phi''])")
register_component("alpha_plus", compute=lambda facts, dps: facts.slopes(dps)[0], latex=r"\alpha_+",
                   description="lim phi(x)/x, x -> +oo")
register_component("alpha_minus", compute=lambda facts, dps: facts.slopes(dps)[1], latex=r"\alpha_-",
                   description="lim phi(x)/x, x -> -oo")
register_component("TV", compute=lambda facts, dps: facts.total_variation(dps), latex=r"\mathrm{TV}",
                   nonnegative=True, description="total variation of phi'")
register_component("C", compute=lambda facts, dps: facts.areas(dps)[0], latex="C", nonnegative=True,
                   description="integral |phi - l| (tail-compensated area)")
register_component("B", compute=lambda facts, dps: facts.areas(dps)[1], latex="B",
                   description="integral (phi - l) (signed area)")
register_component("Lip", compute=lambda facts, dps: facts.lipschitz(dps), latex=r"\mathrm{Lip}",
                   nonnegative=True, description="sup |phi'|")

BUILTIN = dict(COMPONENTS)
"""The shipped definitions: the hand-proved affine laws and law verification are about these,
whatever a user registers later."""


MOMENTS = ("m1", "g1", "chi", "m2")
"""The named moments: laws and proofs call every other monomial expectation ``E[monomial]``."""


def moment_name(integrand):
    """The name of the moment E[integrand] (m1, g1, chi, m2), or ``E[integrand]``.

    >>> moment_name(DPHI**2), moment_name(PHI * DDPHI)
    ('chi', 'E[DDPHI*PHI]')
    """
    return next((name for name in MOMENTS if BUILTIN[name].integrand == integrand),
                f"E[{sympy.sstr(integrand)}]")


__all__ = ["BUILTIN", "COMPONENTS", "Component", "DDPHI", "DPHI", "Kind", "NINE", "PHI", "SIGMA",
           "MOMENTS", "moment_name", "evaluation_order", "get_component", "latex_name", "read_integrand",
           "register_component"]
