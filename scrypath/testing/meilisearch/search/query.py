"""The search query `q`, parsed into terms the matcher understands.

Double quotes make a phrase; a leading `-` excludes a word or a phrase. Stop words
are dropped (unless nothing else is left), only the first ten words count, and the
last word matches as a prefix unless something follows it or prefix search is
disabled. Each word gets its typo budget from `typoTolerance`; synonyms attach to
the word, or to the run of words, that they are declared for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .config import Config

MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class Term:
    """One unit of the query: a word, a phrase, or a run of words with synonyms."""

    words: tuple[str, ...]
    phrase: bool = False
    quoted: bool = False
    prefix: bool = False
    typos: int = 0
    synonyms: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...]
    negatives: tuple[Term, ...]

    @property
    def placeholder(self) -> bool:
        return not self.terms

    def words(self) -> list[str]:
        return [word for term in self.terms for word in term.words]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    phrase: bool
    negative: bool
    end: int


def parse_query(q: str | None, config: Config) -> Query:
    """Turn `q` into positive and negative terms."""
    pieces = _pieces(q or "")
    positives: list[tuple[Term, int]] = []
    negatives: list[Term] = []
    for piece in pieces:
        found = _piece_terms(piece, config)
        if piece.negative:
            negatives.extend(term for term, _ in found)
        else:
            positives.extend(found)
    kept = _mark_prefix(_drop_stop_words(_limit(positives), config), len(q or ""), config)
    terms = _with_synonyms([term for term, _ in kept], config)
    return Query(tuple(terms), tuple(negatives))


def _pieces(q: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    i = 0
    while i < len(q):
        if q[i].isspace():
            i += 1
            continue
        negative = q[i] == "-" and i + 1 < len(q) and not q[i + 1].isspace()
        j = i + 1 if negative else i
        if q[j] == '"':
            close = q.find('"', j + 1)
            end = len(q) if close < 0 else close
            pieces.append(_Piece(q[j + 1 : end], True, negative, end))
            i = end + 1
            continue
        end = j
        while end < len(q) and not q[end].isspace() and q[end] != '"':
            end += 1
        pieces.append(_Piece(q[j:end], False, negative, end))
        i = end
    return pieces


def _piece_terms(piece: _Piece, config: Config) -> list[tuple[Term, int]]:
    tokens = config.tokenizer.tokens(piece.text)
    if not tokens:
        return []
    if piece.phrase:
        return [(Term(tuple(t.word for t in tokens), phrase=True, quoted=True), -1)]
    last_end = piece.end - len(piece.text)
    return [(Term((t.word,), typos=typo_budget(t.word, config)), last_end + t.end) for t in tokens]


def typo_budget(word: str, config: Config) -> int:
    """How many typos a query word may carry."""
    typo = config.typo
    if not typo.enabled or word in typo.disabled_words:
        return 0
    if typo.disable_on_numbers and word.isdigit():
        return 0
    size = len(word)
    return 0 if size < typo.one_typo else 1 if size < typo.two_typos else 2


def _limit(terms: list[tuple[Term, int]]) -> list[tuple[Term, int]]:
    kept: list[tuple[Term, int]] = []
    count = 0
    for term, end in terms:
        count += len(term.words)
        if count > MAX_WORDS:
            break
        kept.append((term, end))
    return kept


def _drop_stop_words(terms: list[tuple[Term, int]], config: Config) -> list[tuple[Term, int]]:
    kept = [
        (term, end) for term, end in terms if term.phrase or term.words[0] not in config.stop_words
    ]
    return kept or terms


def _mark_prefix(
    terms: list[tuple[Term, int]], q_length: int, config: Config
) -> list[tuple[Term, int]]:
    if not terms or not config.prefix_search:
        return terms
    last, end = terms[-1]
    if last.phrase or end != q_length:
        return terms
    return [*terms[:-1], (replace(last, prefix=True), end)]


def _with_synonyms(terms: list[Term], config: Config) -> list[Term]:
    table = config.synonyms
    longest = max((key.count(" ") + 1 for key in table), default=1)
    out: list[Term] = []
    i = 0
    while i < len(terms):
        span = _synonym_span(terms, i, longest, table)
        if span > 1:
            words = tuple(w for term in terms[i : i + span] for w in term.words)
            out.append(Term(words, phrase=True, synonyms=table[" ".join(words)]))
            i += span
            continue
        term = terms[i]
        alternatives = () if term.phrase else table.get(term.words[0], ())
        out.append(replace(term, synonyms=alternatives))
        i += 1
    return out


def _synonym_span(terms: list[Term], start: int, longest: int, table: Mapping[str, object]) -> int:
    for span in range(min(longest, len(terms) - start), 1, -1):
        run = terms[start : start + span]
        if any(term.phrase for term in run):
            continue
        if " ".join(term.words[0] for term in run) in table:
            return span
    return 1
