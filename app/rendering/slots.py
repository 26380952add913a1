"""Render slots: at most N PDF renders at once on a server, whatever its web processes.

A slot is a file `slot-<i>` in a folder private to the deployment; holding an exclusive
`flock` on it is holding the slot. The kernel releases the lock when its holder closes the
file or dies (even by SIGKILL), so a crashed worker never keeps a slot. Every web worker,
thread and `summary render` command of one deployment on one host shares the folder, so the
limit is per server (host), not per process: the rest of the cores stay with the API.

Waiting for a slot polls: a few dozen tries a second, for at most the wait given.
This module imports neither Flask nor the database layer.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

POLL_SECONDS = 0.025


class RenderSlots:
    def __init__(self, folder: Path, count: int) -> None:
        self.folder = folder
        self.count = max(1, count)

    def _try(self) -> int | None:
        """A file descriptor holding a free slot's lock, or None when every slot is taken."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for index in range(self.count):
            fd = os.open(self.folder / f"slot-{index}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                         0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None

    @contextlib.contextmanager
    def acquire(self, wait: float) -> Iterator[bool]:
        """Yields True holding a slot, or False if none came free within `wait` seconds."""
        deadline = time.monotonic() + max(wait, 0)
        fd = self._try()
        while fd is None and time.monotonic() < deadline:
            time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
            fd = self._try()
        try:
            yield fd is not None
        finally:
            if fd is not None:
                os.close(fd)  # closing the descriptor releases the lock
