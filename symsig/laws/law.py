"""The law object and the registry of definitions that proofs unfold."""

import sympy

from .derive import check_polynomial, expectation_chain, expectation_definition, law_rhs, read_integrand
from .proof import Case, CaseProof, Proof, Step
from .terms import A_NEG, A_POS, PHI_LAMBDA, Stat, a, b, c, d, latex, mu, psi_lambda, sigma

SIGN_CASES = (Case("a > 0", {a: A_POS}), Case("a < 0", {a: A_NEG}))

HEADER = "For psi(x) = c*phi(a*x + b) + d with real a != 0, b, c, d"


class AffineLaw:
    """How one component of ``psi = c*phi(a*x + b) + d`` follows from phi's statistics.

    ``rhs`` is the right side for generic ``a`` (with ``Abs(a)``; where the sign
    of ``a`` matters, ``rhs`` is a dict ``{+1: ..., -1: ...}``).  ``derive``
    builds the chain of each case up to the last expression before the right side;
    ``variants`` are extra case conditions (e.g. for C: ``b = d = 0``);
    ``definition`` is ``(integrand, transform)`` for a Gaussian expectation
    ``transform(E[integrand])`` in PHI, DPHI, DDPHI (None for other components).
    """

    def __init__(self, name, rhs, derive, registry, conditions="", gaussian=True, variants=None,
                 otherwise="", premises=(), description="", definition=None):
        self.name = name
        self.lhs = Stat(name, "psi", mu, sigma) if gaussian else Stat(name, "psi")
        self.rhs = rhs if isinstance(rhs, dict) else {1: rhs, -1: rhs}
        self.derive = derive
        self.registry = registry
        self.conditions = conditions
        self.variants = variants or [("", {})]
        self.otherwise = otherwise
        self.premises = premises
        self.description = description
        self.definition = definition  # (integrand, transform) of an expectation component, else None
        self._proof = None

    def claim(self, sign_symbol):
        """(lhs, rhs) with ``a`` replaced by the positive or negative symbol."""
        key = 1 if sign_symbol == A_POS else -1
        return self.lhs, self.rhs[key].xreplace({a: sign_symbol})

    def cases(self):
        for label, extra in self.variants:
            for sign_case in SIGN_CASES:
                full = f"{sign_case.label}, {label}" if label else sign_case.label
                subs = dict(sign_case.subs)
                subs.update({k: v.xreplace(sign_case.subs) for k, v in extra.items()})
                yield Case(full, subs)

    def statement(self):
        """The law as text: the formula (per sign of a where it differs) and its conditions."""
        lines = [f"{HEADER}:"]
        if self.rhs[1] == self.rhs[-1]:
            lines.append(f"  {sympy.sstr(self.lhs)} = {sympy.sstr(self.rhs[1])}")
        else:
            for key, label in ((1, "a > 0"), (-1, "a < 0")):
                lines.append(f"  {sympy.sstr(self.lhs)} = {sympy.sstr(self.rhs[key])}    if {label}")
        if self.conditions:
            lines.append(f"  Holds when {self.conditions}.")
        if self.otherwise:
            lines.append(f"  Otherwise: {self.otherwise}.")
        return "\n".join(lines)

    def statement_latex(self):
        rows = []
        for key, label in ((1, "a > 0"), (-1, "a < 0")):
            rows.append(rf"{latex(self.lhs)} = {latex(self.rhs[key])} \quad ({label})")
            if self.rhs[1] == self.rhs[-1]:
                rows[-1] = rf"{latex(self.lhs)} = {latex(self.rhs[key])}"
                break
        return r"\\ ".join(rows)

    def prove(self):
        """The proof (one chain per case); ``.check()`` re-verifies it."""
        if self._proof is None:
            case_proofs = []
            for case in self.cases():
                sign_symbol = case.subs[a]
                lhs, rhs = self.claim(sign_symbol)
                steps = list(self.derive(case)) + [Step(rhs.xreplace(case.subs), "definition")]
                case_proofs.append(CaseProof(case, lhs.xreplace(case.subs), steps,
                                             (lhs.xreplace(case.subs), rhs.xreplace(case.subs))))
            self._proof = Proof(self, case_proofs, self.premises)
        return self._proof

    def to_text(self):
        return f"Law {self.name}\n{self.statement()}\n\nProof:\n{self.prove()}"

    def to_markdown(self):
        return (f"### Law `{self.name}`\n\n```\n{self.statement()}\n```\n\n**Proof.**\n\n"
                f"{self.prove().to_markdown()}")

    def to_latex(self):
        return (f"\\subsection*{{Law {self.name}}}\n\\[ {self.statement_latex()} \\]\n"
                f"{self.conditions and 'Holds when ' + self.conditions + '.'}\n"
                f"\\subsubsection*{{Proof}}\n{self.prove().to_latex()}")

    def verify(self, phi, a=1, b=0, c=1, d=0, sigma=1, mu=0, dps=30):
        """Compute psi's component from scratch and through this law; compare (see symsig.laws.verify)."""
        from .verify import verify_law
        return verify_law(self, phi, a=a, b=b, c=c, d=d, sigma=sigma, mu=mu, dps=dps)

    def __repr__(self):
        return f"<AffineLaw {self.name}>"


class Registry:
    """Definitions of statistics (for unfolding) and the laws (for citing)."""

    def __init__(self):
        self.definitions = {}
        self.laws = {}
        self.functions = {"phi": PHI_LAMBDA, "psi": psi_lambda()}

    def unfold(self, stat):
        definition = self.definitions.get(stat.name)
        if definition is None:
            definition = self._monomial_definition(stat.name)
        return definition(self.functions[stat.fn], *stat.point)

    def _monomial_definition(self, name):
        if not (name.startswith("E[") and name.endswith("]")):
            raise KeyError(f"no definition of the statistic {name!r}")
        integrand = read_integrand(name[2:-1])
        return expectation_definition(integrand)

    def law(self, name):
        return self.laws[name]


def derive_law(name, integrand, registry, transform=None, description=""):
    """The law of a user component ``name`` (expectation of a polynomial integrand, then ``transform``)."""
    integrand = check_polynomial(integrand)
    if transform is None:
        registry.definitions[name] = expectation_definition(integrand)
        return AffineLaw(name, law_rhs(integrand), expectation_chain(integrand), registry,
                         conditions=f"E[{integrand}] of phi is finite at (a*mu + b, |a|*sigma)",
                         description=description, definition=(integrand, None))
    inner = f"E[{sympy.sstr(integrand)}]"
    registry.definitions[inner] = expectation_definition(integrand)
    registry.laws[inner] = AffineLaw(inner, law_rhs(integrand), expectation_chain(integrand), registry,
                                     definition=(integrand, None))
    registry.definitions[name] = lambda f, m, s: transform(Stat(inner, _fn_name(registry, f), m, s))

    def derive(case):
        lhs_inner = transform(Stat(inner, "psi", mu, sigma))
        return [Step(lhs_inner, "definition"), Step(transform(law_rhs(integrand, case.subs[a])), "law", (inner,))]
    rhs = sympy.expand(transform(law_rhs(integrand)))
    return AffineLaw(name, rhs, derive, registry,
                     conditions=f"E[{integrand}] of phi is finite at (a*mu + b, |a|*sigma)",
                     description=description, definition=(integrand, transform))


def _fn_name(registry, f):
    return next(name for name, g in registry.functions.items() if g == f)


__all__ = ["AffineLaw", "Registry", "SIGN_CASES", "HEADER", "b", "c", "d"]
