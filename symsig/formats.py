"""Output formats for signature tables: JSON, CSV (long, or ``columns``: one line per sigma), LaTeX, Markdown.

A table is a list of rows, one per (activation, sigma); each row is the
JSON object of :meth:`symsig.signature.Signature.as_dict`.  Values are decimal
strings with the requested number of significant digits (or ``oo``, ``-oo``,
``undefined``), so no format rounds through binary floats.

>>> row = {"activation": "relu", "sigma": "1", "mu": "0", "dps": 5, "expr": "Max(0, x)",
...        "components": {"m2": {"value": "0.50000", "exact": "1/2", "method": "closed form",
...                              "error": "0"}}}
>>> print(render([row], "markdown"))
| activation | sigma | m2 |
|---|---|---|
| relu | 1 | 0.50000 |
"""

import csv
import io
import json

from .components import latex_name
from .errors import InputError

FORMATS = ("json", "csv", "columns", "latex", "markdown")


def _columns(rows):
    names = []
    for row in rows:
        for name in row["components"]:
            if name not in names:
                names.append(name)
    return names


def to_json(rows):
    return json.dumps({"rows": rows}, indent=2)


def to_csv(rows):
    """One line per (activation, sigma, component) with value, exact form, method and error."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["activation", "sigma", "mu", "dps", "component", "value", "exact", "method", "error"])
    for row in rows:
        for name, comp in row["components"].items():
            writer.writerow([row["activation"], row["sigma"], row["mu"], row["dps"], name, comp["value"],
                             comp["exact"] or "", comp["method"], comp["error"] or ""])
    return out.getvalue()


def to_columns_csv(rows):
    """One line per (activation, sigma), a value and an error column per component (for plotting).

    >>> row = {"activation": "relu", "sigma": "1", "mu": "0", "dps": 5,
    ...        "components": {"m2": {"value": "0.50000", "exact": "1/2", "method": "closed form",
    ...                              "error": "0"}}}
    >>> print(to_columns_csv([row]), end="")
    activation,sigma,mu,dps,m2,m2_error
    relu,1,0,5,0.50000,0
    """
    names = _columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["activation", "sigma", "mu", "dps"] + [c for n in names for c in (n, f"{n}_error")])
    for row in rows:
        cells = []
        for name in names:
            comp = row["components"].get(name, {})
            cells += [comp.get("value", ""), comp.get("error") or ""]
        writer.writerow([row["activation"], row["sigma"], row["mu"], row["dps"]] + cells)
    return out.getvalue()


def to_markdown(rows):
    names = _columns(rows)
    lines = ["| activation | sigma | " + " | ".join(names) + " |",
             "|" + "---|" * (len(names) + 2)]
    for row in rows:
        cells = [row["components"].get(n, {}).get("value", "") for n in names]
        lines.append(f"| {row['activation']} | {row['sigma']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _latex_cell(value):
    if value == "oo":
        return r"$\infty$"
    if value == "-oo":
        return r"$-\infty$"
    if value == "undefined":
        return "--"
    return value


def to_latex(rows):
    names = _columns(rows)
    header = " & ".join(["activation", r"$\sigma$"] + [f"${latex_name(n)}$" for n in names])
    lines = [r"\begin{tabular}{ll" + "r" * len(names) + "}", r"\hline", header + r" \\", r"\hline"]
    for row in rows:
        cells = [_latex_cell(row["components"].get(n, {}).get("value", "")) for n in names]
        name = row["activation"].replace("_", r"\_")
        lines.append(" & ".join([name, row["sigma"]] + cells) + r" \\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines)


def render(rows, fmt):
    """The table in one of :data:`FORMATS`."""
    renderers = {"json": to_json, "csv": to_csv, "columns": to_columns_csv, "latex": to_latex,
                 "markdown": to_markdown}
    if fmt not in renderers:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](rows)
