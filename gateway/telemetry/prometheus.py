"""``GET /metrics``: the app's own registry in the Prometheus text format.

Collection runs the observable callbacks (cache, breaker, ESS counters) and renders a few
kilobytes; it is cheap and synchronous, so it runs on the loop.

With several worker processes on one port (``serve --workers N``) a scrape reaches one
worker, so each worker also writes its numbers, every ``SPOOL_INTERVAL_S`` and at every
scrape it answers, into prometheus_client's multiprocess files in a directory the workers
share (one file per worker and metric kind). ``/metrics`` then answers the sum over every
worker, merged by prometheus_client's ``MultiProcessCollector``: counters and histograms add
up, gauges add up over the workers, so the breaker gauge counts the workers that see a circuit
in each state (a worker that dies stops the server, so no dead worker lingers in a sum).
The metrics themselves stay OpenTelemetry instruments; only their exposition is merged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Final

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.telemetry.instruments import INSTRUMENTS

SPOOL_INTERVAL_S: Final = 1.0
"""How stale another worker's numbers may be in a scrape."""
GAUGE_MODE: Final = "livesum"
Sample = tuple[str, str, dict[str, str], float]
"""(file kind, sample name, labels, value) as prometheus_client's multiprocess files hold them."""


def _histogram_samples(family: Metric) -> Iterator[Sample]:
    """Buckets per bucket, not cumulative (the collector accumulates); no ``_count``."""
    below: dict[tuple[tuple[str, str], ...], float] = {}
    buckets = sorted(
        (s for s in family.samples if s.name.endswith("_bucket")),
        key=lambda s: float(s.labels["le"]),
    )
    for sample in buckets:
        series = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        previous = below.get(series, 0.0)
        below[series] = sample.value
        yield "histogram", sample.name, dict(sample.labels), sample.value - previous
    for sample in family.samples:
        if sample.name.endswith("_sum"):
            yield "histogram", sample.name, dict(sample.labels), sample.value


def spool_samples(family: Metric) -> Iterator[Sample]:
    """One family's samples in the multiprocess files' terms; ``_created`` is dropped."""
    if family.type == "histogram":
        yield from _histogram_samples(family)
        return
    kinds = {"counter": "counter", "info": "gauge_livemax"}  # info: 1 however many workers
    kind = kinds.get(family.type, f"gauge_{GAUGE_MODE}")
    for sample in family.samples:
        if not sample.name.endswith("_created"):
            yield kind, sample.name, dict(sample.labels), sample.value


class MetricsSpool:
    """This worker's numbers in the shared directory, rewritten whole each time."""

    def __init__(self, directory: Path, pid: int | None = None) -> None:
        self.directory = directory
        self._pid = os.getpid() if pid is None else pid
        self._files: dict[str, MmapedDict] = {}

    def _file(self, kind: str) -> MmapedDict:
        if kind not in self._files:
            path = str(self.directory / f"{kind}_{self._pid}.db")
            self._files[kind] = MmapedDict(path)  # type: ignore[no-untyped-call]
        return self._files[kind]

    def write(self, registry: CollectorRegistry) -> None:
        for family in registry.collect():
            for kind, name, labels, value in spool_samples(family):
                key = mmap_key(
                    family.name, name, list(labels), list(labels.values()), family.documentation
                )
                self._file(kind).write_value(key, value, 0.0)  # type: ignore[no-untyped-call]

    def merged(self) -> bytes:
        """Every worker's numbers, summed, in the text format."""
        registry = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(registry, path=str(self.directory))  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def close(self) -> None:
        for file in self._files.values():
            file.close()  # type: ignore[no-untyped-call]
        self._files.clear()


WORKER_METRICS = web.AppKey("worker_metrics", MetricsSpool)


def _flush(app: web.Application) -> None:
    instruments = app.get(INSTRUMENTS)
    if instruments is not None:
        app[WORKER_METRICS].write(instruments.providers.registry)


async def _spooling(app: web.Application) -> AsyncIterator[None]:
    """Writes this worker's numbers while it runs, and once more as it stops."""

    async def every_interval() -> None:
        while True:
            _flush(app)
            await asyncio.sleep(SPOOL_INTERVAL_S)

    task = asyncio.create_task(every_interval())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        _flush(app)
        app[WORKER_METRICS].close()


def install_worker_metrics(app: web.Application, directory: Path) -> None:
    """Make ``app`` one of several workers whose ``/metrics`` are merged (see above).

    Call after ``create_app``: the spool's context is the last to start and first to stop,
    so the telemetry providers outlive its final write."""
    app[WORKER_METRICS] = MetricsSpool(directory)
    app.cleanup_ctx.append(_spooling)


async def metrics_endpoint(request: web.Request) -> web.Response:
    instruments = request.app.get(INSTRUMENTS)
    if instruments is None:
        raise web.HTTPServiceUnavailable(reason="Telemetry is not running.")
    spool = request.app.get(WORKER_METRICS)
    if spool is None:
        body = generate_latest(instruments.providers.registry)
    else:
        spool.write(instruments.providers.registry)
        body = spool.merged()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


__all__ = [
    "SPOOL_INTERVAL_S",
    "WORKER_METRICS",
    "MetricsSpool",
    "install_worker_metrics",
    "metrics_endpoint",
    "spool_samples",
]
