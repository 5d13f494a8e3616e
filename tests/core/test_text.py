"""Control, bidi and zero-width characters made visible (shared by the CLI and the UI)."""

from __future__ import annotations

import pytest

from session_explorer.core.text import control_picture, make_visible, visible_pieces


@pytest.mark.parametrize(
    ("char", "picture"),
    [
        ("\x00", "␀"),
        ("\x07", "␇"),
        ("\x1b", "␛"),
        ("\r", "␍"),
        ("\n", "␊"),
        ("\x7f", "␡"),
        ("\x9b", "\\x9b"),
        ("\u202e", "<U+202E>"),
        ("\u2066", "<U+2066>"),
        ("\u200b", "<U+200B>"),
        ("\ufeff", "<U+FEFF>"),
    ],
)
def test_control_pictures(char: str, picture: str) -> None:
    assert control_picture(char) == picture


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, [markup] and :emoji:", "plain text, [markup] and :emoji:"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("bell\x07 nul\x00 del\x7f", "bell␇ nul␀ del␡"),
        ("csi \x9b2J", "csi \\x9b2J"),
        ("crlf\r", "crlf␍"),
        ("tab\tand\nnewline kept", "tab\tand\nnewline kept"),
        ("access = \"user\u202e \u2066// admin\u2069\u2066\"",
         'access = "user<U+202E> <U+2066>// admin<U+2069><U+2066>"'),
        ("zero\u200bwidth\u200djoin\u2060wj", "zero<U+200B>width<U+200D>join<U+2060>wj"),
        ("\ufeffbom", "<U+FEFF>bom"),
        ("line\u2028sep", "line<U+2028>sep"),
        ("arabic mark \u061c", "arabic mark <U+061C>"),
        ("accents é ü and 日本語 stay", "accents é ü and 日本語 stay"),
    ],
)
def test_make_visible(raw: str, shown: str) -> None:
    assert make_visible(raw) == shown


@pytest.mark.parametrize(
    ("raw", "keep", "shown"),
    [
        ("a\tb\nc", "", "a␉b␊c"),
        ("a\tb\nc", "\n", "a␉b\nc"),
        ("a\tb\nc", "\t", "a\tb␊c"),
    ],
)
def test_make_visible_can_keep_other_layout_characters(raw: str, keep: str, shown: str) -> None:
    assert make_visible(raw, keep=keep) == shown


def test_visible_pieces_tell_stand_ins_from_text() -> None:
    assert list(visible_pieces("\x1b[1mhi\u202e")) == [
        ("␛", True),
        ("[1mhi", False),
        ("<U+202E>", True),
    ]
    assert list(visible_pieces("")) == []
    assert list(visible_pieces("a\nb", keep="")) == [("a", False), ("␊", True), ("b", False)]
