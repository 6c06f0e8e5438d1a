"""``serve --workers N``: N gateway processes on one port, under one small parent.

Each worker is a forked process running the whole app (``gateway.serving.serve``) and
listening on the same port with ``SO_REUSEPORT``, so the kernel spreads connections over
the workers evenly (a listening socket shared through ``fork`` lets whichever worker wakes
first accept a whole burst of connections; docs/operations.md has the measurement). The
parent binds the port first without listening, so ``--port 0`` resolves to one port for
all; it imports no app code, so nothing but settings crosses ``fork``.

The parent prints the serving line once every worker listens, forwards SIGTERM/SIGINT to
the workers, waits for them within the shutdown bound, and exits non-zero when a worker
died or had to be killed. A worker that dies while serving stops the others: the process
manager (Kubernetes, systemd) restarts the whole server, as it would a single process.

Several workers share state only through Redis, so ``N > 1`` needs ``REDIS_URL`` and a
configured upstream (the embedded sandbox would otherwise run once per worker).
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Final, TextIO

from gateway.announce import public_origin, serving_line
from gateway.settings import Settings

logger = logging.getLogger(__name__)

STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)
STOP_MARGIN_S: Final = 5.0
"""Beyond the request and gRPC drain bounds: closing resources and flushing telemetry."""
RESOURCE_ATTRIBUTES: Final = "OTEL_RESOURCE_ATTRIBUTES"
CGROUP_V2_CPU_MAX: Final = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_QUOTA: Final = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_PERIOD: Final = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")


class WorkersRefused(ValueError):
    """The asked number of workers cannot run with these settings (exit code 2)."""


def _cgroup_cpus() -> float | None:
    """The container's CPU quota in cores, when one is set and readable."""
    try:
        if CGROUP_V2_CPU_MAX.exists():
            quota, period = CGROUP_V2_CPU_MAX.read_text().split()[:2]
        else:
            quota = CGROUP_V1_QUOTA.read_text().strip()
            period = CGROUP_V1_PERIOD.read_text().strip()
    except (OSError, ValueError):
        return None
    if quota in ("max", "-1") or int(period) <= 0:
        return None
    return int(quota) / int(period)


def usable_cpus() -> int:
    """Cores this process may run on: its CPU affinity, capped by a cgroup quota."""
    cores = len(os.sched_getaffinity(0))
    quota = _cgroup_cpus()
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return max(1, cores)


def _why_one_worker(settings: Settings) -> str | None:
    if settings.redis_url is None or not settings.redis_url.get_secret_value():
        return "several workers share state only through Redis: set REDIS_URL"
    if not settings.upstream.base_url:
        return (
            "the embedded sandbox runs in one process only: "
            "set CONCUR_GATEWAY_UPSTREAM__BASE_URL (or run the sandbox apart)"
        )
    return None


def worker_count(settings: Settings) -> int:
    """``server.workers``, or one per usable core when unset and several can run.

    An explicit ``N > 1`` that cannot run raises ``WorkersRefused``; the default falls
    back to one worker and logs why."""
    requested = settings.server.workers
    reason = _why_one_worker(settings)
    if requested is not None:
        if requested > 1 and reason is not None:
            raise WorkersRefused(f"--workers {requested} refused: {reason}")
        return requested
    cores = usable_cpus()
    if cores > 1 and reason is not None:
        logger.info("serving with one worker", extra={"reason": reason, "cores": cores})
        return 1
    return cores


@contextlib.contextmanager
def reserved_port(host: str, port: int) -> Iterator[int]:
    """Bind (never listen on) ``host:port`` with ``SO_REUSEPORT``: every worker then binds
    the same port, and ``0`` becomes one free port for all of them."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        yield int(sock.getsockname()[1])


def _name_in_telemetry(pid: int) -> None:
    """``process.pid`` in this worker's OpenTelemetry resource: workers pushing metrics
    (OTLP) are then distinct series, not N writers of one."""
    configured = os.environ.get(RESOURCE_ATTRIBUTES, "")
    os.environ[RESOURCE_ATTRIBUTES] = ",".join(filter(None, [configured, f"process.pid={pid}"]))


def _worker_main(settings: Settings, metrics_dir: Path, ready: Connection) -> None:
    """A worker: default signal dispositions until its loop takes them, then ``serve``."""
    signal.set_wakeup_fd(-1)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _name_in_telemetry(os.getpid())
    import asyncio  # noqa: PLC0415 - the app is imported by workers, never by the parent

    from gateway.serving import WorkerRole, serve  # noqa: PLC0415

    role = WorkerRole(metrics_dir=metrics_dir, ready=lambda: ready.send(os.getpid()))
    asyncio.run(serve(settings, sys.stdout, role))


class Pool:
    """The worker processes and how each one ended."""

    def __init__(self, settings: Settings, count: int, metrics_dir: Path) -> None:
        context = multiprocessing.get_context("fork")
        self.ready: dict[Connection, BaseProcess] = {}
        self.processes: list[BaseProcess] = []
        for index in range(count):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker_main,
                args=(settings, metrics_dir, writer),
                name=f"concur-gateway-worker-{index}",
            )
            self.processes.append(process)
            self.ready[reader] = process

    def start(self) -> None:
        """Fork every worker with the stop signals blocked (they unblock once ready to
        take them), so a signal in between is neither lost nor handled twice."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for process in self.processes:
                process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def sentinels(self) -> dict[int, BaseProcess]:
        return {p.sentinel: p for p in self.processes if p.exitcode is None}

    def terminate(self, signum: int = signal.SIGTERM) -> None:
        for process in self.processes:
            if process.exitcode is None and process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signum)


