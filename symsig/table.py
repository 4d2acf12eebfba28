"""Reference tables: signatures of many activations over many sigma values.

Rows are computed one at a time and handed to a callback as soon as each is
done, so progress can be shown and an interrupt (Ctrl-C) keeps every finished
row.

>>> table = signature_table(["relu"], sigmas=["0.5", 2], dps=10)
>>> [(r["activation"], r["sigma"], r["components"]["m2"]["value"]) for r in table.rows]
[('relu', '1/2', '0.1250000000'), ('relu', '2', '2.000000000')]
"""

from dataclasses import dataclass

from . import display
from .activations import STANDARD_EIGHT, get_activation
from .components import latex_name
from .gaussian import check_gaussian
from .signature import NINE, signature
from .sweep import CHUNKS, chunks, portable, run_tasks, signature_sweep, task_spec


@dataclass
class Table:
    """The rows of :func:`signature_table` (JSON-ready dicts); ``interrupted`` when Ctrl-C
    stopped it and only the finished rows are here."""

    rows: list
    interrupted: bool = False

    def to_frame(self):
        """A long pandas DataFrame indexed by (activation, sigma, component) (see
        :func:`symsig.display.table_frame`)."""
        return display.table_frame(self)

    def _repr_html_(self):
        return display.table_html(self, latex_name)


def signature_table(activations=STANDARD_EIGHT, sigmas=(1,), mu=0, dps=30, components=NINE,
                    extras=(), on_row=None, executor=None):
    """A :class:`Table` of rows (JSON-ready dicts), one per activation and sigma.

    With several sigma values each activation is a sweep
    (:func:`symsig.sweep.signature_sweep`: the sigma-free work done once).
    ``executor`` (any :class:`concurrent.futures.Executor`) computes the rows in its
    workers; they equal the serial rows digit for digit.  ``on_row(row, index,
    total)`` is called after each row, in table order.  On KeyboardInterrupt the
    rows finished so far are returned with ``interrupted=True``.
    """
    specs = [get_activation(a) for a in activations]
    sweeping = len(sigmas) > 1
    total = len(specs) * len(sigmas)
    rows = []

    def keep(row):
        rows.append(row)
        if on_row is not None:
            on_row(row, len(rows), total)

    if executor is not None:
        mu = check_gaussian(1, mu, dps)[1]
        exact = [check_gaussian(s, mu, dps)[0] for s in sigmas]
        tasks = [(task_spec(a, spec), [portable(s) for s in chunk], portable(mu), dps, tuple(components),
                  tuple(extras), sweeping) for a, spec in zip(activations, specs) for chunk in chunks(exact, CHUNKS)]
        complete = run_tasks(executor, table_task, tasks, lambda batch: [keep(row) for row in batch])
        return Table(rows, interrupted=not complete)
    try:
        for activation in specs:
            if sweeping:
                sweep = signature_sweep(activation, sigmas, mu, dps, components, extras,
                                        on_signature=lambda result, *_: keep(result.as_dict()))
                if sweep.interrupted:
                    return Table(rows, interrupted=True)
                continue
            for sigma in sigmas:
                keep(signature(activation, sigma=sigma, mu=mu, dps=dps, components=components,
                               extras=extras).as_dict())
    except KeyboardInterrupt:
        return Table(rows, interrupted=True)
    return Table(rows)


def table_task(spec, sigmas, mu, dps, components, extras, sweeping):
    """One executor task (a picklable top-level call): the rows of one activation at ``sigmas``."""
    if sweeping:
        sweep = signature_sweep(spec, sigmas, mu, dps, components, extras)
        if sweep.interrupted:  # a partial task is not a finished one
            raise KeyboardInterrupt
        return sweep.rows()
    return [signature(spec, sigma=s, mu=mu, dps=dps, components=components, extras=extras).as_dict()
            for s in sigmas]
