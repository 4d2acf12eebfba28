"""Command-line interface: ``symsig SUBCOMMAND ...``.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a
function ``handler(args) -> int``.  The CLI only parses arguments and prints;
all mathematics is in the API it calls.  Errors that symsig raises on purpose
become a one-line message and a non-zero exit status, never a traceback.
"""

import argparse
import importlib
import re
import sys

from ..errors import SymsigError

SUBCOMMAND_MODULES = ("catalogue", "signature", "table", "ml", "laws", "kernels", "coverage", "plot")
"""Modules of this package that add subcommands, in the order of ``symsig --help``."""


DEFAULT_DPS = 30
"""Significant digits of every subcommand unless ``--dps`` says otherwise."""

# a word that starts with '-' and a digit, '.', '(' or holds an operator is a value (-10+1j, -3e-4,
# -(x**2)), never an option: argparse then takes it as a positional anywhere on the line
_VALUE = re.compile(r"^-(?:[\d.(]|[^-=\s]*[()*/+^])")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _VALUE

    def error(self, message):
        self.exit(2, f"symsig: error: {message} (see 'symsig --help')\n")


def _version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("symsig")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def build_parser():
    parser = _Parser(prog="symsig", description="Integral signatures of activation functions, exact "
                     "where mathematics allows and correct to any number of digits where it does not. "
                     "Options may come before or after the positional arguments; negative and complex "
                     "numbers (-10+1j) are values, not options.")
    parser.add_argument("--version", action="version", version=f"symsig {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv=None):
    """Entry point of the ``symsig`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except SymsigError as exc:
        print(f"symsig: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symsig: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: the reader has what it wanted
        sys.stderr.close()
        return 0
