"""Proofs as chains of equations, every step re-verified mechanically.

A :class:`Proof` is one :class:`CaseProof` per case of a law (the sign of ``a``,
and for C and B which asymptote condition holds).  A case proof is a chain
``e0 = e1 = ... = en``; each ``=`` carries a justification from the fixed set
:data:`RULES`.  The checker never trusts a label: each rule is a mechanical
SymPy transformation (unfold a definition, split an integral by linearity,
substitute ``z -> -z``, change variables ``u = a*x + b`` ...) applied to the
left side, followed by a simplification of the difference to zero.  The chain
must start at the law's left side and end at its right side, and the cases
must cover both signs of ``a``.
"""

from dataclasses import dataclass, field

import sympy
from sympy import Abs, Derivative, Integral, Limit, Subs
from sympy.core.function import AppliedUndef

from .. import bounded, display, limits
from ..errors import BudgetExceeded
from ..precision import engine_call
from .terms import A_NEG, A_POS, D, Stat, Sup, a, gauss, latex, to_D

W = sympy.Symbol("w", real=True)  # the one bound variable after renaming


@dataclass(frozen=True)
class Case:
    """A case of a law: a label and the substitution (``a -> positive a`` ...) it stands for."""

    label: str
    subs: dict

    @property
    def sign(self):
        return 1 if self.subs.get(a) == A_POS else -1


@dataclass(frozen=True)
class Step:
    """One ``= rhs`` of a chain with its justification (a key of :data:`RULES`) and data."""

    rhs: object
    rule: str
    data: tuple = ()


@dataclass
class CaseProof:
    case: Case
    start: object
    steps: list
    claim: tuple  # (lhs, rhs) of the law under this case
    results: list = field(default_factory=list)

    def check(self, ctx):
        ctx = ctx.for_case(self.case)
        self.results = []
        try:
            ok = _equal(self.start, self.claim[0]) and _equal(self.steps[-1].rhs, self.claim[1])
            why = "the chain does not run from the law's left side to its right side"
        except BudgetExceeded as exc:
            ok, why = False, str(exc)
        if not ok:
            self.results.append((None, why))
        lhs = self.start
        for step in self.steps:
            verdict = _run_rule(step, lhs, ctx)
            self.results.append((step, verdict))
            ok = ok and verdict is True
            lhs = step.rhs
        return ok


class Proof:
    """A proof of a law: case proofs, a checker, and text / Markdown / LaTeX renderings."""

    def __init__(self, law, case_proofs, premises=()):
        self.law = law
        self.cases = case_proofs
        self.premises = tuple(premises)
        self._checked = None

    @engine_call
    def check(self):
        """True when every step of every case re-verifies and the cases cover a > 0 and a < 0."""
        if self._checked is None:
            self._checked = False  # guards against a law citing itself
            ctx = Context(self.law.registry)
            results = [cp.check(ctx) for cp in self.cases]
            self._checked = all(results) and _covers_both_signs(self.cases)
        return self._checked

    def failures(self):
        """Human-readable list of the steps that did not re-verify."""
        self.check()
        out = []
        for cp in self.cases:
            for step, verdict in cp.results:
                if verdict is not True:
                    where = f"= {sympy.sstr(step.rhs)} ({RULE_LABELS.get(step.rule, step.rule)})" if step else "chain"
                    out.append(f"[{cp.case.label}] {where}: {verdict or 'does not follow'}")
        return out

    def _lines(self, fmt):
        out = []
        for cp in self.cases:
            out.append(fmt("case", cp.case.label))
            out.append(fmt("start", cp.start))
            for step in cp.steps:
                out.append(fmt("step", step))
        for premise in self.premises:
            out.append(fmt("premise", premise))
        return out

    def __str__(self):
        def fmt(kind, item):
            if kind == "case":
                return f"Case {item}:"
            if kind == "start":
                return f"    {sympy.sstr(item)}"
            if kind == "premise":
                return f"Cited (not machine-checked): {item}"
            return f"  = {sympy.sstr(item.rhs)}    [{RULE_LABELS[item.rule]}{_data_str(item)}]"
        return "\n".join(self._lines(fmt))

    def to_markdown(self):
        def fmt(kind, item):
            if kind == "case":
                return f"\n**Case {item}.**\n"
            if kind == "start":
                return f"$$ {latex(item)} $$"
            if kind == "premise":
                return f"\n*Cited, not machine-checked:* {item}"
            return f"$$ = {latex(item.rhs)} $$ *({RULE_LABELS[item.rule]}{_data_str(item)})*"
        return "\n".join(self._lines(fmt)).strip() + "\n"

    def to_latex(self):
        blocks = []
        for cp in self.cases:
            rows = [f"&{latex(cp.start)}"]
            rows += [rf"&= {latex(s.rhs)} && \text{{{_tex_text(RULE_LABELS[s.rule] + _data_str(s))}}}"
                     for s in cp.steps]
            blocks.append(rf"\paragraph{{Case ${_case_latex(cp.case.label)}$.}}" "\n"
                          r"\begin{align*}" "\n" + " \\\\\n".join(rows) + "\n" r"\end{align*}")
        blocks += [rf"\noindent Cited (not machine-checked): {p}" for p in self.premises]
        return "\n".join(blocks) + "\n"

    def _repr_markdown_(self):
        return display.proof_markdown(self, latex, _case_latex, _justification)

    def _repr_latex_(self):
        return display.proof_latex(self, latex, _case_latex, _justification)


