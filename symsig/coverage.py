"""What every engine answers for every kind of activation: the coverage matrix of docs/coverage.md.

Rows are the catalogue, the Mittag-Leffler presets and activations written the
way users write them (Piecewise forms, SIREN, Snake, rational functions, ...).
Columns are the nine signature components at sigma = 1, the closed forms in
sigma, the dual kernel, the smoothness degree (Hermite decay), the variance
map's fixed points and an affine-law check.  Each cell is one :class:`Cell`:
``exact``, ``numeric``, ``oo``, ``none``, ``undefined`` (with the mathematical
reason), ``not decided`` (symsig gave up: a gap to close, listed so that it is
seen) or ``error`` (what was refused and why).

>>> row = coverage_row("relu")
>>> row["m1"], row["TV"], row["dual"], row["smoothness"]
(Cell('exact'), Cell('exact'), Cell('exact'), Cell('exact', 'k = 1'))
"""

from dataclasses import dataclass
from enum import StrEnum

from .activations import catalogue, get_activation
from .components import NINE
from .errors import SymsigError, UndefinedError
from .precision import engine_call
from .quantity import EXACT, INFINITE, NUMERIC

COLUMNS = (*NINE, "symbolic", "dual", "smoothness", "fixed_points", "laws")

#: Activations as users write them, beside the catalogue and the presets.
USER_EXPRESSIONS = {
    "relu (Piecewise)": "Piecewise((x, x > 0), (0, True))",
    "elu(1.5) (Piecewise)": "Piecewise((x, x > 0), (1.5*(exp(x) - 1), True))",
    "relu^3 (Piecewise)": "Piecewise((x**3, x >= 0), (0, True))",
    "staircase": "Piecewise((0, x < -1), (1, x <= 1), (2, True))",
    "siren sin(30x)": "sin(30*x)",
    "snake a=0.5": "x + sin(0.5*x)**2/0.5",
    "x + sin(x)": "x + sin(x)",
    "x sin(x)": "x*sin(x)",
    "x sigmoid(1.702x)": "x/(1 + exp(-1.702*x))",
    "x/(1 + x^2)": "x/(1 + x**2)",
    "gelu_tanh (GPT-2)": "x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2",
    "shifted scaled tanh": "2*tanh(3*x - 1) + 0.5",
    "dead zone": "Piecewise((x - 1, x > 1), (x + 1, x < -1), (0, True))",
}


class Outcome(StrEnum):
    """What one engine answered for one activation (the legend of the coverage table)."""

    EXACT = "exact"
    NUMERIC = "numeric"
    INFINITE = "oo"
    NONE = "none"  # decided: there is none (no fixed point)
    UNDEFINED = "undefined"
    UNDECIDED = "not decided"  # symsig could not decide: a gap to close, never a verdict
    ERROR = "error"


@dataclass(frozen=True)
class Cell:
    """One cell of the coverage matrix: the outcome and its detail (a value, a reason); ``note``,
    a longer justification the Markdown table numbers below it."""

    outcome: Outcome
    detail: str = ""
    note: str = ""

    def __repr__(self):
        return f"Cell({str(self.outcome)!r}{', ' + repr(self.detail) if self.detail else ''})"

    def __str__(self):
        return f"{self.outcome} ({self.detail})" if self.detail else str(self.outcome)


def _quantity_cell(q):
    if q.status == EXACT:
        return Cell(Outcome.EXACT)
    if q.status == NUMERIC:
        return Cell(Outcome.NUMERIC)
    if q.status == INFINITE:
        return Cell(Outcome.INFINITE)
    if q.cause is not UndefinedError:
        return Cell(Outcome.UNDECIDED, q.reason or "")
    return Cell(Outcome.UNDEFINED, q.reason or "")


def _guarded(func):
    try:
        return func()
    except UndefinedError as exc:  # a mathematical verdict, not a failure
        return Cell(Outcome.UNDEFINED, str(exc))
    except SymsigError as exc:
        return Cell(Outcome.ERROR, f"{type(exc).__name__}: {exc}")


def _symbolic(expr):
    from .signature import symbolic_signature
    forms = symbolic_signature(expr, components=("m1", "g1", "g2", "m2", "eta"))
    closed = [name for name, form in forms.items() if form is not None]
    if len(closed) == len(forms):
        return Cell(Outcome.EXACT)
    return Cell(Outcome.NUMERIC, f"closed: {', '.join(closed)}" if closed else "")


