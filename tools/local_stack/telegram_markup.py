"""Telegram's text formatting, parsed the way the Bot API parses it (TDLib's MessageEntity.cpp).

- ``parse_markdown_v2`` and ``parse_html`` turn marked-up text into plain text and Bot API entities, or raise
  ``EntityParseError`` whose message is Telegram's own detail text (the Bot API answers ``Bad Request: can't
  parse entities: <detail>``). They walk the UTF-8 bytes like TDLib does, so byte offsets in errors and UTF-16
  offsets in entities are the ones Telegram reports. Legacy ``Markdown`` is not parsed: the bot sends HTML
  only, and the emulator refuses a call that asks for it.
- ``normalize`` is what TDLib does to every text afterwards (``fix_formatted_text``): control characters
  become spaces, ``\\r`` disappears, whitespace is trimmed, whitespace-only entities are dropped, and the
  entities Telegram finds by itself (bot commands, mentions, hashtags, URLs, e-mail addresses) are added.
- ``entities_from_json`` reads an explicit ``entities``/``caption_entities`` parameter.

Offsets and lengths are in UTF-16 code units everywhere, like the Bot API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qs

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Markup Telegram refuses. ``str(error)`` is Telegram's detail text."""


class EntityJsonError(ValueError):
    """An explicit entities parameter Telegram refuses. ``str(error)`` is the whole description."""


class FormattedText(NamedTuple):
    text: str
    entities: list[Entity]


# ---- UTF-16 helpers ---------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers."""
    data = text.encode("utf-16-le")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


def _utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return prefix


def _utf16_width_of_lead_byte(c: int) -> int:
    """UTF-16 units a UTF-8 sequence starting with byte ``c`` adds (0 for continuation bytes)."""
    if (c & 0xC0) == 0x80:
        return 0
    return 2 if c >= 0xF0 else 1


# ---- links ------------------------------------------------------------------------------------------

_HOST = re.compile(r"^[^\s/?#@:]+(?::\d{1,5})?$")


def link_user_id(url: str) -> int | None:
    """The user id of a ``tg://user?id=N`` link (a text mention), else None."""
    if not url.lower().startswith("tg:"):
        return None
    link = url[3:]
    if link.startswith("//"):
        link = link[2:]
    end = len(link)
    for stop in "?#":
        pos = link.find(stop)
        if pos != -1:
            end = min(end, pos)
    if link[:end] != "user":
        return None
    query = link[end + 1 :] if end < len(link) and link[end] == "?" else ""
    values = parse_qs(query.split("#", 1)[0]).get("id")
    if not values:
        return None
    try:
        user_id = int(values[0])
    except ValueError:
        return None
    return user_id if user_id > 0 else None


def checked_link(url: str) -> str | None:
    """The URL Telegram keeps for a text link, normalized like Telegram does, or None when it is invalid."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://(.*)$", url)
    if match:
        scheme, rest = match.group(1).lower(), match.group(2)
        if scheme in ("tg", "ton", "tonsite"):
            return f"{scheme}://{rest}" if rest else None
        if scheme not in ("http", "https"):
            return None
    else:
        scheme, rest = "http", url
    cut = len(rest)
    for stop in "/?#":
        pos = rest.find(stop)
        if pos != -1:
            cut = min(cut, pos)
    host, tail = rest[:cut], rest[cut:]
    if not host or not _HOST.match(host):
        return None
    if not match and "." not in host:
        return None
    if not tail.startswith("/"):
        tail = "/" + tail
    return f"{scheme}://{host.lower()}{tail}"


def _custom_emoji_id(url: str) -> int:
    match = re.match(r"^tg:(?://)?emoji\?id=(\d+)$", url, re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        raise EntityParseError("Invalid custom emoji URL specified")
    return int(match.group(1))


# ---- entity sorting ---------------------------------------------------------------------------------

_PRIORITY = {
    "mention": 50,
    "hashtag": 50,
    "cashtag": 50,
    "bot_command": 50,
    "url": 50,
    "email": 50,
    "phone_number": 50,
    "bold": 90,
    "italic": 91,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "underline": 92,
    "strikethrough": 93,
    "blockquote": 0,
    "expandable_blockquote": 0,
    "spoiler": 94,
    "custom_emoji": 99,
}


def _priority(entity: Mapping[str, Any]) -> int:
    if entity["type"] == "pre" and entity.get("language"):
        return 10
    return _PRIORITY.get(str(entity["type"]), 50)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """TDLib's order: by offset, longer first, then by type priority."""
    entities.sort(key=lambda e: (e["offset"], -e["length"], _priority(e)))
    return entities


