"""Griffe extension for the docs site: symsig's reST-style docstrings read as Markdown.

The docstrings stay as they are (plain text, doctests, Sphinx roles); this only changes what
mkdocstrings renders.  Without it a doctest line ``>>> f(x)`` becomes a nested block quote and
an output such as ``[('relu', '1/2')]`` is read as a Markdown link, which fails the strict build.
"""

import re

import griffe

_ROLE = re.compile(r":(?:class|func|mod|meth|attr|data|exc|obj):`(~?)([^`]+)`")


def _code(match):
    # ":class:`~symsig.quantity.Quantity`" shows "Quantity", as Sphinx would
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def markdown(text):
    """Fence every doctest block as ``pycon``, turn roles into inline code and ``::`` into ``:``.

    A doctest block runs from a ``>>>`` line to the next blank line (the doctest rule).
    """
    lines, out, fenced, i = text.splitlines(), [], False, 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or not line.lstrip().startswith(">>>"):
            if not fenced:
                line = _ROLE.sub(_code, line)
                following = next((rest for rest in lines[i + 1:] if rest.strip()), "")
                if line.endswith("::") and following.startswith(" "):
                    line = line[:-1]  # reST literal marker; the indented block is Markdown code
            out.append(line)
            i += 1
            continue
        indent = line[:len(line) - len(line.lstrip())]
        end = i
        while end < len(lines) and lines[end].strip():
            end += 1
        out += ["", f"{indent}```pycon", *lines[i:end], f"{indent}```", ""]
        i = end
    return "\n".join(out)


class DoctestMarkdown(griffe.Extension):
    """Rewrite each docstring once, when griffe creates its object."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
