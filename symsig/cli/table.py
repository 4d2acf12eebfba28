"""``symsig table [ACT ...] [--sigma S ...] [--dps D] [--jobs N] [--format F] [-o FILE]``."""

import os
import sys

from ..activations import STANDARD_EIGHT
from ..errors import InputError, OutputError
from ..formats import FORMATS, render
from . import DEFAULT_DPS

MAX_JOBS = 256
"""Most worker processes ``--jobs`` starts (each holds its own SymPy and caches)."""


def register(subparsers):
    parser = subparsers.add_parser(
        "table", help="signature table of several activations and sigma values",
        description="Rows of the nine-component signature, one per activation and sigma. With several "
                    "sigma values each activation is a sweep (the sigma-free work done once). Progress goes "
                    "to stderr; Ctrl-C writes the rows finished so far.")
    parser.add_argument("activations", metavar="ACT", nargs="*", default=list(STANDARD_EIGHT),
                        help="activations")
    parser.add_argument("--sigma", nargs="+", default=["1"], help="one or more sigma values")
    parser.add_argument("--mu", default="0", help="mean (bias) of the input")
    parser.add_argument("--dps", type=int, default=DEFAULT_DPS, help="significant decimal digits")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="worker processes (the rows equal those of one process, digit for digit)")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=_table)


def _progress(row, index, total):
    print(f"[{index}/{total}] {row['activation']} sigma={row['sigma']}", file=sys.stderr, flush=True)


def _stop(pool):
    """Shut the pool down without running the tasks it had already queued (after Ctrl-C they
    would delay the exit by whole tasks); a no-op wait when every task is done."""
    pool.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=True)


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

    if not 1 <= args.jobs <= MAX_JOBS:
        raise InputError(f"--jobs {args.jobs}: give 1 to {MAX_JOBS} worker processes")
    if args.output:
        _check_output(args.output)
    activations = args.activations or STANDARD_EIGHT
    if args.jobs == 1:
        table = signature_table(activations, sigmas=args.sigma, mu=args.mu, dps=args.dps, on_row=_progress)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=args.jobs)
        try:
            table = signature_table(activations, sigmas=args.sigma, mu=args.mu, dps=args.dps,
                                    on_row=_progress, executor=pool)
        finally:
            _stop(pool)
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