# ---- shared byte-level helpers ----------------------------------------------------------------------

_SPACE_BYTES = frozenset(b" \t\r\n\x00\x0b\x0c")


def _is_space(c: int) -> bool:
    return c in _SPACE_BYTES


def _is_alpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66


def _byte_reader(src: bytes) -> Callable[[int], int]:
    """Like reading TDLib's NUL-terminated CSlice: 0 past the end."""
    size = len(src)

    def at(i: int) -> int:
        return src[i] if 0 <= i < size else 0

    return at


def _decode(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", errors="replace")


# TDLib's entity type names, used in error texts, and the Bot API type each becomes.
_API_TYPE = {
    "Bold": "bold",
    "Italic": "italic",
    "Underline": "underline",
    "Strikethrough": "strikethrough",
    "Spoiler": "spoiler",
    "Code": "code",
    "Pre": "pre",
    "PreCode": "pre",
    "TextUrl": "text_link",
    "CustomEmoji": "custom_emoji",
    "BlockQuote": "blockquote",
    "ExpandableBlockQuote": "expandable_blockquote",
}


def _make_entity(
    kind: str, offset: int, length: int, argument: str = "", user_id: int | None = None
) -> Entity:
    if user_id is not None:
        return {"type": "text_mention", "offset": offset, "length": length, "user": {"id": user_id}}
    entity: Entity = {"type": _API_TYPE[kind], "offset": offset, "length": length}
    if kind == "PreCode":
        entity["language"] = argument
    elif kind == "TextUrl":
        entity["url"] = argument
    elif kind == "CustomEmoji":
        entity["custom_emoji_id"] = argument
    return entity


def _reserved(c: int) -> EntityParseError:
    return EntityParseError(f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'")


# ---- MarkdownV2 -------------------------------------------------------------------------------------


@dataclass
class _Open:
    kind: str
    argument: str
    offset: int  # UTF-16 offset in the result
    byte_offset: int  # byte offset in the source, for error texts
    begin_pos: int  # byte position in the result


_V2_RESERVED = frozenset(b"_*[]()~`>#+-=|{}.!\n")
_V2_CODE_RESERVED = frozenset(b"`")
_LF, _CR = 0x0A, 0x0D


def _v2_is_end(top: _Open, c: int, nxt: int, nxt2: int) -> bool:
    kind = top.kind
    if kind == "Bold":
        return c == ord("*")
    if kind == "Italic":
        return c == ord("_") and nxt != ord("_")
    if kind == "Code":
        return c == ord("`")
    if kind in ("Pre", "PreCode"):
        return c == ord("`") and nxt == ord("`") and nxt2 == ord("`")
    if kind in ("TextUrl", "CustomEmoji"):
        return c == ord("]")
    if kind == "Underline":
        return c == ord("_") and nxt == ord("_")
    if kind == "Strikethrough":
        return c == ord("~")
    if kind == "Spoiler":
        return c == ord("|") and nxt == ord("|")
    return False  # BlockQuote ends only at a line not starting with '>'


def _read_url(src: bytes, i: int) -> tuple[bytearray, int]:
    """Reads a ``(url)`` body starting at ``i`` (after the parenthesis); ``\\`` escapes ASCII characters."""
    at = _byte_reader(src)
    url = bytearray()
    while i < len(src) and src[i] != ord(")"):
        if src[i] == ord("\\") and 0 < at(i + 1) <= 126:
            url.append(src[i + 1])
            i += 2
            continue
        url.append(src[i])
        i += 1
    return url, i


def parse_markdown_v2(text: str) -> FormattedText:
    """Parses MarkdownV2 like the Bot API (``parse_mode=MarkdownV2``)."""
    src = text.encode("utf-8")
    size = len(src)
    at = _byte_reader(src)
    out = bytearray()
    entities: list[Entity] = []
    utf16 = 0
    nested: list[_Open] = []
    have_blockquote = False
    can_start_blockquote = True

    i = -1
    while True:
        i += 1
        if i >= size:
            break
        c = src[i]
        if c == ord("\\") and 0 < at(i + 1) <= 126:
            i += 1
            utf16 += 1
            out.append(src[i])
            if src[i] != _CR:
                can_start_blockquote = src[i] == _LF
            continue

        reserved = _V2_RESERVED
        if nested and nested[-1].kind in ("Code", "Pre", "PreCode"):
            reserved = _V2_CODE_RESERVED
        if c not in reserved:
            width = _utf16_width_of_lead_byte(c)
            if width:
                utf16 += width
                if c != _CR:
                    can_start_blockquote = False
            out.append(c)
            continue

        is_end = False
        if nested:
            if have_blockquote and c == _LF and (i + 1 == size or src[i + 1] != ord(">")):
                is_end = True
            else:
                is_end = _v2_is_end(nested[-1], c, at(i + 1), at(i + 2))

        if not is_end:
            # beginning of an entity
            kind: str | None
            argument = ""
            byte_offset = i
            if c == ord("_"):
                if at(i + 1) == ord("_"):
                    kind = "Underline"
                    i += 1
                else:
                    kind = "Italic"
            elif c == ord("*"):
                kind = "Bold"
            elif c == ord("~"):
                kind = "Strikethrough"
            elif c == ord("|"):
                if at(i + 1) != ord("|"):
                    raise _reserved(c)
                i += 1
                kind = "Spoiler"
            elif c == ord("["):
                kind = "TextUrl"
            elif c == ord("`"):
                if at(i + 1) == ord("`") and at(i + 2) == ord("`"):
                    i += 3
                    kind = "Pre"
                    language_end = i
                    while not _is_space(at(language_end)) and at(language_end) != ord("`"):
                        language_end += 1
                    if i != language_end and language_end < size and at(language_end) != ord("`"):
                        kind = "PreCode"
                        argument = _decode(src[i:language_end])
                        i = language_end
                    # skip one new line at the beginning of the text
                    if at(i) in (_LF, _CR):
                        if at(i + 1) in (_LF, _CR) and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "Code"
            elif c == ord("!"):
                if at(i + 1) != ord("["):
                    raise _reserved(c)
                i += 1
                kind = "CustomEmoji"
            elif c == _LF:
                utf16 += 1
                out.append(_LF)
                can_start_blockquote = True
                kind = None
            elif c == ord(">"):
                if not can_start_blockquote:
                    raise _reserved(c)
                if have_blockquote:
                    kind = None
                else:
                    kind = "BlockQuote"
                    have_blockquote = True
            else:
                raise _reserved(c)
            if kind is None:
                continue
            nested.append(_Open(kind, argument, utf16, byte_offset, len(out)))
            continue

        # end of an entity
        kind = nested[-1].kind
        if c == _LF and kind != "BlockQuote":
            top = nested[-1]
            closes_expandable = kind == "Spoiler" and (
                top.byte_offset == i - 2 or (top.byte_offset == i - 3 and out and out[-1] == _CR)
            )
            if not closes_expandable:
                raise EntityParseError(f"Can't find end of {kind} entity at byte offset {top.byte_offset}")
            nested.pop()
            kind = nested[-1].kind
            if kind != "BlockQuote":
                raise EntityParseError(
                    f"Can't find end of {kind} entity at byte offset {nested[-1].byte_offset}"
                )
            kind = "ExpandableBlockQuote"
        top = nested[-1]
        argument = top.argument
        user_id: int | None = None
        skip_entity = utf16 == top.offset
        if kind in ("Underline", "Spoiler"):
            i += 1
        elif kind in ("Pre", "PreCode"):
            i += 2
        elif kind == "TextUrl":
            if at(i + 1) != ord("("):
                url = _decode(out[top.begin_pos :])
            else:
                i += 2
                url_begin = i
                raw_url, i = _read_url(src, i)
                if at(i) != ord(")"):
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
                url = _decode(raw_url)
            user_id = link_user_id(url)
            if user_id is None:
                link = checked_link(url)
                if link is None:
                    skip_entity = True
                else:
                    argument = link
        elif kind == "CustomEmoji":
            if at(i + 1) != ord("("):
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            i += 2
            url_begin = i
            raw_url, i = _read_url(src, i)
            if at(i) != ord(")"):
                raise EntityParseError(f"Can't find end of a custom emoji URL at byte offset {url_begin}")
            argument = str(_custom_emoji_id(_decode(raw_url)))
        elif kind in ("BlockQuote", "ExpandableBlockQuote"):
            have_blockquote = False
            out.append(src[i])
            can_start_blockquote = True
            utf16 += 1
            skip_entity = False
        if not skip_entity:
            entities.append(_make_entity(kind, top.offset, utf16 - top.offset, argument, user_id))
        nested.pop()

    if have_blockquote:
        kind = "BlockQuote"
        if nested[-1].kind == "Spoiler" and nested[-1].byte_offset == size - 2:
            nested.pop()
            kind = "ExpandableBlockQuote"
        if nested[-1].kind == "BlockQuote":
            length = utf16 - nested[-1].offset
            if length:
                entities.append(_make_entity(kind, nested[-1].offset, length))
            nested.pop()
    if nested:
        raise EntityParseError(
            f"Can't find end of {nested[-1].kind} entity at byte offset {nested[-1].byte_offset}"
        )
    return FormattedText(_decode(out), sort_entities(entities))


# ---- HTML -------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}


def _decode_html_entity(src: bytes, pos: int) -> tuple[int, int]:
    """TDLib's decode_html_entity: (code point or 0, position after the entity)."""
    at = _byte_reader(src)
    end = pos + 1
    code = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while _is_hex(at(end)):
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while _is_digit(at(end)):
                code = code * 10 + at(end) - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(at(end)):
            end += 1
        named = _NAMED_ENTITIES.get(src[pos + 1 : end])
        if named is None:
            return 0, pos
        code = named
    if at(end) == ord(";"):
        end += 1
    return code, end


def _encode_code_point(code: int) -> bytes:
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd".encode()  # same width in UTF-8; reported as an error at the end
    return chr(code).encode("utf-8")


@dataclass
class _HtmlOpen:
    tag: str
    argument: str
    offset: int
    begin_pos: int


def _html_attribute_value(src: bytes, i: int) -> tuple[str, int]:
    at = _byte_reader(src)
    if at(i) not in (ord("'"), ord('"')):
        # a name token: letters, digits, periods or hyphens; not case sensitive
        token_begin = i
        while _is_alpha(at(i)) or _is_digit(at(i)) or at(i) in (ord("."), ord("-")):
            i += 1
        if not _is_space(at(i)) and at(i) != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
        return _decode(src[token_begin:i]).lower(), i
    end_character = at(i)
    i += 1
    value = bytearray()
    while at(i) != end_character and at(i) != 0:
        if at(i) == ord("&"):
            code, after = _decode_html_entity(src, i)
            if code:
                value.extend(_encode_code_point(code))
                i = after
                continue
        value.append(at(i))
        i += 1
    if at(i) == end_character:
        i += 1
    return _decode(value), i


def _html_start_tag(src: bytes, begin_pos: int, i: int) -> tuple[str, str, int]:
    """Parses ``<tag attr=...>`` from ``i`` (just after '<'): (tag name, argument, position of '>')."""
    at = _byte_reader(src)
    while not _is_space(at(i)) and at(i) != ord(">"):
        i += 1
    if at(i) == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin_pos}")
    tag = _decode(src[begin_pos + 1 : i]).lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin_pos}')
    argument = ""
    stops = (ord("="), ord(">"), ord("/"), ord('"'), ord("'"))
    while at(i) != ord(">"):
        while at(i) != 0 and _is_space(at(i)):
            i += 1
        if at(i) == ord(">"):
            break
        name_begin = i
        while not _is_space(at(i)) and at(i) not in stops:
            i += 1
        name = src[name_begin:i]
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin_pos}')
        while at(i) != 0 and _is_space(at(i)):
            i += 1
        if at(i) != ord("="):
            if at(i) == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin_pos}')
            if tag == "blockquote" and name == b"expandable":
                argument = "1"
            continue
        i += 1
        while at(i) != 0 and _is_space(at(i)):
            i += 1
        if at(i) == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin_pos}')
        value, i = _html_attribute_value(src, i)
        if at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_pos}")
        if tag == "a" and name == b"href":
            argument = value
        elif tag == "code" and name == b"class" and value.startswith("language-"):
            argument = value[9:]
        elif tag == "span" and name == b"class" and value.startswith("tg-"):
            argument = value[3:]
        elif tag == "tg-emoji" and name == b"emoji-id":
            argument = value
        elif tag == "blockquote" and name == b"expandable":
            argument = "1"
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin_pos}')
    return tag, argument, i


