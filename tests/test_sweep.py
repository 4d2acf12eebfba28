"""Sigma sweeps (symsig.sweep) and executors for sweeps and tables.

Truths: closed forms (ReLU), plain ``mpmath.quad`` on hand-written integrands in a
private context, and the single-sigma ``signature()`` (its quadrature puts the nodes
in z at each sigma; the sweep's are shared nodes in x).  Executors must reproduce
the serial run bit for bit.
"""

import json
from concurrent.futures import Future, ProcessPoolExecutor

import mpmath
import pytest

from symsig import signature, signature_table
from symsig.cli import main
from symsig.sweep import signature_sweep

SIGMAS = ["0.1", "0.35", "1", "2.5", "10"]


def agree(a, b, digits):
    """a and b (Quantities) agree to ``digits`` significant digits, or are the same non-number."""
    if not (a.is_finite and b.is_finite):
        return str(a) == str(b)
    ctx = mpmath.MPContext()
    ctx.dps = digits + 10
    size = max(abs(ctx.mpf(b.value)), ctx.mpf(10) ** -digits)
    return abs(ctx.mpf(a.value) - ctx.mpf(b.value)) <= size * ctx.mpf(10) ** (1 - digits)


def test_relu_sweep_is_the_closed_form_at_every_sigma():
    sweep = signature_sweep("relu", SIGMAS, dps=25)
    for sigma, s in zip(SIGMAS, sweep.signatures):
        ctx = mpmath.MPContext()
        ctx.dps = 35
        sig = ctx.mpf(sigma)
        assert s["m2"].status == "exact" and agree(s["m2"], s["m2"], 25)
        assert abs(s["m2"].value - sig**2 / 2) < ctx.mpf(10) ** -26 * sig**2
        assert abs(s["m1"].value - sig / ctx.sqrt(2 * ctx.pi)) < ctx.mpf(10) ** -26 * sig
        assert str(s["g1"]) == "0.5000000000000000000000000"
        # eta = sigma^2 g1^2 / Var = 1 / (2 - 2/pi), the same at every sigma
        assert abs(s["eta"].value - 1 / (2 - 2 / ctx.pi)) < ctx.mpf(10) ** -25


@pytest.mark.parametrize("name, f", [
    ("tanh", lambda ctx, x: ctx.tanh(x) ** 2),
    pytest.param("swish", lambda ctx, x: (x / (1 + ctx.exp(-x))) ** 2, marks=pytest.mark.slow),
])
def test_quadrature_by_shared_nodes_matches_plain_mpmath_quad(name, f):
    dps = 20
    sweep = signature_sweep(name, SIGMAS, dps=dps, components=("m2",))
    for sigma, s in zip(SIGMAS, sweep.signatures):
        assert "nodes shared across sigma" in s["m2"].method
        ctx = mpmath.MPContext()
        ctx.dps = dps + 15
        sig = ctx.mpf(sigma)
        truth = ctx.quad(lambda z: f(ctx, sig * z) * ctx.exp(-z * z / 2), [-ctx.inf, 0, ctx.inf]) \
            / ctx.sqrt(2 * ctx.pi)
        assert abs(s["m2"].value - truth) <= abs(truth) * ctx.mpf(10) ** -dps, (sigma, s["m2"])


@pytest.mark.parametrize("name, mu", [
    ("tanh", 0), ("leaky_relu", 0), ("sigmoid", "-0.75"),
    pytest.param("mish", 0, marks=pytest.mark.slow), pytest.param("gelu", "0.5", marks=pytest.mark.slow),
    pytest.param("telu", "2", marks=pytest.mark.slow), pytest.param("elu", 0, marks=pytest.mark.slow)])
def test_sweep_equals_single_sigma_signatures_at_the_digits_claimed(name, mu):
    dps = 20
    sigmas = ["0.2", "1.5", "7"]
    sweep = signature_sweep(name, sigmas, mu=mu, dps=dps)
    for sigma, s in zip(sigmas, sweep.signatures):
        single = signature(name, sigma=sigma, mu=mu, dps=dps)
        assert list(s.components) == list(single.components)
        for component, q in single.items():
            got = s[component]
            assert got.status == q.status, (name, sigma, component, got, q)
            assert agree(got, q, min(got.dps, q.dps)), (name, sigma, component, str(got), str(q))


