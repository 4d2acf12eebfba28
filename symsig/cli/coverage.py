"""``symsig coverage [ACT ...] [--dps D] [-o FILE]``: the coverage matrix of docs/coverage.md."""

import sys

from . import DEFAULT_DPS


def register(subparsers):
    parser = subparsers.add_parser(
        "coverage", help="what every engine answers for each activation (exact/numeric/oo/undefined/error)",
        description="One row per activation (default: the catalogue, the Mittag-Leffler presets and "
                    "user-style expressions), one column per signature component and engine. Progress "
                    "goes to stderr.")
    parser.add_argument("activations", metavar="ACT", nargs="*",
                        help="activations (the default rows of symsig.coverage when none are given)")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits of the numeric cells")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the Markdown table to FILE")
    parser.set_defaults(handler=_coverage)


def _coverage(args):
    from ..coverage import coverage_matrix, to_markdown
    from ..precision import check_dps

    dps = check_dps(args.dps)
    rows = {a: a for a in args.activations} or None
    matrix = coverage_matrix(rows, dps=dps, on_row=lambda label, row: print(f"done: {label}", file=sys.stderr,
                                                                         flush=True))
    text = to_markdown(matrix)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    else:
        print(text)
    return 0