def _html_close(top: _HtmlOpen, entities: list[Entity], out: bytearray, utf16: int) -> None:
    offset, length = top.offset, utf16 - top.offset
    tag = top.tag
    if tag in _HTML_SIMPLE or tag == "span":
        entities.append({"type": _HTML_SIMPLE.get(tag, "spoiler"), "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(_make_entity("CustomEmoji", offset, length, str(int(top.argument))))
    elif tag == "a":
        url = top.argument or _decode(out[top.begin_pos :])
        user_id = link_user_id(url)
        if user_id is not None:
            entities.append(_make_entity("TextUrl", offset, length, user_id=user_id))
        else:
            link = checked_link(url)
            if link is not None:
                entities.append(_make_entity("TextUrl", offset, length, link))
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_language")
        ):
            last["type"] = "pre"
            last["language"] = last.pop("_language")
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and top.argument
        ):
            last["language"] = top.argument
        else:
            entities.append({"type": "code", "offset": offset, "length": length, "_language": top.argument})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def parse_html(text: str) -> FormattedText:
    """Parses HTML like the Bot API (``parse_mode=HTML``)."""
    src = text.encode("utf-8")
    size = len(src)
    at = _byte_reader(src)
    out = bytearray()
    entities: list[Entity] = []
    utf16 = 0
    saw_surrogate = False
    nested: list[_HtmlOpen] = []

    i = -1
    while True:
        i += 1
        if i >= size:
            break
        c = src[i]
        if c == ord("&"):
            code, after = _decode_html_entity(src, i)
            if code:
                utf16 += 2 if code > 0xFFFF else 1
                saw_surrogate = saw_surrogate or 0xD800 <= code <= 0xDFFF
                out.extend(_encode_code_point(code))
                i = after - 1
                continue
        if c != ord("<"):
            utf16 += _utf16_width_of_lead_byte(c)
            out.append(c)
            continue

        begin_pos = i
        i += 1
        if at(i) != ord("/"):
            tag, argument, i = _html_start_tag(src, begin_pos, i)
            nested.append(_HtmlOpen(tag, argument, utf16, len(out)))
            continue

        if not nested:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin_pos}")
        while not _is_space(at(i)) and at(i) != ord(">"):
            i += 1
        end_tag = _decode(src[begin_pos + 2 : i]).lower()
        while _is_space(at(i)) and at(i) != 0:
            i += 1
        if at(i) != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin_pos}")
        top = nested[-1]
        if end_tag and end_tag != top.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin_pos}, expected "</{top.tag}>", found "</{end_tag}>"'
            )
        if utf16 > top.offset:
            _html_close(top, entities, out, utf16)
        nested.pop()

    if nested:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    for entity in entities:
        entity.pop("_language", None)
    if saw_surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    return FormattedText(_decode(out), sort_entities(entities))