def _tex_text(text):
    return text.replace("_", r"\_").replace("->", r"$\to$").replace("**", "^")


def _case_latex(label):
    return label.replace("!=", r"\neq").replace("alpha_plus", r"\alpha_+").replace(
        "alpha_minus", r"\alpha_-").replace("phi", r"\varphi").replace("*", " ")


def _justification(step):
    return RULE_LABELS[step.rule] + _data_str(step)


def _data_str(step):
    if step.rule == "change_of_variables":
        old, new, image = step.data
        return f": {new} = {sympy.sstr(image)}"
    if step.rule == "law":
        return ": " + ", ".join(step.data)
    return ""


def _covers_both_signs(case_proofs):
    variants = {}
    for cp in case_proofs:
        key = frozenset((k, v) for k, v in cp.case.subs.items() if v not in (A_POS, A_NEG))
        variants.setdefault(key, set()).add(cp.case.sign)
    return all(signs == {1, -1} for signs in variants.values())


class Context:
    """What the rules may look up: definitions of statistics and other laws; the current case."""

    def __init__(self, registry, case=None):
        self.registry = registry
        self.case = case

    def for_case(self, case):
        return Context(self.registry, case)

    def instantiate(self, expr):
        return expr.xreplace(self.case.subs) if self.case else expr


# ---------------------------------------------------------------------------
# Canonical form and equality
# ---------------------------------------------------------------------------

def _split_abs(expr):
    """|x*y| = |x|*|y| (always true), applied after pulling common factors out."""
    def split(arg):
        arg = sympy.factor_terms(sympy.expand(arg))
        if arg.is_Mul:
            return sympy.Mul(*[Abs(f) for f in arg.args])
        return Abs(arg)
    return expr.replace(lambda e: isinstance(e, Abs), lambda e: split(e.args[0]))


def _rename_bound(expr):
    """Rename the bound variable of every Integral / Limit / Sup to W."""
    def rename(e):
        if isinstance(e, Integral):
            (v, lo, hi), = e.limits
            return Integral(canon(e.function.xreplace({v: W})), (W, lo, hi))
        if isinstance(e, Limit):
            f, v, p, direction = e.args
            return Limit(canon(f.xreplace({v: W})), W, p, str(direction))
        return Sup(canon(e.expr.xreplace({e.var: W})), W)
    return expr.replace(lambda e: isinstance(e, (Integral, Limit, Sup)) and not _bound_is_w(e), rename)


def _bound_is_w(e):
    if isinstance(e, Integral):
        return e.limits[0][0] == W
    if isinstance(e, Limit):
        return e.args[1] == W
    return e.var == W


def canon(expr):
    """A canonical form for comparisons: derivatives of phi as D(n, p), bound variables renamed,
    absolute values of products split, everything expanded."""
    expr = sympy.sympify(expr, strict=True)
    expr = to_D(expr)
    expr = _rename_bound(expr)
    expr = _split_abs(expr)
    return _pull_constants(sympy.expand(expr))


