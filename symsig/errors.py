"""One exception hierarchy for everything symsig refuses to do.

Every error a user can trigger is a :class:`SymsigError`; its message says what
was wrong and what to do instead.  Subclasses separate bad input from
mathematical facts (divergence) and from numerical limits (no convergence).
"""


class SymsigError(Exception):
    """Base class of every error symsig raises on purpose."""


class InputError(SymsigError, ValueError):
    """The caller passed something symsig cannot use."""


class ParseError(InputError):
    """An activation string could not be parsed into an expression in x."""


class DomainError(InputError):
    """A parameter lies outside the domain of the function (e.g. sigma <= 0)."""


class LimitError(InputError):
    """An input exceeds one of the documented resource limits (symsig.limits, docs/limits.md)."""


class DivergenceError(SymsigError, ArithmeticError):
    """The requested quantity does not exist as a finite number (e.g. E[exp(X^2)])."""


class UndefinedError(SymsigError, ArithmeticError):
    """The requested quantity is undefined (e.g. eta when the output variance is 0)."""


class ConvergenceError(SymsigError, ArithmeticError):
    """A numerical method did not reach the requested accuracy; no digits are returned."""


class OutputError(SymsigError, OSError):
    """A result could not be written where the user asked (e.g. ``symsig table -o FILE``)."""


class BudgetExceeded(SymsigError):
    """A symbolic step was not attempted: its input exceeds a deterministic size limit
    (symsig.limits.MAX_SYMBOLIC_NODES, MAX_LIMIT_NESTING)."""
