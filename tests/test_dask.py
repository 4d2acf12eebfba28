"""A sweep on a Dask LocalCluster equals the serial run, digit for digit (optional extra)."""

import pytest

distributed = pytest.importorskip("dask.distributed")

from symsig.sweep import signature_sweep  # noqa: E402


def test_sweep_on_a_local_cluster_equals_the_serial_run():
    sigmas = ["0.25", "1", "4"]
    serial = signature_sweep("tanh", sigmas, dps=12)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        parallel = signature_sweep("tanh", sigmas, dps=12, executor=client.get_executor())
    assert not parallel.interrupted
    assert parallel.as_dict() == serial.as_dict()
    for a, b in zip(parallel.signatures, serial.signatures):
        assert {n: (q.value._mpf_, q.error._mpf_) for n, q in a.items() if q.is_finite} == \
            {n: (q.value._mpf_, q.error._mpf_) for n, q in b.items() if q.is_finite}
