"""The docs site (optional `docs` extra): `mkdocs build --strict` passes and renders the API pages.

The strict build also checks (mkdocs.yml `validation`) that every page is in the nav and that
every link and anchor resolves.
"""

import html
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_extension():
    pytest.importorskip("griffe")
    spec = importlib.util.spec_from_file_location("griffe_doctest", ROOT / "docs" / "api" / "griffe_doctest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python"):
        pytest.importorskip(module)
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # mkdocs-material's banner, not a build warning
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stderr, run.stderr
    return out


def test_strict_build_renders_every_guide_and_api_page(site):
    guides = [p.stem for p in (ROOT / "docs").glob("*.md") if p.stem != "index"]
    assert guides
    for name in guides:
        assert (site / name / "index.html").is_file(), name
    for page in (ROOT / "docs" / "api").glob("*.md"):
        assert (site / "api" / page.stem / "index.html").is_file(), page.name
    assert not list(site.rglob("*.py")), "build code must not be published"


def test_api_page_shows_the_signature_docstring(site):
    from symsig.signature import signature

    page = _text((site / "api" / "signature" / "index.html").read_text())
    # the docstring's first sentence, with its reST markup removed as the renderer does
    summary = inspect.getdoc(signature).splitlines()[0]
    summary = re.sub(r":\w+:`~?([^`]+)`", r"\1", summary).replace("``", "")
    assert summary in page


def test_doctests_render_as_code_blocks(site):
    import symsig.table

    text = (site / "api" / "table" / "index.html").read_text()
    blocks = [_text(b) for b in re.findall(r"<pre[^>]*>(.*?)</pre>", text, flags=re.S)]
    first = next(line for line in inspect.getdoc(symsig.table).splitlines() if line.startswith(">>>"))
    assert any(" ".join(first.split()) in block for block in blocks)
    for page in site.joinpath("api").rglob("index.html"):
        assert "<blockquote>" not in page.read_text(), page  # a '>>>' line read as a quote


def test_extension_fences_doctests_and_drops_roles():
    markdown = _load_extension().markdown
    source = ("Uses :class:`~symsig.quantity.Quantity` and :mod:`symsig.exact`.\n"
              ">>> f([1])\n"
              "[('a', 1)]\n"
              ">>> g()\n"
              "\n"
              "Literal::\n"
              "\n"
              "    code()\n"
              "```\n"
              ">>> left as is\n"
              "```")
    assert markdown(source).splitlines() == [
        "Uses `Quantity` and `symsig.exact`.",
        "", "```pycon", ">>> f([1])", "[('a', 1)]", ">>> g()", "```", "",
        "",
        "Literal:",
        "",
        "    code()",
        "```",
        ">>> left as is",
        "```"]
