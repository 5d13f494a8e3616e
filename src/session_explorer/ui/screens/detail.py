"""The interaction detail: one interaction of a session read as a chat.

Opened on an interaction of the interactions pane; ``n``/``p`` move through the
session's interactions in place. Every block (a message, the response, the
summary, the raw record) is a focusable :class:`MessageBlock` holding one or more
``Static`` pieces; rendering happens per block, and long fields are cut before
they are rendered (see :mod:`session_explorer.ui.detail_render`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message as TextualMessage
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from session_explorer.core.models import Interaction, Message
from session_explorer.ui import detail as dr

#: Builds a block's pieces: ``expanded -> (pieces, truncated)``.
Builder = Callable[[bool], tuple[list[Text], bool]]


class MessageBlock(Vertical, can_focus=True):
    """One block of the detail: a labelled message, the response, the summary...

    Its content is built by ``build(expanded)``; the block remembers whether its
    folded form left something out (:attr:`truncated`), so expanding only touches
    blocks that need it. :attr:`copy_text` is what ``y`` copies while it is
    focused; it is produced on demand (a message may hold megabytes).
    """

    DEFAULT_CSS = """
    MessageBlock {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: outer $foreground 25%;
        &.-role-system { border-left: outer #c678dd; }
        &.-role-user { border-left: outer #61afef; }
        &.-role-assistant { border-left: outer #98c379; }
        &.-role-tool { border-left: outer #e5c07b; }
        &.-error { border-left: outer #e06c75; }
        &.-summary { border-left: outer $foreground 40%; }
        &:focus { background: $boost; }
        & > Static { height: auto; }
    }
    """

    def __init__(
        self, build: Builder, *, copy_text: Callable[[], str], label: str, classes: str = ""
    ) -> None:
        super().__init__(classes=classes)
        self._build = build
        self._copy_text = copy_text
        self.label = label
        self.expanded = False
        self.truncated = False
        self._pieces: list[Text] = []

    def _statics(self) -> list[Static]:
        pieces, truncated = self._build(self.expanded)
        if not self.expanded:
            self.truncated = truncated
        self._pieces = pieces
        return [Static(piece) for piece in pieces]

    def compose(self) -> ComposeResult:
        yield from self._statics()

    async def set_expanded(self, expanded: bool) -> None:
        """Show the block folded or expanded (rebuilt only when that changes it)."""
        if expanded == self.expanded or not self.truncated:
            return
        self.expanded = expanded
        statics = self._statics()
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(statics)

    @property
    def copy_text(self) -> str:
        """The block's content as plain text, whole (never cut)."""
        return self._copy_text()

    @property
    def plain(self) -> str:
        """The text shown (for tests and debugging)."""
        return "\n".join(piece.plain for piece in self._pieces)


class InteractionDetail(ModalScreen[None]):
    """One interaction as a chat, with its response, usage, latency and error.

    | Key(s) | Id | Description |
    | :- | :- | :- |
    | escape, q | `detail.close` | Close the detail. |
    | r | `detail.raw` | Toggle the raw JSON of the record. |
    | y | `detail.copy` | Copy the record, or the focused message, to the clipboard (OSC 52). |
    | n, p | `detail.next`, `detail.previous` | Next / previous interaction, in place. |
    | e, + | `detail.expand` | Expand the focused block's cut fields (no block focused: all); again folds. |
    | tab, shift+tab | | Focus the next / previous message. |
    | j, k, up, down | `detail.down`, `detail.up` | Scroll. |
    | pageup, pagedown | `detail.page_up`, `detail.page_down` | Scroll a page. |
    | g, G, home, end | `detail.top`, `detail.bottom` | First / last line. |

    Posts :class:`Moved` when ``n``/``p`` show another interaction.
    """

    DEFAULT_CSS = """
    InteractionDetail {
        background: $background 60%;
    }
    InteractionDetail > #detail-body {
        height: 1fr;
        margin: 1 2 0 2;
        padding: 0 1 1 1;
        border: round $border;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="detail.close"),
        Binding("r", "toggle_raw", "Raw JSON", id="detail.raw"),
        Binding("y", "copy", "Copy", id="detail.copy"),
        Binding("n", "step(1)", "Next", id="detail.next"),
        Binding("p", "step(-1)", "Previous", id="detail.previous"),
        Binding("e,plus", "toggle_expand", "Expand", id="detail.expand"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="detail.up"),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False, id="detail.page_down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="detail.page_up"),
        Binding("g,home", "scroll('home')", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll('end')", "Bottom", show=False, id="detail.bottom"),
    ]

    class Moved(TextualMessage):
        """``n``/``p`` moved the detail to another interaction."""

        def __init__(self, index: int, interaction: Interaction) -> None:
            super().__init__()
            self.index = index
            self.interaction = interaction

    def __init__(
        self,
        interactions: Sequence[Interaction],
        index: int,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.interactions = interactions
        self.index = max(0, min(index, len(interactions) - 1))
        self.raw = False
        self.expand_all = False

    # ----------------------------------------------------------------- state
    @property
    def interaction(self) -> Interaction | None:
        """The interaction shown (None for an empty session)."""
        if not self.interactions:
            return None
        return self.interactions[self.index]

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#detail-body", VerticalScroll)

    @property
    def blocks(self) -> list[MessageBlock]:
        return list(self.body.query_children(MessageBlock))

    @property
    def title_text(self) -> str:
        """The border title as plain text: ``Interaction 3/12 · openai/gpt-4o-mini · ok``."""
        return dr.title(self.interaction, self.index, len(self.interactions)).plain

    @property
    def visible_text(self) -> str:
        """Everything the blocks show, as plain text (for tests)."""
        return "\n".join(block.plain for block in self.blocks)

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield from self._make_blocks()
        yield Footer()

    def on_mount(self) -> None:
        self._update_titles()
        self.body.focus()

    def _update_titles(self) -> None:
        body = self.body
        body.border_title = dr.title(self.interaction, self.index, len(self.interactions))
        body.border_subtitle = dr.subtitle(self.interaction, raw=self.raw)

    def _make_blocks(self) -> list[MessageBlock]:
        interaction = self.interaction
        if interaction is None:
            return [MessageBlock(lambda _: ([Text("No interaction to show.", dr.NOTE)], False),
                                 copy_text=str, label="nothing")]

        def record() -> str:
            return interaction.raw_text

        if self.raw:
            return [self._block(dr.raw_pieces, interaction, copy_text=record,
                                label="the record", raw=True)]
        if interaction.parse_error is not None:
            return [self._block(dr.malformed_pieces, interaction, copy_text=record,
                                label="the malformed line", classes="-error")]
        blocks = [self._message_block(number, message) for number, message in enumerate(interaction.messages, 1)]
        if interaction.shape == "unknown" and interaction.raw is not None:
            blocks.append(self._block(dr.unknown_pieces, interaction, copy_text=record,
                                      label="the record"))
        else:
            blocks.append(
                self._block(dr.output_pieces, interaction,
                            copy_text=lambda: dr.body_text(interaction.output_text,
                                                           interaction.output_tool_calls),
                            label="the response", classes="-role-assistant")
            )
        blocks.append(
            self._block(dr.summary_pieces, interaction, label="the summary",
                        copy_text=lambda: dr.summary_text(interaction),
                        classes="-summary" + (" -error" if interaction.error else ""))
        )
        return blocks

    def _message_block(self, number: int, message: Message) -> MessageBlock:
        classes = dr.role_class(message.role) + (" -error" if message.is_error else "")
        build = self._limited(
            lambda limits, expanded: dr.message_pieces(message, limits, expanded=expanded)
        )
        return MessageBlock(
            build,
            copy_text=lambda: dr.body_text(message.text, message.tool_calls),
            label=f"message {number} ({message.role})",
            classes=classes,
        )

    @staticmethod
    def _limited(
        render: Callable[[dr.Limits, bool], tuple[list[Text], bool]], *, raw: bool = False
    ) -> Builder:
        """``render(limits, expanded)`` as a block builder with the folded/expanded limits."""
        folded, expanded = (dr.RAW_FOLDED, dr.RAW_EXPANDED) if raw else (dr.FOLDED, dr.EXPANDED)
        return lambda is_expanded: render(expanded if is_expanded else folded, is_expanded)

    def _block(self, render: Callable[..., tuple[list[Text], bool]], interaction: Interaction, *,
               copy_text: Callable[[], str], label: str, classes: str = "",
               raw: bool = False) -> MessageBlock:
        return MessageBlock(
            self._limited(
                lambda limits, expanded: render(interaction, limits, expanded=expanded), raw=raw
            ),
            copy_text=copy_text,
            label=label,
            classes=classes,
        )

    async def _rebuild(self) -> None:
        """Replace the blocks (another interaction, or the raw view toggled)."""
        body = self.body
        blocks = self._make_blocks()
        with self.app.batch_update():
            await body.remove_children()
            await body.mount_all(blocks)
            if self.expand_all:
                for block in blocks:
                    await block.set_expanded(True)
            body.scroll_home(animate=False, immediate=True)
            self._update_titles()
        body.focus()

    # --------------------------------------------------------------- actions
    def action_close(self) -> None:
        self.dismiss()

    async def action_toggle_raw(self) -> None:
        self.raw = not self.raw
        await self._rebuild()

    async def action_step(self, step: int) -> None:
        if not self.interactions:
            return
        target = self.index + step
        if not 0 <= target < len(self.interactions):
            edge = "last" if step > 0 else "first"
            self.notify(f"This is the {edge} interaction.", timeout=2)
            return
        self.index = target
        await self._rebuild()
        interaction = self.interaction
        if interaction is not None:
            self.post_message(self.Moved(self.index, interaction))

    async def action_toggle_expand(self) -> None:
        focused = self.focused
        if isinstance(focused, MessageBlock):
            targets = [focused]
            expand = not focused.expanded
        else:
            targets = self.blocks
            expand = not self.expand_all
        if not any(block.truncated for block in targets):
            self.notify("Nothing is cut here.", timeout=2)
            return
        if not isinstance(focused, MessageBlock):
            self.expand_all = expand
        for block in targets:
            await block.set_expanded(expand)

    def action_copy(self) -> None:
        focused = self.focused
        interaction = self.interaction
        if isinstance(focused, MessageBlock) and not self.raw:
            text, what = focused.copy_text, focused.label
        elif interaction is not None:
            text, what = interaction.raw_text, f"the record (line {interaction.line_number:,})"
        else:
            return
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {what}: {len(text):,} characters.", timeout=3)

    def action_scroll(self, where: str) -> None:
        body = self.body
        moves: dict[str, Callable[[], None]] = {
            "down": lambda: body.scroll_down(animate=False),
            "up": lambda: body.scroll_up(animate=False),
            "page_down": lambda: body.scroll_page_down(animate=False),
            "page_up": lambda: body.scroll_page_up(animate=False),
            "home": lambda: body.scroll_home(animate=False),
            "end": lambda: body.scroll_end(animate=False),
        }
        moves[where]()
