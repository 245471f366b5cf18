"""The filter lexer: words, quoted values (unescaped), operators and brackets.

A word is a run of letters, digits, `_`, `-` and `.`; anything else that is not an
operator, a bracket or a comma becomes a `char` token, which the parser reports.
"""

from __future__ import annotations

from dataclasses import dataclass

KEYWORDS = frozenset(
    {
        "AND",
        "OR",
        "IN",
        "NOT",
        "TO",
        "EXISTS",
        "IS",
        "NULL",
        "EMPTY",
        "CONTAINS",
        "STARTS",
        "WITH",
        "_geoRadius",
        "_geoBoundingBox",
    }
)
_ESCAPES = {
    "\\": "\\",
    '"': '"',
    "'": "'",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "0": "\0",
    "b": "\b",
    "f": "\f",
    "/": "/",
}


@dataclass(frozen=True, slots=True)
class Token:
    """A lexeme: its kind, its (unescaped) text, and where its fragment sits."""

    kind: str
    text: str
    start: int
    length: int
    raw_start: int

    def is_keyword(self, word: str | None = None) -> bool:
        if self.kind != "word" or self.text not in KEYWORDS:
            return False
        return word is None or self.text == word

    def is_value(self) -> bool:
        return self.kind == "quoted" or (self.kind == "word" and self.text not in KEYWORDS)


class FilterSyntaxError(Exception):
    """A parse failure, before the error code of the calling route is known.

    `code` overrides the route's code for failures that are not syntax errors, such as a
    well-formed use of an experimental operator.
    """

    def __init__(self, message: str, start: int, length: int, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.length = length
        self.code = code


def escape(text: str) -> str:
    """`text` with backslashes and line breaks escaped, as error messages quote input."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def error_word(source: str, start: int) -> str:
    """The run of input at `start` up to the next space or syntax character."""
    end = start
    while end < len(source) and not (source[end].isspace() or source[end] in "()=<>!"):
        end += 1
    return source[start : max(end, start + 1)]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in "_-."


def lex(source: str) -> list[Token]:
    """Split a filter string into tokens; an unclosed or malformed quote is an error."""
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "'\"":
            i = _lex_quoted(source, i, tokens)
        elif _is_word_char(char):
            end = i
            while end < len(source) and _is_word_char(source[end]):
                end += 1
            tokens.append(Token("word", source[i:end], i, end - i, i))
            i = end
        else:
            i = _lex_symbol(source, i, tokens)
    return tokens


def _lex_symbol(source: str, i: int, tokens: list[Token]) -> int:
    two = source[i : i + 2]
    if two in ("<=", ">=", "!="):
        tokens.append(Token("op", two, i, 2, i))
        return i + 2
    char = source[i]
    kind = "op" if char in "<>=" else char if char in "()[]," else "char"
    tokens.append(Token(kind, char, i, 1, i))
    return i + 1


def _lex_quoted(source: str, start: int, tokens: list[Token]) -> int:
    quote = source[start]
    i = start + 1
    while i < len(source) and source[i] != quote:
        i += 2 if source[i] == "\\" else 1
    if i >= len(source):
        rest = source[start:]
        raise FilterSyntaxError(
            f"Expression `{escape(rest)}` is missing the following closing delimiter: `{quote}`.",
            start,
            len(rest),
        )
    raw = source[start + 1 : i]
    tokens.append(Token("quoted", _unescape(raw, start + 1), start + 1, len(raw), start))
    return i + 1


def _unescape(raw: str, offset: int) -> str:
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] != "\\":
            out.append(raw[i])
            i += 1
            continue
        char, i = _escape_at(raw, i, offset)
        out.append(char)
    return "".join(out)


def _escape_at(raw: str, i: int, offset: int) -> tuple[str, int]:
    letter = raw[i + 1] if i + 1 < len(raw) else ""
    if letter in _ESCAPES and letter:
        return _ESCAPES[letter], i + 2
    if letter == "u":
        decoded = _unicode_escape(raw, i)
        if decoded is not None:
            return decoded
    raise FilterSyntaxError(f"Malformed value: `{escape(raw)}`.", offset, len(raw))


def _unicode_escape(raw: str, i: int) -> tuple[str, int] | None:
    if raw[i + 2 : i + 3] == "{":
        end = raw.find("}", i + 3)
        digits = raw[i + 3 : end] if end > 0 else ""
        after = end + 1
    else:
        digits = raw[i + 2 : i + 6]
        after = i + 6
        if len(digits) != 4:
            return None
    if not digits or len(digits) > 6 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    code = int(digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), after
