"""Telegram's markup parsing (local_stack.telegram_markup): plain text, entities and Telegram's error texts.

Offsets and lengths are UTF-16 code units; byte offsets in errors are UTF-8 bytes, as Telegram reports them.
"""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.telegram_markup import (
    EntityJsonError,
    EntityParseError,
    entities_from_json,
    normalize,
    parse,
    parse_html,
    parse_markdown_v2,
    utf16_len,
)


def e(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length, **extra}


# ---- MarkdownV2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("*tebal*", "tebal", [e("bold", 0, 5)]),
        (
            "*b* _i_ __u__ ~s~ ||sp|| `c`",
            "b i u s sp c",
            [
                e("bold", 0, 1),
                e("italic", 2, 1),
                e("underline", 4, 1),
                e("strikethrough", 6, 1),
                e("spoiler", 8, 2),
                e("code", 11, 1),
            ],
        ),
        # nested: the longer entity first at the same offset
        ("*tebal _dan miring_*", "tebal dan miring", [e("bold", 0, 16), e("italic", 6, 10)]),
        ("1\\. Ajukan cuti \\- isi formulir\\!", "1. Ajukan cuti - isi formulir!", []),
        # inside code only ` and \ are special
        ("`a.b-c(d)`", "a.b-c(d)", [e("code", 0, 8)]),
        ("```python\nprint(1)\n```", "print(1)\n", [e("pre", 0, 9, language="python")]),
        ("```\nx.y\n```", "x.y\n", [e("pre", 0, 4)]),
        ("[docs](https://example.com/a\\)b)", "docs", [e("text_link", 0, 4, url="https://example.com/a)b")]),
        ("[Budi](tg://user?id=5550001)", "Budi", [e("text_mention", 0, 4, user={"id": 5550001})]),
        (">kutipan\n>dua\nluar", "kutipan\ndua\nluar", [e("blockquote", 0, 12)]),
        ("**>buka\n>lagi||", "buka\nlagi", [e("expandable_blockquote", 0, 9)]),
        # UTF-16: an emoji outside the BMP counts twice
        ("😀 *tebal*", "😀 tebal", [e("bold", 3, 5)]),
        ("*😀😀*", "😀😀", [e("bold", 0, 4)]),
        ("é *x*", "é x", [e("bold", 2, 1)]),
    ],
)
def test_markdown_v2_valid(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    parsed = parse_markdown_v2(source)
    assert parsed.text == text
    assert parsed.entities == entities


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("Selamat pagi.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("Nomor NIP: 1990-01", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("a|b", "Character '|' is reserved and must be escaped with the preceding '\\'"),
        ("a>b", "Character '>' is reserved and must be escaped with the preceding '\\'"),
        ("(catatan)", "Character '(' is reserved and must be escaped with the preceding '\\'"),
        ("*tebal", "Can't find end of Bold entity at byte offset 0"),
        ("halo _miring", "Can't find end of Italic entity at byte offset 5"),
        ("ab __garis", "Can't find end of Underline entity at byte offset 3"),
        ("~coret", "Can't find end of Strikethrough entity at byte offset 0"),
        ("x ||rahasia", "Can't find end of Spoiler entity at byte offset 2"),
        ("`kode", "Can't find end of Code entity at byte offset 0"),
        ("```\nblok", "Can't find end of Pre entity at byte offset 0"),
        ("```python\nblok", "Can't find end of PreCode entity at byte offset 0"),
        ("[tautan", "Can't find end of TextUrl entity at byte offset 0"),
        # byte offsets: the emoji is 4 bytes, "é" 2
        ("😀 *x", "Can't find end of Bold entity at byte offset 5"),
        ("é _x", "Can't find end of Italic entity at byte offset 3"),
        ("[a](http://x", "Can't find end of a URL at byte offset 4"),
        # an entity may not run past the end of a quoted line
        (">*kutip\nluar*", "Can't find end of Bold entity at byte offset 1"),
    ],
)
def test_markdown_v2_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_markdown_v2(source)
    assert str(raised.value) == error


