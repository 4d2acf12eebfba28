"""The example notebook runs in a real Jupyter kernel and shows symsig's rich outputs."""

import importlib.util
from pathlib import Path

import mpmath
import pytest

from symsig.precision import format_value

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def _tour():
    spec = importlib.util.spec_from_file_location("make_tour", EXAMPLES / "make_tour.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(cell):
    """The mime bundle of a code cell's result (the cell's last expression)."""
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    assert len(results) == 1, cell.source
    return results[0].data


def test_tour_runs_in_a_kernel_with_rich_outputs():
    tour = _tour()
    nb = tour.execute(tour.build())
    code = [c for c in nb.cells if c.cell_type == "code"]
    sig, quantity, proof, dual, neural, ml, frame, table, wide = (_data(c) for c in code)
    ctx = mpmath.MPContext()
    ctx.dps = 40
    # gelu at sigma = 1: m1 = 1/(2 sqrt(pi)), m2 = 1/3 + sqrt(3)/(6 pi) (closed forms)
    m1 = format_value(1 / (2 * ctx.sqrt(ctx.pi)), 20)
    m2 = format_value(ctx.mpf(1) / 3 + ctx.sqrt(3) / (6 * ctx.pi), 20)
    assert 'class="symsig-signature"' in sig["text/html"] and f"<code>{m1}</code>" in sig["text/html"]
    assert r"\begin{array}" in sig["text/latex"] and m2 in sig["text/latex"]
    assert f"<code>{m2}</code>" in quantity["text/html"] and r"\frac{1}{3}" in quantity["text/latex"]
    assert r"\begin{aligned}" in proof["text/markdown"] and "every step re-verified" in proof["text/markdown"]
    assert r"\mathbb{E}[\varphi(U)\,\varphi(V)]" in dual["text/latex"]
    assert r"\Theta^{(3)}" in neural["text/latex"] and "symsig-neural-kernels" in neural["text/html"]
    e = format_value(ctx.exp(100) * ctx.erfc(10), 20)  # E_{1/2,1}(-10) = exp(100) erfc(10)
    assert ml["text/latex"].startswith(f"$E = {e} ")
    assert "<th>component</th>" in frame["text/html"] and "<th>method</th>" in frame["text/html"]
    assert "symsig-table" in table["text/html"] and "<code>gelu</code>" in table["text/html"]
    assert all(name in wide["text/html"] for name in ("alpha_plus", "eta", "TV"))


def test_stored_notebook_is_the_executed_tour():
    """docs/examples/symsig_tour.ipynb is what make_tour.py builds, with its outputs stored."""
    tour = _tour()
    stored = nbformat.read(EXAMPLES / "symsig_tour.ipynb", as_version=4)
    assert [c.source for c in stored.cells] == [c.source for c in tour.build().cells]
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert all(_data(c).get("text/html") or _data(c).get("text/markdown") for c in code)