def test_a_mass_far_from_mu_keeps_its_claimed_digits():
    # swish(mu + sigma Z)^2 at mu = -40, sigma = 3 weighs most near x = -1, 13 sigma from mu:
    # one infinite x-range once claimed 23 digits here and had 18
    dps = 20
    got = signature_sweep("swish", ["3"], mu=-40, dps=dps, components=("m2",)).signatures[0]["m2"]
    ctx = mpmath.MPContext()
    ctx.dps = 50

    def f(z):
        x = -40 + 3 * z
        return (x / (1 + ctx.exp(-x))) ** 2 * ctx.exp(-z * z / 2)
    # split around the mass (z ~ 13); mpmath's own error estimate must be far below the goal
    integral, error = ctx.quad(f, [-ctx.inf, 0, 10, 12, 13, 14, 15, 20, ctx.inf], error=True)
    truth = integral / ctx.sqrt(2 * ctx.pi)
    assert error < abs(integral) * ctx.mpf(10) ** -(dps + 5)
    assert abs(got.value - truth) <= abs(truth) * ctx.mpf(10) ** -dps


def test_a_sigma_dependent_divergence_is_the_single_sigma_verdict():
    # E[exp(X^2/4)] is finite for sigma^2 < 2 only
    sweep = signature_sweep("exp(x**2/4)", ["1", "2"], dps=15, components=("m1",))
    for sigma, s in zip(["1", "2"], sweep.signatures):
        single = signature("exp(x**2/4)", sigma=sigma, dps=15, components=("m1",))
        assert s["m1"].status == single["m1"].status and str(s["m1"]) == str(single["m1"])
    assert sweep.signatures[1]["m1"].status == "infinite"


def test_columns_by_sigma_for_json_and_csv():
    sweep = signature_sweep("relu", ["1", "2"], dps=8, components=("m2",), extras=("chi",))
    data = json.loads(json.dumps(sweep.as_dict()))
    assert data["sigma"] == ["1", "2"]
    assert data["columns"]["m2"]["value"] == ["0.50000000", "2.0000000"]
    assert data["columns"]["m2"]["exact"] == ["1/2", "2"]
    lines = sweep.to_csv().splitlines()
    assert lines[0] == "activation,sigma,mu,dps,m2,m2_error,chi,chi_error"
    assert lines[2] == "relu,2,0,8,2.0000000,0,0.50000000,0"


def test_interrupt_keeps_the_finished_sigmas():
    def stop_after_two(signature, index, total):
        if index == 2:
            raise KeyboardInterrupt
    sweep = signature_sweep("relu", ["1", "2", "3"], dps=8, on_signature=stop_after_two)
    assert sweep.interrupted and [str(s.sigma) for s in sweep.signatures] == ["1", "2"]


def _raw(signatures):
    return [(str(s.sigma), {n: (getattr(q.value, "_mpf_", q.value), getattr(q.error, "_mpf_", q.error),
                                q.exact, q.method, q.status, q.dps) for n, q in s.items()})
            for s in signatures]


def test_a_process_pool_gives_the_serial_sweep_bit_for_bit():
    sigmas = ["0.3", "1", "3.5", "9"]
    with ProcessPoolExecutor(2) as pool:
        for name in ("tanh", "relu"):
            serial = signature_sweep(name, sigmas, dps=15)
            parallel = signature_sweep(name, sigmas, dps=15, executor=pool)
            assert not parallel.interrupted
            assert _raw(parallel.signatures) == _raw(serial.signatures)
            assert parallel.as_dict() == serial.as_dict()
        serial = signature_table(["relu", "leaky_relu"], sigmas=sigmas[:2], dps=12)
        parallel = signature_table(["relu", "leaky_relu"], sigmas=sigmas[:2], dps=12, executor=pool)
        assert parallel.rows == serial.rows and not parallel.interrupted


