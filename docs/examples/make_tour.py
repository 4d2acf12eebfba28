"""Build and execute ``symsig_tour.ipynb``, storing its outputs so a reader sees them.

    python docs/examples/make_tour.py

The kernel is the Python running this script (ipykernel's native kernel, found
without any user-level kernelspec), so the notebook uses this environment's symsig.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "symsig_tour.ipynb"

CELLS = [
    ("md", "# A tour of symsig in Jupyter\n\n"
           "Every result renders as a table or formula: the value to the digits it is good for, "
           "its exact form, the method and the error."),
    ("md", "## The signature of GELU\n\nThe nine components at $X = \\sigma Z$, $\\sigma = 1$, "
           "each a `Quantity`."),
    ("code", "from symsig import signature\n\ns = signature(\"gelu\", sigma=1, dps=20)\ns"),
    ("md", "One component alone:"),
    ("code", "s[\"m2\"]"),
    ("md", "## A proof of an affine law\n\n"
           "For $\\psi(x) = c\\,\\varphi(ax + b) + d$, each step re-verified by the checker."),
    ("code", "from symsig.laws import affine_law\n\naffine_law(\"m2\").prove()"),
    ("md", "## Kernels\n\nThe dual activation of ReLU in closed form, and the NNGP / NTK of a "
           "depth-3 network at $\\langle x, x'\\rangle = 1/2$."),
    ("code", "from symsig.kernels.dual import DualKernel, neural_kernels\n\nDualKernel(\"relu\")"),
    ("code", "neural_kernels(\"relu\", \"0.5\", depth=3, sigma_w2=2, dps=20)"),
    ("md", "## A Mittag-Leffler value\n\n$E_{1/2,1}(-10)$:"),
    ("code", "from symsig.mittag_leffler import mittag_leffler\n\n"
             "mittag_leffler(\"0.5\", 1, -10, dps=20)"),
    ("md", "## DataFrames\n\n`to_frame()` needs the optional extra `frame` (pandas)."),
    ("code", "s.to_frame()"),
    ("code", "from symsig.table import signature_table\n\n"
             "table = signature_table([\"relu\", \"gelu\"], sigmas=[\"0.5\", 2], dps=15)\ntable"),
    ("code", "table.to_frame()[\"value\"].unstack(\"component\", sort=False)"),
]


def build():
    """The notebook, not yet executed."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in CELLS]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, cwd=HERE):
    """Run every cell in a fresh kernel of this Python; the outputs are stored in ``nb``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # no kernel directories: only ipykernel's native spec, which starts sys.executable
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    NotebookClient(nb, km=km, timeout=300, record_timing=False, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


if __name__ == "__main__":
    import nbformat

    nbformat.write(execute(build()), NOTEBOOK)
    print(f"wrote {NOTEBOOK}")
