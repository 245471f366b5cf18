"""Tokenization and folding: what counts as a word, and when two words are the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.search.tokens import Tokenizer, fold, normalize_facet, text_of


def test_fold_removes_case_and_diacritics() -> None:
    assert fold("Émile") == "emile"
    assert fold("SAINT-EXUPÉRY") == "saint-exupery"
    assert fold("ﬁne") == "fine"


def test_facet_normalization_keeps_diacritics_but_not_case_or_padding() -> None:
    assert normalize_facet("  Café ") == normalize_facet("café")
    assert normalize_facet("Cafe") != normalize_facet("Café")


def test_words_split_on_anything_but_letters_and_digits() -> None:
    words = Tokenizer().words("Harry Potter and the Half-Blood Prince, vol_2 (2005)!")
    assert words == ["harry", "potter", "and", "the", "half", "blood", "prince", "vol", "2", "2005"]


def test_tokens_keep_their_span_in_the_original_text() -> None:
    text = "Le Petit Prince"
    tokens = Tokenizer().tokens(text)
    assert [(t.word, text[t.start : t.end]) for t in tokens] == [
        ("le", "Le"),
        ("petit", "Petit"),
        ("prince", "Prince"),
    ]


def test_separator_tokens_split_words() -> None:
    assert Tokenizer(separators=("x",)).words("axb") == ["a", "b"]


def test_non_separator_tokens_join_words() -> None:
    assert Tokenizer(non_separators=("-", "@")).words("half-blood a@b") == ["half-blood", "a@b"]


def test_dictionary_entries_stay_one_word() -> None:
    assert Tokenizer(dictionary=("J. R. R.",)).words("by J. R. R. Tolkien") == [
        "by",
        "j. r. r.",
        "tolkien",
    ]


def test_numbers_are_searchable_text() -> None:
    assert text_of(1943) == "1943"
    assert text_of(9.5) == "9.5"
    assert text_of(True) == "true"
    assert text_of(None) is None


@settings(max_examples=150)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@settings(max_examples=150)
@given(st.text())
def test_words_never_contain_separators(text: str) -> None:
    for word in Tokenizer().words(text):
        assert word
        assert not any(c.isspace() or c in ",.;!?()[]{}_-" for c in word)
