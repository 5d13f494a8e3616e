"""Messages from the workers to the app."""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from session_explorer.core.live.feed import LiveFeed
from session_explorer.core.session.catalog import CatalogState


class CatalogOpened(Message):
    """The catalog has its first listing (indexing may go on in the background).

    ``first``: the session the opening worker reads next and posts (None: none),
    for the feed's watch ``token``. ``feed``: the live feed, started unless the app
    steps it by hand. ``problems``: what could not be opened.
    """

    def __init__(
        self,
        first: str | None,
        *,
        state: CatalogState,
        feed: LiveFeed,
        token: int,
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.first = first
        self.state = state
        self.feed = feed
        self.token = token
        self.problems = tuple(problems)


class WorkerFailed(Message):
    """A background task failed: shown to the user, the app goes on."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error
