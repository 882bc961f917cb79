"""Lambda SnapStart runtime hooks: what may be in a snapshot, and what must be made again after a restore.

With SnapStart (template parameter ``SnapStart``), Lambda runs a function's init once per published
version, takes a snapshot of the memory of that execution environment, and starts new environments by
restoring it: many environments, for hours, come from one snapshot. So nothing that is unique, secret or
tied to a socket may be in it:

- before the snapshot (``register_before_snapshot``): prime what is safe (imports, handler tables,
  compiled patterns, parsed configuration) and close or forget what is not (database connections, HTTP
  connection pools, cached secrets and the settings that hold them, an event loop's selector);
- after a restore (``register_after_restore``): reseed ``random`` (each restored environment would
  otherwise draw the same numbers), and let connections and secrets come back lazily on first use, read
  again from Secrets Manager, so a secret rotated since the snapshot is seen.

Lambda's Python runtimes ship the ``snapshot_restore_py`` library and run the hooks registered with it:
before the snapshot in the reverse order of registration, after a restore in the order of registration,
each hook within the restore's 10 s limit. Where the library is absent (tests, the local stack, the CLI)
this module keeps its own registry with the same shape (``get_before_snapshot``/``get_after_restore``
return the lists of ``(function, args, kwargs)``), which the local stack's worker runs the way Lambda does
when the function has SnapStart (``tools/local_stack/lambda_worker.py``).

This module imports nothing heavy: the router and pure modules may use it.
"""

from __future__ import annotations

import importlib
import os
import random
import threading
from collections.abc import Callable
from typing import Any

Hook = tuple[Callable[..., object], tuple[Any, ...], dict[str, Any]]

INITIALIZATION_TYPE_ENV = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"  # its value in a function with SnapStart (on-demand, provisioned-concurrency)

_before: list[Hook] = []
_after: list[Hook] = []
_lock = threading.Lock()


def _runtime_library() -> Any | None:
    """Lambda's ``snapshot_restore_py`` when this runs in a Python managed runtime, else None."""
    try:
        return importlib.import_module("snapshot_restore_py")
    except ImportError:
        return None


_library = _runtime_library()


def with_snapstart() -> bool:
    """True in an execution environment initialised for a snapshot (a SnapStart version)."""
    return os.environ.get(INITIALIZATION_TYPE_ENV) == SNAP_START


def register_before_snapshot(func: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[..., object]:
    """Run ``func(*args, **kwargs)`` before Lambda takes the snapshot (reverse order of registration)."""
    if _library is not None:
        _library.register_before_snapshot(func, *args, **kwargs)
    else:
        with _lock:
            _before.append((func, args, kwargs))
    return func


def register_after_restore(func: Callable[..., object], *args: Any, **kwargs: Any) -> Callable[..., object]:
    """Run ``func(*args, **kwargs)`` after Lambda restored an environment (order of registration)."""
    if _library is not None:
        _library.register_after_restore(func, *args, **kwargs)
    else:
        with _lock:
            _after.append((func, args, kwargs))
    return func


def get_before_snapshot() -> list[Hook]:
    """The registry's before-snapshot hooks (the list itself, as ``snapshot_restore_py`` returns it)."""
    return _before


def get_after_restore() -> list[Hook]:
    return _after


def run_before_snapshot() -> int:
    """Run the before-snapshot hooks as Lambda's runtime does (last registered first); how many ran."""
    ran = 0
    while True:
        with _lock:
            if not _before:
                return ran
            func, args, kwargs = _before.pop()
        func(*args, **kwargs)
        ran += 1


def run_after_restore() -> int:
    """Run the after-restore hooks in the order of registration; how many ran."""
    with _lock:
        hooks = list(_after)
    for func, args, kwargs in hooks:
        func(*args, **kwargs)
    return len(hooks)


def reseed_random() -> None:
    """Every environment restored from one snapshot has the same ``random`` state: draw a new seed from
    the kernel (``os.urandom`` and ``secrets`` need nothing: they ask the kernel each time)."""
    random.seed(os.urandom(32))