def _dual(expr, dps):
    from .kernels import dual_activation
    return _quantity_cell(dual_activation(expr, 1, 1, "0.5", dps=dps))


def _smoothness(expr):
    from .kernels import smoothness
    return Cell(Outcome.EXACT, f"k = {smoothness(expr)['k']}")


def _fixed_points(expr, dps):
    from .stability import variance_fixed_points
    vmap = variance_fixed_points(expr, 2, "0.1", dps=dps)
    if not vmap.points and vmap.exact:
        return Cell(Outcome.NONE, vmap.reason or "no fixed point")
    if not vmap.points:
        # a scan with a decided tail sign is as numeric as the scan that finds points; an undecided
        # tail, or a sign change beyond q_max, leaves the question open
        if vmap.complete:
            return Cell(Outcome.NUMERIC, "none found", note=vmap.reason)
        return Cell(Outcome.UNDECIDED, vmap.reason)
    return Cell(Outcome.EXACT if vmap.exact else Outcome.NUMERIC, f"{len(vmap.points)} point(s)")


def _laws(expr, dps):
    from .laws import affine_law
    checks = [affine_law(name).verify(expr, a=-2, b="1/2", c=3, d=0, sigma="7/10", dps=dps)
              for name in ("m2", "TV")]
    verdicts = ", ".join(sorted({str(check.agree) for check in checks}))
    exact = all(q.status in (EXACT, INFINITE) for check in checks for q in (check.direct, check.via_law))
    return Cell(Outcome.EXACT if exact else Outcome.NUMERIC, f"m2, TV: {verdicts}")


@engine_call
def coverage_row(activation, dps=15):
    """``{column: Cell}`` for one activation (anything :func:`get_activation` accepts)."""
    from .signature import signature
    expr = get_activation(activation).expr
    row = {}
    try:
        values = signature(expr, sigma=1, dps=dps)
        row.update({name: _quantity_cell(values[name]) for name in NINE})
    except SymsigError as exc:
        row.update({name: Cell(Outcome.ERROR, f"{type(exc).__name__}: {exc}") for name in NINE})
    row["symbolic"] = _guarded(lambda: _symbolic(expr))
    row["dual"] = _guarded(lambda: _dual(expr, dps))
    row["smoothness"] = _guarded(lambda: _smoothness(expr))
    row["fixed_points"] = _guarded(lambda: _fixed_points(expr, dps))
    row["laws"] = _guarded(lambda: _laws(expr, dps))
    return row


def default_rows():
    """``{label: activation}``: the catalogue, the Mittag-Leffler presets, :data:`USER_EXPRESSIONS`."""
    from .mittag_leffler.gated import PRESET_NAMES, preset
    rows = {name: name for name in catalogue()}
    rows.update({f"gated {name}": preset(name) for name in PRESET_NAMES})
    rows.update(USER_EXPRESSIONS)
    return rows


@engine_call
def coverage_matrix(rows=None, dps=15, on_row=None):
    """``{label: row}`` for ``rows`` (default :func:`default_rows`); ``on_row(label, row)`` after each.

    On KeyboardInterrupt the rows finished so far are returned."""
    rows = default_rows() if rows is None else rows
    matrix = {}
    try:
        for label, activation in rows.items():
            matrix[label] = coverage_row(activation, dps)
            if on_row is not None:
                on_row(label, matrix[label])
    except KeyboardInterrupt:  # the finished rows are kept
        pass
    return matrix


def to_markdown(matrix):
    """The matrix as a Markdown table, then the reasons of its undefined and error cells."""
    lines = ["| activation | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    notes = []
    for label, row in matrix.items():
        marks = []
        for column in COLUMNS:
            cell = row[column]
            if cell.note:
                notes.append(f"* {label}, {column}: {cell.note}")
                marks.append(f"{cell} [{len(notes)}]")
            elif cell.outcome in (Outcome.NONE, Outcome.UNDEFINED, Outcome.UNDECIDED, Outcome.ERROR) and cell.detail:
                notes.append(f"* {label}, {column}: {cell.detail}")
                marks.append(f"{cell.outcome} [{len(notes)}]")
            else:
                marks.append(str(cell))
        lines.append(f"| {label} | " + " | ".join(marks) + " |")
    return "\n".join(lines + ["", *(f"{i}. {n[2:]}" for i, n in enumerate(notes, 1))])


__all__ = ["COLUMNS", "Cell", "Outcome", "USER_EXPRESSIONS", "coverage_matrix", "coverage_row", "default_rows",
           "to_markdown"]
