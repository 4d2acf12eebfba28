"""The value object the exact engine returns."""

from dataclasses import dataclass

import sympy


@dataclass(frozen=True)
class ExactResult:
    """A closed form and the rule(s) of the table that produced it.

    ``expr`` is a simplified SymPy expression; ``rule`` names the rules used,
    joined by ``" + "`` in a fixed order, so it can go into a ``method`` string.
    """

    expr: sympy.Expr
    rule: str

    @classmethod
    def from_rules(cls, expr, rules):
        return cls(expr, " + ".join(sorted(rules)))