# ---- HTML -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        (
            "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>",
            "b s i e u n",
            [
                e("bold", 0, 1),
                e("bold", 2, 1),
                e("italic", 4, 1),
                e("italic", 6, 1),
                e("underline", 8, 1),
                e("underline", 10, 1),
            ],
        ),
        (
            "<s>a</s><strike>b</strike><del>c</del>"
            '<tg-spoiler>d</tg-spoiler><span class="tg-spoiler">e</span>',
            "abcde",
            [
                e("strikethrough", 0, 1),
                e("strikethrough", 1, 1),
                e("strikethrough", 2, 1),
                e("spoiler", 3, 1),
                e("spoiler", 4, 1),
            ],
        ),
        ("<code>x &lt; y</code>", "x < y", [e("code", 0, 5)]),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [e("pre", 0, 5, language="python")],
        ),
        ("<pre>blok</pre>", "blok", [e("pre", 0, 4)]),
        (
            '<a href="https://example.com">tautan</a>',
            "tautan",
            [e("text_link", 0, 6, url="https://example.com/")],
        ),
        ("<blockquote>kutip</blockquote>", "kutip", [e("blockquote", 0, 5)]),
        ("<blockquote expandable>kutip</blockquote>", "kutip", [e("expandable_blockquote", 0, 5)]),
        ("&lt;b&gt; &amp; &quot; &#65;&#x42;", '<b> & " AB', []),
        # an unescaped "&" that starts no entity is kept, as Telegram does
        ("A & B &nbsp; C", "A & B &nbsp; C", []),
        ("<B>tebal</B>", "tebal", [e("bold", 0, 5)]),
        ("😀<b>x</b>", "😀x", [e("bold", 2, 1)]),
        ("<b>a <i>b</i></b>", "a b", [e("bold", 0, 3), e("italic", 2, 1)]),
    ],
)
def test_html_valid(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert parsed.entities == entities


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("abc<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("<b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        # an unescaped "<" starts a tag
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="https://x', "Unclosed start tag at byte offset 0"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("😀<br>", 'Unsupported start tag "br" at byte offset 4'),
        (
            "&#xD800;",
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units",
        ),
    ],
)
def test_html_errors(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


def test_parse_dispatches_case_insensitively() -> None:
    assert parse("*x*", "markdownv2").entities == [e("bold", 0, 1)]
    assert parse("<b>x</b>", "HTML").entities == [e("bold", 0, 1)]
    assert parse("*x*", None) == ("*x*", [])
    with pytest.raises(KeyError):
        parse("x", "markdown3")
    with pytest.raises(KeyError):  # legacy Markdown is not parsed (the bot sends HTML only)
        parse("*x*", "Markdown")


# ---- what Telegram does afterwards ------------------------------------------------------------------


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀a") == 3
    assert utf16_len("é") == 1


def test_normalize_trims_and_finds_bot_commands() -> None:
    fixed = normalize("  /start@SinawaiBot   \n", [])
    assert fixed.text == "/start@SinawaiBot"
    assert fixed.entities == [e("bot_command", 0, 17)]


def test_normalize_detects_entities_with_utf16_offsets() -> None:
    fixed = normalize("😀 /menu @budi_s #cuti https://x.go.id/a. mail a.b@c.co.id", [])
    assert fixed.entities == [
        e("bot_command", 3, 5),
        e("mention", 9, 7),
        e("hashtag", 17, 5),
        e("url", 23, 17),
        e("email", 47, 11),
    ]


def test_normalize_drops_whitespace_and_control_characters() -> None:
    assert normalize(" \n\t ", []) == ("", [])
    fixed = normalize("a\tb\r\nc", [e("bold", 0, 3)])
    assert fixed.text == "a b\nc"
    assert fixed.entities == [e("bold", 0, 3)]  # still "a b": the tab became a space
    # an entity of spaces only disappears; leading spaces stay when an entity starts there
    assert normalize("x   ", [e("bold", 1, 3)]).entities == []
    assert normalize("  y", [e("code", 0, 3)]) == ("  y", [e("code", 0, 3)])


def test_normalize_keeps_urls_out_of_code() -> None:
    fixed = normalize("see https://example.com", [e("code", 4, 19)])
    assert fixed.entities == [e("code", 4, 19)]


def test_entities_from_json() -> None:
    assert entities_from_json(
        [{"type": "bold", "offset": 0, "length": 2}, {"type": "url", "offset": 0, "length": 1}]
    ) == [e("bold", 0, 2)]
    with pytest.raises(EntityJsonError, match="can't parse entities JSON object"):
        entities_from_json({"type": "bold"})
    with pytest.raises(EntityJsonError, match="is invalid: Wrong HTTP URL"):
        entities_from_json([{"type": "text_link", "offset": 0, "length": 1, "url": "not-a-url"}])
