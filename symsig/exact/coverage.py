"""Which signature cells have a closed form: the coverage table of docs/exact.md.

For every catalogue activation and every component m1, g1, g2, m2, eta, TV, C,
:func:`coverage` reports what the signature itself finds at mu = 0: the closed
form in sigma (expectations and formulas, :func:`symsig.signature.symbolic_signature`),
the exact value of a functional of phi (TV, C from :mod:`symsig.facts`), ``oo``,
or the word ``numeric`` / ``undefined``.  There is no second implementation
here, so the table cannot disagree with what ``symsig signature`` reports.

>>> cells = coverage("relu")
>>> cells["g2"][0], cells["C"][0]
(sqrt(2)/2, 0)
"""

import time

from ..activations import catalogue, get_activation
from ..components import COMPONENTS, Kind
from ..facts import facts
from ..precision import engine_call
from ..quantity import EXACT, INFINITE, UNDEFINED

CELLS = ("m1", "g1", "g2", "m2", "eta", "TV", "C")


def _cell(name, component):
    """The closed form (or ``oo``) of one cell, else ``"numeric"`` or ``"undefined"``."""
    from ..signature import symbolic_signature
    spec = COMPONENTS[component]
    if spec.kind == Kind.FUNCTIONAL:
        value = spec.compute(facts(get_activation(name).expr), 15)
        if value.status in (EXACT, INFINITE):
            return value.exact
        return "undefined" if value.status == UNDEFINED else "numeric"
    form = symbolic_signature(name, components=(component,))[component]
    return "numeric" if form is None else form


@engine_call
def coverage(name):
    """``{component: (closed form, oo or a word, seconds)}`` for one activation."""
    cells = {}
    for component in CELLS:
        start = time.perf_counter()
        value = _cell(name, component)
        cells[component] = (value, time.perf_counter() - start)
    return cells


@engine_call
def coverage_table(names=None):
    """Markdown table: one row per activation, ``exact`` where the engine gives a closed form."""
    names = list(catalogue()) if names is None else names
    lines = ["| activation | " + " | ".join(CELLS) + " | max time (s) |",
             "|---|" + "---|" * (len(CELLS) + 1)]
    for name in names:
        cells = coverage(name)
        marks = [_mark(cells[c][0]) for c in CELLS]
        slowest = max(t for _, t in cells.values())
        lines.append(f"| {name} | " + " | ".join(marks) + f" | {slowest:.2f} |")
    return "\n".join(lines)


def _mark(value):
    if isinstance(value, str):
        return value
    if value.is_infinite:
        return "exact (oo)"
    return "exact"