def _pull_constants(expr):
    """k * (integral of f) for the integral of k*f with k constant (homogeneity of the integral)."""
    def pull(e):
        coeff, rest = sympy.factor_terms(e.function).as_independent(W, as_Add=False)
        rest = sympy.expand(rest)
        if rest.could_extract_minus_sign():
            coeff, rest = -coeff, -rest
        return coeff * Integral(rest, *e.limits)
    return sympy.expand(expr.replace(lambda e: isinstance(e, Integral), pull))


def _within_limit(func, expr, what):
    """``func(expr)``, or None when SymPy cannot do it; a step over the size limit raises
    :class:`BudgetExceeded` naming the limit, which becomes the step's verdict (see :func:`_run_rule`)."""
    if not bounded.small(expr):
        raise BudgetExceeded(f"{what} was not attempted: the expression has more than "
                             f"symsig.limits.MAX_SYMBOLIC_NODES = {limits.MAX_SYMBOLIC_NODES} nodes")
    try:
        return func(expr)
    except bounded.CANNOT:
        return None


def _is_zero(expr):
    expr = canon(expr)
    if expr == 0:
        return True
    return _within_limit(lambda e: sympy.cancel(sympy.together(e)), expr, "simplifying a difference to 0") == 0


def _equal(lhs, rhs):
    return _is_zero(sympy.sympify(lhs, strict=True) - sympy.sympify(rhs, strict=True))


# ---------------------------------------------------------------------------
# Rules: each returns True, or a string saying why the step does not follow
# ---------------------------------------------------------------------------

def _unfold_once(expr, ctx):
    return expr.replace(lambda e: isinstance(e, Stat), lambda s: ctx.instantiate(ctx.registry.unfold(s)))


def rule_definition(lhs, rhs, ctx, data):
    for _ in range(4):
        if _equal(lhs, rhs):
            return True
        if not (lhs.has(Stat) or rhs.has(Stat)):
            break
        lhs, rhs = _unfold_once(lhs, ctx), _unfold_once(rhs, ctx)
    return "unfolding the definitions does not make both sides agree"


def rule_algebra(lhs, rhs, ctx, data):
    return True if _equal(lhs, rhs) else "the two sides are not algebraically equal"


def _differentiate(expr):
    """Carry out every unevaluated derivative, phi's derivatives written as D(n, p)."""
    def is_subs(e):
        return isinstance(e, Subs) and isinstance(e.expr, Derivative)

    def at_point(e):
        derivative = e.expr
        return sympy.diff(to_D(derivative.expr), *derivative.variable_count).xreplace(dict(zip(e.variables, e.point)))
    expr = to_D(expr.replace(is_subs, at_point))
    return expr.replace(lambda e: isinstance(e, Derivative), lambda e: sympy.diff(e.expr, *e.variable_count))


def rule_chain_rule(lhs, rhs, ctx, data):
    differentiate = _differentiate
    return True if _equal(differentiate(lhs), differentiate(rhs)) else "differentiating does not agree"


def _linear_parts(expr):
    """expr = rest + sum over domains (lo, hi) of integral of group[(lo, hi)]; None if not linear."""
    expr = canon(expr)
    groups, rest = {}, sympy.Integer(0)
    for term in sympy.Add.make_args(expr):
        integrals = [f for f in sympy.Mul.make_args(term) if isinstance(f, Integral)]
        if len(integrals) != 1:
            if term.has(Integral):
                return None
            rest += term
            continue
        integral = integrals[0]
        coeff = term / integral
        if coeff.has(W):
            return None
        key = integral.limits[0][1:]
        groups[key] = groups.get(key, 0) + coeff * integral.function
    return groups, rest


def rule_linearity(lhs, rhs, ctx, data):
    left, right = _linear_parts(lhs), _linear_parts(rhs)
    if left is None or right is None:
        return "a side is not a linear combination of integrals with constant coefficients"
    if not _is_zero(left[1] - right[1]):
        return "the parts outside the integrals differ"
    for key in set(left[0]) | set(right[0]):
        if not _is_zero(left[0].get(key, 0) - right[0].get(key, 0)):
            return f"the integrands over {key} differ"
    return True


