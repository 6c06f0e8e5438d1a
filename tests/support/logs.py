"""The stdlib's process-wide logging switches, saved and put back by tests that configure
logging (``configure_logging`` turns off fields no JSON line carries)."""

from __future__ import annotations

import logging

LoggingSwitches = tuple[object, bool, bool, bool]


def logging_switches() -> LoggingSwitches:
    """The stdlib's process-wide record switches ``configure_logging`` turns off."""
    return (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing)


def restore_logging_switches(saved: LoggingSwitches) -> None:
    source, threads, processes, multiprocessing = saved
    logging._srcfile = source  # type: ignore[assignment]
    logging.logThreads, logging.logProcesses = threads, processes
    logging.logMultiprocessing = multiprocessing


__all__ = ["LoggingSwitches", "logging_switches", "restore_logging_switches"]
