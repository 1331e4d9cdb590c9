"""A progress bar for management commands: drawn on a terminal, silent otherwise (cron, pipes, logs).

    bar = TerminalProgress(self.stdout, "Comments")
    export.write_xlsx(path, filters, options, progress=lambda done: bar(done, total))
    bar.finish()

It redraws one line at most every REDRAW seconds, so a fast loop does not spend its time printing.
"""
from __future__ import annotations

import time

REDRAW = 0.2
WIDTH = 30


class TerminalProgress:
    def __init__(self, stream, label: str, *, total: int = 0) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self._drawn: float | None = None
        self._done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        self._done = done
        if total is not None:
            self.total = total
        if not self.enabled:
            return
        now = time.monotonic()
        if self._drawn is None or now - self._drawn >= REDRAW:
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            filled = min(WIDTH, WIDTH * self._done // self.total)
            percent = min(100, 100 * self._done // self.total)
            line = f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self._done:,} of {self.total:,} ({percent} %)"
        else:
            line = f"\r{self.label} {self._done:,}"
        self._write(line)
        self.stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line (nothing at all when not on a terminal)."""
        if self.enabled and self._drawn is not None:
            self._draw()
            self._write("\n")

    def _write(self, text: str) -> None:
        # A command's self.stdout (Django's OutputWrapper) ends every write with a line break unless told not to.
        if hasattr(self.stream, "style_func"):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
