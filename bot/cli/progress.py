"""A progress bar for indexing, drawn on stderr with rich; silent when not on a terminal."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bot.i18n import _


class IndexProgress:
    """Implements knowledge.indexing.Progress: one bar for files, one for the current file's chunks."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar = Progress(
            TextColumn("[bold]{task.description}", justify="left"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not enabled,
        )
        self._files = self._bar.add_task(_("files"), total=0)
        self._chunks = self._bar.add_task(_("embedding"), total=0, visible=False)

    def __enter__(self) -> IndexProgress:
        self._bar.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def files(self, total: int) -> None:
        self._bar.update(self._files, total=total)

    def file_started(self, name: str, chunks: int) -> None:
        self._bar.reset(
            self._chunks, total=chunks, visible=True, description=_("embedding {name}").format(name=name[:40])
        )

    def embedded(self, count: int) -> None:
        self._bar.advance(self._chunks, count)

    def file_done(self, name: str, status: str) -> None:
        self._bar.advance(self._files)
        self._bar.update(self._chunks, visible=False)
