"""``symsig table [ACT ...] [--sigma S ...] [--dps D] [--format F] [-o FILE]``."""

import os
import sys

from ..activations import STANDARD_EIGHT
from ..errors import InputError, OutputError
from ..formats import FORMATS, render
from . import DEFAULT_DPS


def register(subparsers):
    parser = subparsers.add_parser(
        "table", help="signature table of several activations and sigma values",
        description="Rows of the nine-component signature, one per activation and sigma. Progress goes "
                    "to stderr; Ctrl-C writes the rows finished so far.")
    parser.add_argument("activations", metavar="ACT", nargs="*", default=list(STANDARD_EIGHT),
                        help="activations")
    parser.add_argument("--sigma", nargs="+", default=["1"], help="one or more sigma values")
    parser.add_argument("--mu", default="0", help="mean (bias) of the input")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=_table)


def _progress(row, index, total):
    print(f"[{index}/{total}] {row['activation']} sigma={row['sigma']}", file=sys.stderr, flush=True)


def _check_output(path):
    """Refuse an unwritable output path before any row is computed."""
    if os.path.isdir(path):
        raise InputError(f"-o {path}: is a directory; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"-o {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise InputError(f"-o {path}: not writable")


def _table(args):
    from ..table import signature_table

    if args.output:
        _check_output(args.output)
    table = signature_table(args.activations or STANDARD_EIGHT, sigmas=args.sigma, mu=args.mu,
                            dps=args.dps, on_row=_progress)
    text = render(table.rows, args.format)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:  # e.g. the disk filled up while the rows were computed: keep them
            print(text)
            raise OutputError(f"-o {args.output}: cannot write ({exc.strerror}); "
                              "the table was printed to stdout instead") from None
    else:
        print(text)
    if table.interrupted:
        print(f"symsig: interrupted; wrote the {len(table.rows)} finished rows", file=sys.stderr)
        return 130
    return 0