def _gaussian_moment_integral(e):
    """Integral over R of polynomial(w) * gauss(w): E[Z^k] = (k-1)!! for even k, 0 for odd k."""
    (v, lo, hi), = e.limits
    ratio = sympy.expand(e.function / gauss(v))
    if (lo, hi) != (-sympy.oo, sympy.oo) or not ratio.is_polynomial(v):
        return None
    poly = sympy.Poly(ratio, v)
    return sum(coeff * (sympy.factorial2(k - 1) if k % 2 == 0 else 0) for (k,), coeff in poly.terms())


def _evaluate_free(expr):
    def free_of_phi(e):
        return isinstance(e, (Integral, Limit)) and not e.atoms(AppliedUndef, D) and not e.has(Stat)

    def evaluate(e):
        moment = _gaussian_moment_integral(e) if isinstance(e, Integral) else None
        return moment if moment is not None else e.doit()
    return _within_limit(lambda e: e.replace(free_of_phi, evaluate), expr,
                         "evaluating a phi-free integral or limit")


def rule_evaluate(lhs, rhs, ctx, data):
    left, right = _evaluate_free(canon(lhs)), _evaluate_free(canon(rhs))
    if left is None or right is None:
        return "SymPy could not evaluate a phi-free integral or limit"
    return True if _equal(left, right) else "evaluating the phi-free integrals and limits does not agree"


def _reflect_representative(expr):
    """Integrals over R are invariant under z -> -z: map each to a canonical representative."""
    def rep(e):
        (v, lo, hi), = e.limits
        if (lo, hi) != (-sympy.oo, sympy.oo):
            return e
        g = sympy.expand(e.function)
        mirrored = sympy.expand(g.xreplace({v: -v}))
        return Integral(min(g, mirrored, key=sympy.default_sort_key), (v, lo, hi))
    return canon(expr).replace(lambda e: isinstance(e, Integral), rep)


def rule_reflection(lhs, rhs, ctx, data):
    ok = _equal(_reflect_representative(lhs), _reflect_representative(rhs))
    return True if ok else "the integrals are not related by z -> -z"


def _change_variables(expr, old, new, image):
    """Substitute ``new = image(old)`` (affine) in every Integral / Limit / Sup binding ``old``."""
    slope = sympy.diff(image, old)
    if slope.has(old) or sympy.diff(image, old, 2) != 0 or slope.is_zero is not False:
        return None
    sign = 1 if slope.is_positive else -1 if slope.is_negative else None
    if sign is None:
        return None
    back = sympy.solve(sympy.Eq(new, image), old)[0]

    def endpoint(p):
        return p * sign if p in (sympy.oo, -sympy.oo) else image.xreplace({old: p})

    def transform(e):
        if isinstance(e, Integral):
            (v, lo, hi), = e.limits
            lo2, hi2 = (endpoint(lo), endpoint(hi))[::sign]  # orientation flips when the slope is negative
            return Integral(e.function.xreplace({old: back}) / Abs(slope), (new, lo2, hi2))
        if isinstance(e, Limit):
            f, v, p, direction = e.args
            return Limit(f.xreplace({old: back}), new, endpoint(p))
        return Sup(e.expr.xreplace({old: back}), new)

    def binds_old(e):
        if isinstance(e, Integral):
            return e.limits[0][0] == old
        if isinstance(e, Limit):
            return e.args[1] == old and e.args[2] in (sympy.oo, -sympy.oo)
        return isinstance(e, Sup) and e.var == old
    return expr.replace(binds_old, transform)


def rule_change_of_variables(lhs, rhs, ctx, data):
    old, new, image = (ctx.instantiate(sympy.sympify(v, strict=True)) for v in data)
    moved = _change_variables(lhs, old, new, image)
    if moved is None:
        return f"{new} = {image} is not an affine map of {old} with a known nonzero slope"
    return True if _equal(moved, rhs) else "the substitution does not give the right side"


def _limits_as_functions(expr):
    """Replace every Limit by its argument; None unless all share one point and enter polynomially."""
    expr = canon(expr)
    limits = sorted(expr.atoms(Limit), key=sympy.default_sort_key)
    if len({lim.args[2:] for lim in limits}) > 1:
        return None
    dummies = sympy.symbols(f"L0:{len(limits)}")
    polynomial = expr.xreplace(dict(zip(limits, dummies)))
    if polynomial.has(W) or not polynomial.is_polynomial(*dummies):
        return None
    return polynomial.xreplace({dv: lim.args[0] for dv, lim in zip(dummies, limits)}), limits[:1]