# ---- dispatch ---------------------------------------------------------------------------------------

PARSE_MODES: dict[str, Callable[[str], FormattedText]] = {
    "markdownv2": parse_markdown_v2,
    "html": parse_html,
}


def parse(text: str, parse_mode: str | None) -> FormattedText:
    """Parses ``text`` with a Bot API parse_mode (case-insensitive); no parse_mode means plain text.

    Raises KeyError for an unknown parse_mode and EntityParseError for markup Telegram refuses.
    """
    if not parse_mode:
        return FormattedText(text, [])
    return PARSE_MODES[parse_mode.lower()](text)


# ---- entities Telegram finds by itself --------------------------------------------------------------

_TLDS = "com|org|net|id|io|co|info|biz|edu|gov|app|dev|me|ai|xyz|sg|my"
_EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w-])")
_URL = re.compile(
    r"(?<![\w@./-])(?:"
    r"(?:https?|ftp|tg)://[^\s<>\"]+"
    r"|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:" + _TLDS + r")(?![A-Za-z0-9-])"
    r"(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?"
    r")",
    re.IGNORECASE,
)
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])")
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{4,32}(?!\w)")
_HASHTAG = re.compile(r"(?<!\w)#\w{1,256}(?!\w)")


def _trim_url(url: str) -> str:
    while url and url[-1] in ".,:;!?'\"":
        url = url[:-1]
    for opening, closing in (("(", ")"), ("[", "]")):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1]
    return url