class SignalPipe:
    """SIGTERM/SIGINT as bytes on a socket the parent waits on with the workers."""

    def __init__(self) -> None:
        self.reader, self._writer = socket.socketpair()
        self.reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for signum in STOP_SIGNALS:
            signal.signal(signum, lambda *_: None)

    def drain(self) -> list[int]:
        with contextlib.suppress(BlockingIOError):
            return list(self.reader.recv(64))
        return []

    def close(self) -> None:
        signal.set_wakeup_fd(-1)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self.reader.close()
        self._writer.close()


def _await_ready(pool: Pool, signals: SignalPipe) -> bool:
    """True once every worker listens; False on a stop signal or a worker's death."""
    waiting = dict(pool.ready)
    while waiting:
        sentinels = pool.sentinels()
        if len(sentinels) < len(pool.processes):
            return False
        fired = wait([signals.reader, *waiting, *sentinels])
        if signals.reader in fired and signals.drain():
            return False
        for item in fired:
            if isinstance(item, Connection) and item in waiting:
                with contextlib.suppress(EOFError):
                    item.recv()
                del waiting[item]
    return True


def _serve_until_stopped(pool: Pool, signals: SignalPipe) -> bool:
    """Wait for a stop signal (True) or a worker's death (False)."""
    while True:
        sentinels = pool.sentinels()
        if len(sentinels) < len(pool.processes):
            died = [p for p in pool.processes if p.exitcode is not None]
            logger.error("a worker died", extra={"exit_codes": [p.exitcode for p in died]})
            return False
        fired = wait([signals.reader, *sentinels])
        if signals.reader in fired and signals.drain():
            return True


def _stop(pool: Pool, signals: SignalPipe, bound_s: float) -> bool:
    """SIGTERM every worker and wait for all within ``bound_s`` (a second signal cuts it
    short); True when each one exited cleanly, False when one had to be killed."""
    pool.terminate()
    deadline = time.monotonic() + bound_s
    while sentinels := pool.sentinels():
        left = deadline - time.monotonic()
        fired = wait([signals.reader, *sentinels], timeout=max(left, 0.0))
        if not fired or (signals.reader in fired and signals.drain()):
            logger.error("workers did not stop in time", extra={"workers": len(sentinels)})
            pool.terminate(signal.SIGKILL)
            for process in pool.processes:
                process.join()
            return False
    clean = (0, -signal.SIGTERM, -signal.SIGINT)
    return all(p.exitcode in clean for p in pool.processes)


def supervise(settings: Settings, count: int, out: TextIO) -> int:
    """Run ``count`` workers until a stop signal or a worker's death; the exit code."""
    server, grpc = settings.server, settings.grpc
    with ExitStack() as stack:
        port = stack.enter_context(reserved_port(server.host, server.port))
        grpc_port = None
        if grpc.port is not None:
            grpc_port = stack.enter_context(reserved_port(grpc.host, grpc.port))
        metrics_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gw-metrics-")))
        settings = settings.model_copy(
            update={
                "server": server.model_copy(update={"port": port}),
                "grpc": grpc.model_copy(update={"port": grpc_port}),
            }
        )
        signals = SignalPipe()
        stack.callback(signals.close)
        pool = Pool(settings, count, metrics_dir)
        pool.start()
        serving = _await_ready(pool, signals)
        if serving:
            url = public_origin(server.host, port, settings.tls.enabled) + server.graphql_path
            grpc_target = f"{grpc.host}:{grpc_port}" if grpc_port is not None else None
            print(serving_line(url, grpc_target, count), file=out, flush=True)
            serving = _serve_until_stopped(pool, signals)
        bound_s = server.shutdown_timeout_s + grpc.grace_s + STOP_MARGIN_S
        stopped_cleanly = _stop(pool, signals, bound_s)
        return 0 if serving and stopped_cleanly else 1


__all__ = [
    "WorkersRefused",
    "reserved_port",
    "supervise",
    "usable_cpus",
    "worker_count",
]
