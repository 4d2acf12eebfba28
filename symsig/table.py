"""Reference tables: signatures of many activations over many sigma values.

Rows are computed one at a time and handed to a callback as soon as each is
done, so progress can be shown and an interrupt (Ctrl-C) keeps every finished
row.

>>> table = signature_table(["relu"], sigmas=["0.5", 2], dps=10)
>>> [(r["activation"], r["sigma"], r["components"]["m2"]["value"]) for r in table.rows]
[('relu', '1/2', '0.1250000000'), ('relu', '2', '2.000000000')]
"""

from dataclasses import dataclass

from .activations import STANDARD_EIGHT, get_activation
from .precision import engine_call
from .signature import NINE, signature


@dataclass
class Table:
    rows: list
    interrupted: bool = False


@engine_call
def signature_table(activations=STANDARD_EIGHT, sigmas=(1,), mu=0, dps=30, components=NINE,
                    extras=(), on_row=None):
    """A :class:`Table` of rows (JSON-ready dicts), one per activation and sigma.

    ``on_row(row, index, total)`` is called after each row.  On
    KeyboardInterrupt the rows finished so far are returned with
    ``interrupted=True``.
    """
    specs = [get_activation(a) for a in activations]
    total = len(specs) * len(sigmas)
    rows = []
    try:
        for activation in specs:
            for sigma in sigmas:
                result = signature(activation, sigma=sigma, mu=mu, dps=dps, components=components,
                                   extras=extras)
                row = result.as_dict()
                rows.append(row)
                if on_row is not None:
                    on_row(row, len(rows), total)
    except KeyboardInterrupt:
        return Table(rows, interrupted=True)
    return Table(rows)