def find_entities(text: str) -> list[Entity]:
    """Bot commands, mentions, hashtags, URLs and e-mail addresses, as Telegram marks them in any text."""
    prefix = _utf16_prefix(text)
    taken: list[tuple[int, int]] = []
    found: list[Entity] = []

    def add(kind: str, start: int, end: int) -> None:
        if end <= start or any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append({"type": kind, "offset": prefix[start], "length": prefix[end] - prefix[start]})

    for match in _EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in _URL.finditer(text):
        add("url", match.start(), match.start() + len(_trim_url(match.group(0))))
    for match in _BOT_COMMAND.finditer(text):
        add("bot_command", match.start(), match.end())
    for match in _MENTION.finditer(text):
        add("mention", match.start(), match.end())
    for match in _HASHTAG.finditer(text):
        tag = match.group(0)
        following = text[match.end() : match.end() + 1]
        if following != "#" and any(ch.isalpha() for ch in tag[1:]):
            add("hashtag", match.start(), match.end())
    return sort_entities(found)


# ---- fix_formatted_text -----------------------------------------------------------------------------

# Entities that automatically found ones may not cross (TDLib keeps the user's entity).
_CONTINUOUS = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})
_REMOVED_CODE_POINTS = frozenset({0x0D, 0x0333, 0x033F, 0x030A, *range(0x2028, 0x202F)})


