r"""Renderings of symsig results for Jupyter (HTML, LaTeX, Markdown) and for pandas.

The result classes keep one-line hooks (``_repr_html_``, ``_repr_latex_``,
``_repr_markdown_``, ``to_frame``) that call the functions here.  This module
imports low-level modules only (:class:`~symsig.quantity.Quantity` uses it), so
the hooks hand in what belongs to a feature: component LaTeX names, the proof's
printers of expressions and justifications.

A number is shown with the digits its class claims for it (the value's ``dps``),
its exact form, method and error.  Text from the user (activation names,
reasons) is HTML-escaped; inside LaTeX it is set in ``\mathrm`` with the special
characters escaped, which MathJax, KaTeX and LaTeX all read.

>>> import sympy
>>> from symsig.quantity import Quantity
>>> q = Quantity.from_exact(sympy.sqrt(2), "closed form", dps=10)
>>> print(quantity_latex(q))
$\sqrt{2} \approx 1.414213562 \quad \mathrm{exact;\ closed\ form}$
>>> print(quantity_html(Quantity.undefined("needs m2 < 0 & m1", "formula", 10)))
<span class="symsig-quantity"><code>undefined</code> <small>(undefined: needs m2 &lt; 0 &amp; m1; formula)</small></span>
"""

import html
import re

import sympy

from .errors import InputError
from .parsing import parse_number
from .precision import FIXED, private_context

_TEX_SPECIAL = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&",
                "#": r"\#", "$": r"\$", "^": r"\hat{}", "~": r"\sim ", " ": r"\ "}
_EXPONENT = re.compile(r"(\d)e([-+]?)0*(\d+)")


def tex_text(text):
    r"""Plain text as math-mode LaTeX: ``\mathrm{...}`` with special characters escaped.

    >>> print(tex_text("leaky_relu & 50%"))
    \mathrm{leaky\_relu\ \&\ 50\%}
    """
    return r"\mathrm{%s}" % "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def tex_number(text):
    r"""A decimal string of :func:`symsig.precision.format_value` as LaTeX.

    >>> tex_number("1.25e-8"), tex_number("-oo"), tex_number("0.5+2.0j")
    ('1.25 \\times 10^{-8}', '-\\infty', '0.5+2.0 i')
    """
    if text in ("oo", "-oo"):
        return text.replace("oo", r"\infty")
    if text == "undefined":
        return tex_text(text)
    text = _EXPONENT.sub(lambda m: rf"{m[1]} \times 10^{{{'-' if m[2] == '-' else ''}{m[3]}}}", text)
    return text[:-1] + " i" if text.endswith("j") else text


def _esc(text):
    return html.escape(str(text))


def _math(expr):
    """Inline math for HTML: escaped so that '<' in a Piecewise condition stays text."""
    return f"${_esc(sympy.latex(expr))}$"


# ------------------------------------------------------------------ Quantity

def _is_decimal_of(value_text, exact):
    """True when the printed decimal is the exact value itself (1/2 as 0.50000)."""
    try:
        return parse_number(value_text) == exact
    except InputError:
        return False


def _status(q):
    """The status, with the reason of an undefined value."""
    return f"undefined: {q.reason}" if q.status == "undefined" else str(q.status)


def quantity_latex(q, symbol=None):
    """One line of LaTeX: exact form, value and error, status and method; ``symbol =`` in front."""
    value = tex_number(str(q))
    if q.status == "undefined":
        body = tex_text(f"undefined: {q.reason}")
    elif q.status == "numeric":
        body = f"{value} \\pm {tex_number(q.error_str())}" if q.error_str() else value
    elif q.status == "infinite":
        body = value
    else:
        relation = "=" if _is_decimal_of(str(q), q.exact) else r"\approx"
        body = f"{sympy.latex(q.exact)} {relation} {value}"
    lhs = f"{symbol} = " if symbol else ""
    return f"${lhs}{body} \\quad {tex_text(f'{q.status}; {q.method}')}$"