class _Interrupting:
    """An executor whose task number ``stop`` is interrupted (as a worker hit by Ctrl-C)."""

    def __init__(self, stop):
        self.calls, self.stop = 0, stop

    def submit(self, function, *args):
        future = Future()
        self.calls += 1
        if self.calls == self.stop:
            future.set_exception(KeyboardInterrupt())
        else:
            future.set_result(function(*args))
        return future


def test_an_interrupted_executor_keeps_the_rows_before_it():
    seen = []
    table = signature_table(["relu", "leaky_relu", "relu"], sigmas=["1"], dps=8, executor=_Interrupting(3),
                            on_row=lambda row, i, n: seen.append(row["activation"]))
    assert table.interrupted and seen == ["relu", "leaky_relu"] and len(table.rows) == 2
    # 24 sigmas in 8 tasks of 3: the first two tasks' sigmas are kept
    sweep = signature_sweep("relu", [str(k) for k in range(1, 25)], dps=8, executor=_Interrupting(3))
    assert sweep.interrupted and [str(s.sigma) for s in sweep.signatures] == [str(k) for k in range(1, 7)]


def test_cli_table_with_several_sigmas_and_jobs_equals_one_process(capsys):
    args = ["table", "relu", "tanh", "--sigma", "0.5", "2", "--dps", "12", "--format", "json"]
    assert main(args) == 0
    serial = capsys.readouterr()
    assert main(args + ["--jobs", "2"]) == 0
    parallel = capsys.readouterr()
    assert parallel.out == serial.out
    rows = json.loads(serial.out)["rows"]
    assert [(r["activation"], r["sigma"]) for r in rows] == [("relu", "1/2"), ("relu", "2"),
                                                            ("tanh", "1/2"), ("tanh", "2")]
    assert "nodes shared across sigma" in rows[2]["components"]["m2"]["method"]
    assert parallel.err.count("\n") == 4 and "[4/4] tanh sigma=2" in parallel.err


def test_cli_columns_format_and_bad_jobs(capsys):
    assert main(["table", "relu", "--sigma", "1", "2", "--dps", "6", "--format", "columns"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("activation,sigma,mu,dps,m1,m1_error,g1,g1_error")
    assert lines[2].startswith("relu,2,0,6,0.797885,0,0.500000,0")
    assert main(["table", "relu", "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err


def test_cli_ctrl_c_during_a_sweep_writes_the_finished_rows(capsys, monkeypatch):
    from symsig import table

    real = table.signature_sweep

    def interrupted_at_third(*args, on_signature=None, **kwargs):
        def hook(result, index, total):
            if index == 3:
                raise KeyboardInterrupt
            on_signature(result, index, total)
        return real(*args, on_signature=hook, **kwargs)

    monkeypatch.setattr(table, "signature_sweep", interrupted_at_third)
    status = main(["table", "relu", "--sigma", "1", "2", "3", "--dps", "10", "--format", "json"])
    captured = capsys.readouterr()
    assert status == 130 and [r["sigma"] for r in json.loads(captured.out)["rows"]] == ["1", "2"]
    assert "wrote the 2 finished rows" in captured.err


def test_trapezoidal_sweep_keeps_the_tanh_identity_at_every_sigma():
    # tanh' = 1 - tanh^2: E[tanh^2] (from phi's values) + E[sech^2] (from phi') = 1 at every
    # sigma, to the digits claimed, over the whole range where the node sets differ most
    sigmas = ["0.1", "0.37", "1", "2.9", "10"]
    sweep = signature_sweep("tanh", sigmas, dps=30, components=("g1", "m2"))
    for sigma, s in zip(sigmas, sweep.signatures):
        assert s["m2"].method == "quadrature (trapezoidal in x, nodes shared across sigma)"
        with mpmath.workdps(40):
            assert abs(s["m2"].value + s["g1"].value - 1) < mpmath.mpf(10) ** -30, sigma


def test_a_kinked_activation_keeps_tanh_sinh_split_at_its_kinks():
    # the trapezoidal rule needs a smooth integrand: max(x, x/10) far from its kink still splits
    s = signature_sweep("Max(x, x/10) + tanh(x)", ["0.5", "3"], mu="0.25", dps=15, components=("m2",))
    assert all("tanh-sinh in x" in sig["m2"].method for sig in s.signatures)