def normalize(text: str, entities: Sequence[Mapping[str, Any]], *, detect: bool = True) -> FormattedText:
    """What Telegram does to a text after parsing: returns ("", []) when nothing but whitespace is left."""
    # clean: control characters become spaces, some characters disappear; map old -> new UTF-16 offsets
    chars: list[str] = []
    offset_map: dict[int, int] = {}
    old = new = 0
    for ch in text:
        offset_map[old] = new
        code = ord(ch)
        width = 2 if code > 0xFFFF else 1
        if code in _REMOVED_CODE_POINTS:
            pass
        elif code < 0x20 and code != 0x0A:
            chars.append(" ")
            new += 1
        else:
            chars.append(ch)
            new += width
        old += width
    offset_map[old] = new
    cleaned = "".join(chars)

    def moved(offset: int) -> int:
        offset = max(0, min(offset, old))
        while offset not in offset_map:  # inside a surrogate pair
            offset -= 1
        return offset_map[offset]

    kept: list[Entity] = []
    for entity in entities:
        start = moved(int(entity["offset"]))
        end = moved(int(entity["offset"]) + int(entity["length"]))
        if end <= start:
            continue
        if not utf16_slice(cleaned, start, end - start).strip(" \n"):
            continue  # entities of whitespace only are dropped
        fixed = dict(entity)
        fixed["offset"], fixed["length"] = start, end - start
        kept.append(fixed)

    stripped = cleaned.rstrip(" \n")
    if not stripped:
        return FormattedText("", [])
    text_end = utf16_len(stripped)
    for entity in kept:
        if entity["offset"] + entity["length"] > text_end:
            entity["length"] = text_end - entity["offset"]
    kept = [e for e in kept if e["length"] > 0]
    sort_entities(kept)

    first_entity = kept[0]["offset"] if kept else len(stripped)
    lead = 0
    while lead < first_entity and stripped[lead] in " \n":
        lead += 1
    result = stripped[lead:]
    for entity in kept:
        entity["offset"] -= lead

    if detect:
        for auto in find_entities(result):
            a_start, a_end = auto["offset"], auto["offset"] + auto["length"]
            if not any(
                e["type"] in _CONTINUOUS and a_start < e["offset"] + e["length"] and e["offset"] < a_end
                for e in kept
            ):
                kept.append(auto)
    return FormattedText(result, sort_entities(kept))