def rule_limit_arithmetic(lhs, rhs, ctx, data):
    left, right = _limits_as_functions(lhs), _limits_as_functions(rhs)
    if left is None or right is None:
        return "a side is not a polynomial in limits at one common point"
    if left[1] and right[1] and left[1][0].args[2:] != right[1][0].args[2:]:
        return "the limits are taken at different points"
    return True if _equal(left[0], right[0]) else "the functions under the limits do not agree"


def _pull_out_of_sup(expr):
    def pull(e):
        outside, inside = canon(e.expr).as_independent(W, as_Add=False)
        if not outside.is_nonnegative:
            return e
        return outside * Sup(inside, W)
    return canon(expr).replace(lambda e: isinstance(e, Sup), pull)


def rule_homogeneity(lhs, rhs, ctx, data):
    ok = _equal(_pull_out_of_sup(lhs), _pull_out_of_sup(rhs))
    return True if ok else "pulling nonnegative constants out of the supremum does not agree"


def _as_primitives(expr):
    """Integral of g over (p, q) -> P_g(q) - P_g(p), one undefined primitive per integrand."""
    parts = _linear_parts(expr)
    if parts is None:
        return None
    groups, rest = parts
    total = rest
    for (lo, hi), integrand in groups.items():
        for term in sympy.Add.make_args(sympy.expand(integrand)):
            coeff, core = term.as_independent(W, as_Add=False)
            primitive = sympy.Function(f"P_{sympy.srepr(core)}")
            total += coeff * (primitive(hi) - primitive(lo))
    return total


def rule_additivity(lhs, rhs, ctx, data):
    left, right = _as_primitives(lhs), _as_primitives(rhs)
    if left is None or right is None:
        return "a side is not a linear combination of integrals"
    return True if _equal(left, right) else "the intervals do not add up"


def rule_law(lhs, rhs, ctx, data):
    for name in data:
        law = ctx.registry.law(name)
        if not law.prove().check():
            return f"the cited law {name} does not check"
        sign = A_POS if ctx.case.sign > 0 else A_NEG
        claim_lhs, claim_rhs = law.claim(sign)
        lhs = lhs.xreplace({claim_lhs: ctx.instantiate(claim_rhs)})
    return True if _equal(lhs, rhs) else "substituting the cited laws does not give the right side"


RULES = {
    "definition": rule_definition,
    "algebra": rule_algebra,
    "chain_rule": rule_chain_rule,
    "linearity": rule_linearity,
    "evaluate": rule_evaluate,
    "reflection": rule_reflection,
    "change_of_variables": rule_change_of_variables,
    "limit_arithmetic": rule_limit_arithmetic,
    "homogeneity": rule_homogeneity,
    "additivity": rule_additivity,
    "law": rule_law,
}

RULE_LABELS = {
    "definition": "unfold / fold the definition",
    "algebra": "algebra",
    "chain_rule": "chain rule",
    "linearity": "linearity of the integral (expectation)",
    "evaluate": "evaluate integrals and limits free of phi (Gaussian normalisation, rational limits)",
    "reflection": "substitution z -> -z, symmetry of the Gaussian",
    "change_of_variables": "change of variables in an integral, limit or supremum over R",
    "limit_arithmetic": "limit arithmetic (limits of sums and products)",
    "homogeneity": "positive homogeneity of the supremum",
    "additivity": "additivity of the integral over adjacent intervals",
    "law": "apply the proven law",
}


def _run_rule(step, lhs, ctx):
    rule = RULES.get(step.rule)
    if rule is None:
        return f"unknown justification {step.rule!r}"
    try:
        return rule(sympy.sympify(lhs, strict=True), sympy.sympify(step.rhs, strict=True), ctx, step.data)
    except BudgetExceeded as exc:
        return str(exc)
    except KeyError as exc:  # a statistic or law the registry does not know
        return str(exc.args[0]) if exc.args else "unknown statistic"


__all__ = ["Case", "Step", "CaseProof", "Proof", "RULES", "RULE_LABELS", "canon"]
