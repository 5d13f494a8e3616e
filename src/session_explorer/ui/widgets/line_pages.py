"""A bounded cache of pages of log lines, filled by a worker, read by the log view.

Only the UI thread touches a :class:`LinePages`: the view asks it for lines while
rendering, collects the pages that are missing, hands them to a thread worker that
calls the source, and stores what the worker returns. A *generation* number ties
each load to the source it was made for, so a page that arrives after the source
was swapped is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.cache import LRUCache

from session_explorer.core.models import LogLine

PAGE_SIZE = 256
MAX_PAGES = 64  # 16k lines around the places the user has looked at


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page to read: lines ``start`` to ``stop`` of the source."""

    generation: int
    page: int
    start: int
    stop: int
    epoch: int = 0


class LinePages:
    """Pages of :class:`LogLine` by page number, with the loads still in flight."""

    def __init__(self, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES) -> None:
        self.page_size = page_size
        self.generation = 0
        self._pages: LRUCache[int, list[LogLine]] = LRUCache(max_pages)
        self._pending: set[int] = set()
        self._stale: dict[int, int] = {}  # page -> epoch when it went stale
        self._epoch = 0
        self._wanted: dict[int, None] = {}  # ordered: the needed page first
        self._put: dict[int, int] = {}  # page -> epoch when lines were put into it
        self.errors: dict[int, str] = {}

    def page_of(self, line_number: int) -> int:
        return line_number // self.page_size

    def get(self, line_number: int) -> LogLine | None:
        """The line when its page is loaded (maybe stale), else None."""
        page = self._pages.get(line_number // self.page_size)
        if page is None:
            return None
        index = line_number % self.page_size
        return page[index] if index < len(page) else None

    def is_loaded(self, page: int) -> bool:
        """Loaded and up to date (a stale page is shown but read again)."""
        return page in self._pages and page not in self._stale

    def want(self, line_number: int, line_count: int, *, neighbours: bool = True) -> None:
        """Note that ``line_number`` is needed (and the pages either side of it)."""
        page = line_number // self.page_size
        last_page = max(0, (line_count - 1) // self.page_size)
        around = (page, page + 1, page - 1) if neighbours else (page,)
        for candidate in around:
            if (0 <= candidate <= last_page and candidate not in self._pending
                    and not self.is_loaded(candidate) and candidate not in self.errors):
                self._wanted.setdefault(candidate)

    def take_requests(self, line_count: int) -> list[PageRequest]:
        """The wanted pages, now marked as in flight, in the order they were wanted."""
        requests = []
        for page in self._wanted:
            start = page * self.page_size
            stop = min(start + self.page_size, line_count)
            if start < stop:
                requests.append(
                    PageRequest(self.generation, page, start, stop, self._epoch)
                )
                self._pending.add(page)
        self._wanted.clear()
        return requests

    def store(self, request: PageRequest, lines: list[LogLine]) -> bool:
        """Keep a loaded page; False (and nothing kept) when it is from an old source."""
        if request.generation != self.generation:
            return False
        self._pending.discard(request.page)
        if request.epoch < self._put.get(request.page, -1):
            return True  # read before lines were put into the page: those are newer
        if self._stale.get(request.page, -1) <= request.epoch:
            self._stale.pop(request.page, None)
        self.errors.pop(request.page, None)
        self._pages.discard(request.page)  # LRUCache.set keeps an existing value
        self._pages[request.page] = lines
        return True

    def put(self, start: int, lines: list[LogLine]) -> None:
        """Lines read elsewhere (a live tail's new lines), from line ``start`` on.

        Each page they reach takes them when it then holds every line before them
        (it is loaded that far, or they open it); it is then up to date, and a load
        of it already in flight is not kept when it arrives. The lines it held before
        ``start`` are kept as they were: a source's lines do not change once read
        (the index takes a line only with its line end).
        """
        size = self.page_size
        end = start + len(lines)
        pos = start
        while pos < end:
            page = pos // size
            first = page * size
            stop = min(first + size, end)
            chunk = lines[pos - start:stop - start]
            have = self._pages.get(page)
            if pos == first:
                new = list(chunk)
            elif have is not None and len(have) >= pos - first:
                new = have[:pos - first] + chunk
            else:
                pos = stop
                continue
            self._pages.discard(page)
            self._pages[page] = new
            self._stale.pop(page, None)
            self.errors.pop(page, None)
            self._put[page] = self._epoch
            pos = stop

    def fail(self, request: PageRequest, error: str) -> bool:
        """Record a page that could not be read (it is retried after :meth:`refresh_from`)."""
        if request.generation != self.generation:
            return False
        self._pending.discard(request.page)
        self.errors[request.page] = error
        return True

    def refresh_from(self, line_number: int) -> None:
        """Mark the pages from ``line_number`` on as stale: shown until reloaded."""
        self._epoch += 1
        first = line_number // self.page_size
        for page in [*self._pages.keys(), *self._pending]:
            if page >= first:
                self._stale[page] = self._epoch
        for page in list(self.errors):
            if page >= first:
                del self.errors[page]

    def clear(self) -> None:
        """Forget everything; loads in flight will be dropped when they arrive."""
        self.generation += 1
        self._pages.clear()
        self._pending.clear()
        self._stale.clear()
        self._put.clear()
        self._wanted.clear()
        self.errors.clear()
