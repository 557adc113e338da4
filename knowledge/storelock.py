"""Several processes on one local persistent Chroma directory: its write lock and generation file.

A local persistent Chroma directory is not safe for concurrent writers, and a process that opened it
reads stale (or failing) indexes after another process wrote. So every write to a local directory
holds a file lock and bumps a generation file; a reader whose Chroma was opened at an older
generation reopens it first. A Chroma server or an in-memory client needs neither.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import chromadb
import filelock
from chromadb.api.shared_system_client import SharedSystemClient

from knowledge.errors import StoreBusyError

LOCK_TIMEOUT = 600.0  # seconds a writer waits for another process's write to finish


class LocalDirectory:
    """A local persistent Chroma directory as this process knows it: its write lock and generation.

    The generation file holds a random token replaced by every write, under the lock. `loaded` is the
    generation the process's cached Chroma system was opened at (or last wrote); `epoch` counts the
    times this process reopened it, so each Store on the directory knows when to take the new client.
    """

    _known: dict[str, LocalDirectory] = {}
    _known_lock = threading.Lock()

    def __init__(self, persist_directory: str) -> None:
        base = Path(persist_directory)
        self.path = persist_directory
        self.lock = filelock.FileLock(str(base.with_name(base.name + ".lock")), timeout=LOCK_TIMEOUT)
        self.generation_file = base.with_name(base.name + ".generation")
        self.mutex = threading.Lock()
        self.loaded = self.generation()
        self.epoch = 0

    @classmethod
    def of(cls, client: chromadb.ClientAPI) -> LocalDirectory | None:
        """The directory behind a persistent client; None for a Chroma server or an in-memory client."""
        settings = client.get_settings()
        if not settings.is_persistent or not settings.persist_directory:
            return None
        return cls.at(settings.persist_directory)

    @classmethod
    def at(cls, persist_directory: str) -> LocalDirectory:
        with cls._known_lock:
            known = cls._known.get(persist_directory)
            if known is None:
                known = cls._known[persist_directory] = cls(persist_directory)
            return known

    @contextmanager
    def opening(self) -> Iterator[None]:
        """Hold the write lock while a client opens a directory that has no database yet.

        Opening a new directory creates Chroma's tables; two processes doing it at once fail with
        "table collections already exists". An existing directory opens without the lock.
        """
        if (Path(self.path) / "chroma.sqlite3").exists():
            yield
            return
        try:
            self.lock.acquire()
        except filelock.Timeout as exc:
            raise StoreBusyError(f"another process has been creating {self.path} for over {LOCK_TIMEOUT:g}s") from exc
        try:
            yield
        finally:
            self.lock.release()

    def generation(self) -> str:
        try:
            return self.generation_file.read_text(encoding="ascii")
        except FileNotFoundError:
            return ""

    def bump(self) -> str:
        """Record that the directory changed (call with the lock held); the new generation."""
        token = uuid.uuid4().hex
        temporary = self.generation_file.with_name(f"{self.generation_file.name}.{os.getpid()}.tmp")
        temporary.write_text(token, encoding="ascii")
        os.replace(temporary, self.generation_file)
        return token

    @contextmanager
    def current(self) -> Iterator[int]:
        """Hold the process's mutex on the directory, its cache current; yield the epoch to open a client at.

        If another process wrote since this process opened the directory, the cached Chroma system
        holds indexes from before that write: it is dropped so the next client loads the directory
        afresh (clients still using it finish normally), and the epoch moves on.
        """
        generation = self.generation()
        with self.mutex:
            if self.loaded != generation:
                SharedSystemClient._identifier_to_system.pop(self.path, None)
                self.loaded = generation
                self.epoch += 1
            yield self.epoch

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the directory's write lock (re-entrant) and, after the outermost write, bump the generation."""
        try:
            self.lock.acquire()
        except filelock.Timeout as exc:
            raise StoreBusyError(
                f"another process has been writing to {self.path} for over {LOCK_TIMEOUT:g}s; try again later"
            ) from exc
        try:
            yield
        finally:
            try:
                if self.lock.lock_counter == 1:  # the outermost write: other processes must reload
                    with self.mutex:
                        self.loaded = self.bump()  # this process's system made the change: it is current
            finally:
                self.lock.release()