# ---- explicit entities ------------------------------------------------------------------------------

_USER_ENTITY_TYPES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "blockquote",
        "expandable_blockquote",
    }
)
_FOUND_ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
)


def entities_from_json(raw: Any) -> list[Entity]:
    """Reads an explicit ``entities`` parameter (already JSON-decoded). Raises EntityJsonError."""
    bad = EntityJsonError("Bad Request: can't parse entities JSON object")
    if not isinstance(raw, list):
        raise bad
    result: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad
        kind, offset, length = item.get("type"), item.get("offset"), item.get("length")
        if not isinstance(kind, str) or type(offset) is not int or type(length) is not int:
            raise bad
        if kind in _FOUND_ENTITY_TYPES:
            continue  # Telegram finds these itself
        if kind not in _USER_ENTITY_TYPES:
            raise EntityJsonError("Bad Request: can't parse MessageEntity: Unsupported type specified")
        if offset < 0 or length <= 0:
            continue
        entity: Entity = {"type": kind, "offset": offset, "length": length}
        if kind == "text_link":
            url = item.get("url")
            link = checked_link(url) if isinstance(url, str) else None
            if link is None:
                raise EntityJsonError(f"Bad Request: entity URL '{url or ''}' is invalid: Wrong HTTP URL")
            entity["url"] = link
        elif kind == "text_mention":
            user = item.get("user")
            if not isinstance(user, dict) or type(user.get("id")) is not int:
                raise bad
            entity["user"] = dict(user)
        elif kind == "pre" and isinstance(item.get("language"), str) and item["language"]:
            entity["language"] = item["language"]
        elif kind == "custom_emoji":
            emoji_id = item.get("custom_emoji_id")
            if not isinstance(emoji_id, str) or not emoji_id.isdigit():
                raise bad
            entity["custom_emoji_id"] = emoji_id
        result.append(entity)
    return sort_entities(result)