def quantity_html(q):
    """One line of HTML: the value's digits, its exact form, status and method."""
    parts = [f"<code>{_esc(q)}</code>"]
    if q.status == "numeric" and q.error_str():
        parts.append(f"&plusmn; <code>{_esc(q.error_str())}</code>")
    if q.exact is not None and q.exact not in (sympy.oo, -sympy.oo):
        parts.append(("=" if _is_decimal_of(str(q), q.exact) else "&asymp;") + f" {_math(q.exact)}")
    parts.append(f"<small>({_esc(_status(q))}; {_esc(q.method)})</small>")
    return f'<span class="symsig-quantity">{" ".join(parts)}</span>'


def _quantity_rows_html(named):
    """HTML rows ``name | value | exact | error | status | method`` of (LaTeX name, title, Quantity)."""
    rows = []
    for tex, title, q in named:
        exact = _math(q.exact) if q.exact is not None else ""
        error = q.error_str() if q.error_str() is not None else ""
        rows.append(f'<tr><td title="{_esc(title)}">${_esc(tex)}$</td><td><code>{_esc(q)}</code></td>'
                    f"<td>{exact}</td><td>{_esc(error)}</td><td>{_esc(_status(q))}</td>"
                    f"<td>{_esc(q.method)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("", "value", "exact", "error", "status", "method"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _quantity_rows_latex(named):
    """A LaTeX array of (LaTeX name, title, Quantity): name, value, exact, error, status and method."""
    rows = [r" & ".join(tex_text(h) for h in ("", "value", "exact", "error", "status", "method"))]
    for tex, _, q in named:
        exact = sympy.latex(q.exact) if q.exact is not None else ""
        error = tex_number(q.error_str()) if q.error_str() is not None else ""
        rows.append(" & ".join((tex, tex_number(str(q)), exact, error, tex_text(_status(q)), tex_text(q.method))))
    return r"\begin{array}{llllll}" + rows[0] + r" \\ \hline " + r" \\ ".join(rows[1:]) + r"\end{array}"


# ----------------------------------------------------------------- Signature

def _signature_header(s):
    return (rf"S_\sigma(\varphi),\ \varphi = {tex_text(str(s.activation))}:\ \varphi(x) = "
            rf"{sympy.latex(s.activation.expr)},\ \sigma = {sympy.latex(s.sigma)},\ \mu = {sympy.latex(s.mu)}")


def _named(s, latex_name):
    return [(latex_name(name), name, q) for name, q in s.items()]


def signature_html(s, latex_name):
    """The signature as an HTML table, one row per component (``latex_name(name)``; the name as its title)."""
    return (f'<div class="symsig-signature"><p>${_esc(_signature_header(s))}$ '
            f"<small>({s.dps} digits)</small></p>{_quantity_rows_html(_named(s, latex_name))}</div>")


def signature_latex(s, latex_name):
    """The signature as a LaTeX array under a header line."""
    return f"$${_signature_header(s)}$$\n$${_quantity_rows_latex(_named(s, latex_name))}$$"


# --------------------------------------------------------------------- Table

def _cell_html(component):
    """A table cell: the value, and beneath it 'exact', the error or the reason; method in the title."""
    value = component["value"]
    note = component.get("reason") or ("exact" if component["error"] == "0" else
                                       f"± {component['error']}" if component["error"] else "")
    title = component["method"] + (f"; exact: {component['exact']}" if component["exact"] else "")
    return f'<td title="{_esc(title)}"><code>{_esc(value)}</code><br><small>{_esc(note)}</small></td>'


def table_html(table, latex_name):
    """Rows (activation, sigma) by components; each cell's title holds its method and exact form."""
    names = list(dict.fromkeys(n for row in table.rows for n in row["components"]))
    head = "<th>activation</th><th>&sigma;</th><th>&mu;</th>" + "".join(
        f'<th title="{_esc(n)}">${_esc(latex_name(n))}$</th>' for n in names)
    body = []
    for row in table.rows:
        cells = "".join(_cell_html(row["components"][n]) if n in row["components"] else "<td></td>"
                        for n in names)
        body.append(f"<tr><td><code>{_esc(row['activation'])}</code></td><td>{_esc(row['sigma'])}</td>"
                    f"<td>{_esc(row['mu'])}</td>{cells}</tr>")
    note = (f"<p><b>interrupted</b>: the {len(table.rows)} rows finished</p>" if table.interrupted else "")
    return (f'<div class="symsig-table">{note}<table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


# --------------------------------------------------------------------- Proof

def _proof_blocks(proof, latex, case_latex, justification):
    """One ``aligned`` block per case: the case, the start, then ``= rhs`` with its justification.

    ``latex(expr)``, ``case_latex(label)`` and ``justification(step)`` are the proof module's printers.
    """
    blocks = []
    for cp in proof.cases:
        rows = [rf"&\textbf{{Case }} {case_latex(cp.case.label)}:", f"&{latex(cp.start)}"]
        rows += [rf"&= {latex(s.rhs)} && {tex_text(justification(s))}" for s in cp.steps]
        blocks.append(r"$$\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}$$")
    return blocks


def _md_text(text):
    """Plain text for Markdown: HTML-escaped, Markdown's emphasis and code characters escaped."""
    return re.sub(r"([\\`*_\[\]$])", r"\\\1", _esc(text))


def proof_markdown(proof, *printers):
    """The law, the checker's verdict, then each case as aligned LaTeX steps.

    Runs :meth:`Proof.check` (cached on the proof) so the verdict is always shown;
    ``printers`` as for :func:`_proof_blocks`.
    """
    law = proof.law
    lines = [f"**Law `{_esc(law.name)}`.** For $\\psi(x) = c\\,\\varphi(a x + b) + d$, $a \\neq 0$:",
             f"$$\\begin{{gathered}}{law.statement_latex()}\\end{{gathered}}$$"]
    if law.conditions:
        lines.append(f"Holds when {_md_text(law.conditions)}.")
    if law.otherwise:
        lines.append(f"Otherwise: {_md_text(law.otherwise)}.")
    failures = proof.failures() if not proof.check() else []
    lines.append("**Proof**, every step re-verified by the checker:" if not failures else
                 "**Proof: the checker rejects it.** " + "; ".join(_md_text(f) for f in failures))
    lines += _proof_blocks(proof, *printers)
    lines += [f"*Cited, not machine-checked:* {_md_text(p)}" for p in proof.premises]
    return "\n\n".join(lines) + "\n"


def proof_latex(proof, *printers):
    """The proof's cases as aligned LaTeX steps (MathJax, KaTeX and LaTeX's amsmath)."""
    return "\n".join(_proof_blocks(proof, *printers)) + "\n"


# ------------------------------------------------------------------- kernels

def _kernel_symbols(expr):
    names = {"Q1": "q_1", "Q2": "q_2", "Q12": "q_{12}"}
    return {s: names[s.name] for s in expr.free_symbols if s.name in names}


def _dual_formula(phi, derivative, exact):
    f = r"\varphi'" if derivative else r"\varphi"
    lhs = rf"\mathbb{{E}}[{f}(U)\,{f}(V)]"
    rhs = sympy.latex(exact, symbol_names=_kernel_symbols(exact)) if exact is not None else tex_text("by quadrature")
    return rf"$$\varphi(x) = {sympy.latex(phi)}:\quad {lhs} = {rhs}$$"


def dual_kernel_latex(phi, derivative, exact, method):
    """``E[phi(U) phi(V)]`` (or of phi') as its closed form in q1, q2, q12, or 'by quadrature'; the method."""
    return f"{_dual_formula(phi, derivative, exact)}\n$${tex_text(method)}$$"


def dual_kernel_html(phi, derivative, exact, method):
    """The dual kernel's formula (MathJax) and its method, as HTML."""
    return (f'<div class="symsig-dual-kernel">{_esc(_dual_formula(phi, derivative, exact))}'
            f"<p><small>{_esc(method)}</small></p></div>")


def _neural_named(k):
    return [(rf"\Sigma^{{({k.depth})}}", "nngp", k.nngp), (rf"\Theta^{{({k.depth})}}", "ntk", k.ntk),
            (rf"q^{{({k.depth})}}", "variance", k.variance)]


def _neural_header(k):
    return (rf"\text{{depth }} L = {k.depth},\ t = {sympy.latex(k.t)},\ \sigma_w^2 = {sympy.latex(k.sigma_w2)},"
            rf"\ \sigma_b^2 = {sympy.latex(k.sigma_b2)}")


def neural_kernels_html(k):
    """NNGP, NTK and the diagonal variance as an HTML table."""
    return (f'<div class="symsig-neural-kernels"><p>${_esc(_neural_header(k))}$</p>'
            f"{_quantity_rows_html(_neural_named(k))}</div>")


def neural_kernels_latex(k):
    """NNGP, NTK and the diagonal variance as a LaTeX array."""
    return f"$${_neural_header(k)}$$\n$${_quantity_rows_latex(_neural_named(k))}$$"


# ---------------------------------------------------------------- DataFrames

FRAME_COLUMNS = ("value", "exact", "method", "error", "status", "reason")


def _pandas():
    try:
        import pandas
    except ImportError:
        raise InputError("to_frame needs pandas, the optional extra 'frame': pip install 'symsig[frame]'") from None
    return pandas


def _claimed(value, dps):
    """``value`` rounded to the ``dps`` digits it is good for: the guard digits are not shown."""
    return None if value is None else private_context(dps).convert(value)


def signature_frame(s):
    """One row per component (index ``component``).

    ``value`` is the Quantity's mpmath value rounded to the digits it claims
    (``Quantity.dps``), ``error`` an mpmath number (None where there is none),
    ``exact`` a SymPy expression or None; ``attrs`` holds activation, sigma, mu, dps.
    """
    pandas = _pandas()
    data = [(_claimed(q.value, q.dps), q.exact, q.method, q.error, str(q.status), q.reason)
            for q in s.components.values()]
    frame = pandas.DataFrame(data, columns=FRAME_COLUMNS,
                             index=pandas.Index(list(s.components), name="component"))
    frame.attrs.update(activation=str(s.activation), sigma=s.sigma, mu=s.mu, dps=s.dps)
    return frame


def _row_values(row, name, component):
    """A table row's component (JSON strings) as frame values: numbers at the row's digits."""
    value, error = component["value"], component["error"]
    status = ("undefined" if value == "undefined" else "infinite" if value in ("oo", "-oo")
              else "exact" if error == "0" else "numeric")
    number = None if status == "undefined" else private_context(row["dps"]).mpf(value.replace("oo", "inf"))
    return (row["activation"], parse_number(row["sigma"]), name, number, component["exact"],
            component["method"], None if error is None else FIXED.mpf(error), status, component.get("reason"))


def table_frame(table):
    """Long format: one row per (activation, sigma, component), a MultiIndex of the three.

    ``frame["value"].unstack("component")`` is the wide table; ``exact`` is the
    expression's text (the rows are JSON); ``mu`` and ``dps`` are columns.
    """
    pandas = _pandas()
    index = ("activation", "sigma", "component")
    data = [(*_row_values(row, name, component), parse_number(row["mu"]), row["dps"])
            for row in table.rows for name, component in row["components"].items()]
    frame = pandas.DataFrame(data, columns=[*index, *FRAME_COLUMNS, "mu", "dps"])
    return frame.set_index(list(index))
