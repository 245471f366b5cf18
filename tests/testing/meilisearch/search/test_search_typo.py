"""Prefix and typo lookups over the vocabulary."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.search.typo import Vocabulary, distance

WORDS = [
    "prince",
    "princess",
    "prance",
    "print",
    "rpince",
    "pirnce",
    "prinze",
    "rince",
    "xprince",
    "pr",
    "computer",
    "computing",
    "kompjuter",
]


def test_exact_match_only_without_budget() -> None:
    assert Vocabulary(WORDS).expand("prince", 0, prefix=False) == {"prince": 0}


def test_prefix_matches_every_word_starting_with_the_term() -> None:
    found = Vocabulary(WORDS).expand("prin", 0, prefix=True)
    assert found == {"prince": 0, "princess": 0, "print": 0, "prinze": 0}


def test_one_typo_covers_substitution_insertion_deletion_and_transposition() -> None:
    found = Vocabulary(WORDS).expand("prince", 1, prefix=False)
    assert found == {"prince": 0, "prance": 1, "prinze": 1, "pirnce": 1}


def test_a_typo_on_the_first_letter_counts_double() -> None:
    one = Vocabulary(WORDS).expand("prince", 1, prefix=False)
    assert "rpince" not in one and "rince" not in one and "xprince" not in one
    two = Vocabulary(WORDS).expand("prince", 2, prefix=False)
    assert two["rpince"] == 2
    assert two["rince"] == 2
    assert two["xprince"] == 2


def test_prefix_search_tolerates_typos_in_the_prefix() -> None:
    found = Vocabulary(WORDS).expand("computr", 1, prefix=True)
    assert found["computer"] == 1


def test_distance_is_optimal_string_alignment() -> None:
    assert distance("prince", "pirnce") == 1
    assert distance("abc", "ca") == 3
    assert distance("comp", "computer", prefix=True) == 0


def _brute_force(words: list[str], term: str, budget: int, prefix: bool) -> dict[str, int]:
    found: dict[str, int] = {}
    for word in words:
        if not word:
            continue
        if word[0] == term[0]:
            cost = distance(term[1:], word[1:], prefix=prefix)
        elif budget >= 2:
            cost = 2 + distance(term[1:], word[1:], prefix=prefix)
            for variant in (term[1:], term[1:2] + term[:1] + term[2:]):
                if word.startswith(variant) if prefix else word == variant:
                    cost = 2
            if word[1:].startswith(term) if prefix else word[1:] == term:
                cost = 2
        else:
            continue
        if cost <= budget:
            found[word] = cost
    return found


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text("abcd", min_size=1, max_size=7), min_size=1, max_size=25, unique=True),
    st.text("abcd", min_size=1, max_size=6),
    st.integers(0, 2),
    st.booleans(),
)
def test_expand_finds_exactly_the_words_within_budget(
    words: list[str], term: str, budget: int, prefix: bool
) -> None:
    found = Vocabulary(words).expand(term, budget, prefix)
    expected = _brute_force(words, term, budget, prefix)
    if budget == 0:
        expected = {w: 0 for w in words if (w.startswith(term) if prefix else w == term)}
    assert set(found) == set(expected)
    assert all(found[w] <= expected[w] for w in found)
