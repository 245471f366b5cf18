"""What a hit shows: retrieved and displayed fields, highlighting, cropping, distinct."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scrypath.testing.meilisearch.errors import MeiliError

Make = Callable[..., Any]
BOOK = {
    "id": 1,
    "title": "Le Petit Prince",
    "author": {"name": "Saint-Exupéry", "born": 1900},
    "price": 7.5,
    "tags": ["fable", "prince"],
}


def first_hit(index: Any, **params: Any) -> dict[str, Any]:
    hits: list[dict[str, Any]] = index.search(**params)["hits"]
    return hits[0]


def test_attributes_to_retrieve_pick_fields_and_sub_fields(make_index: Make) -> None:
    index = make_index(BOOK)
    assert first_hit(index, attributesToRetrieve=["title", "author.name"]) == {
        "title": "Le Petit Prince",
        "author": {"name": "Saint-Exupéry"},
    }
    assert first_hit(index, attributesToRetrieve=["*"]) == BOOK


def test_displayed_attributes_bound_what_can_be_retrieved(make_index: Make) -> None:
    index = make_index(BOOK, displayedAttributes=["id", "title"])
    assert first_hit(index) == {"id": 1, "title": "Le Petit Prince"}
    assert first_hit(index, attributesToRetrieve=["title", "price"]) == {"title": "Le Petit Prince"}


def test_highlight_wraps_matches_and_stringifies_numbers(make_index: Make) -> None:
    hit = first_hit(make_index(BOOK), q="prince", attributesToHighlight=["title", "tags"])
    assert hit["_formatted"]["title"] == "Le Petit <em>Prince</em>"
    assert hit["_formatted"]["tags"] == ["fable", "<em>prince</em>"]
    assert hit["_formatted"]["price"] == "7.5"
    assert hit["title"] == "Le Petit Prince"


def test_highlight_marks_only_the_matched_part_of_a_prefix(make_index: Make) -> None:
    hit = first_hit(
        make_index(BOOK),
        q="prin",
        attributesToHighlight=["*"],
        highlightPreTag="[",
        highlightPostTag="]",
    )
    assert hit["_formatted"]["title"] == "Le Petit [Prin]ce"


def test_highlight_covers_typos_and_accents(make_index: Make) -> None:
    hit = first_hit(make_index(BOOK), q="exupery prynce ", attributesToHighlight=["*"])
    assert hit["_formatted"]["author"]["name"] == "Saint-<em>Exupéry</em>"
    assert hit["_formatted"]["title"] == "Le Petit <em>Prince</em>"


def test_crop_keeps_words_around_the_first_match(make_index: Make) -> None:
    text = "one two three four five six prince seven eight nine ten"
    index = make_index({"id": 1, "t": text})
    hit = first_hit(index, q="prince", attributesToCrop=["t"], cropLength=3)
    assert hit["_formatted"]["t"] == "…six prince seven…"
    hit = first_hit(
        index, q="prince", attributesToCrop=["t:2"], cropMarker="[cut]", attributesToHighlight=["t"]
    )
    assert hit["_formatted"]["t"] == "[cut]six <em>prince</em>[cut]"


def test_crop_near_the_end_shifts_the_window_back(make_index: Make) -> None:
    hit = first_hit(make_index(BOOK), q="prince", attributesToCrop=["title"], cropLength=2)
    assert hit["_formatted"]["title"] == "…Petit Prince"


def test_crop_without_a_match_keeps_the_start(make_index: Make) -> None:
    index = make_index({"id": 1, "t": "alpha beta gamma delta", "u": "prince"})
    hit = first_hit(index, q="prince", attributesToCrop=["t"], cropLength=2)
    assert hit["_formatted"]["t"] == "alpha beta…"


def test_formatted_appears_only_when_asked(make_index: Make) -> None:
    assert "_formatted" not in first_hit(make_index(BOOK), q="prince")


def test_matches_position_is_in_bytes(make_index: Make) -> None:
    hit = first_hit(make_index(BOOK), q="exupery prince", showMatchesPosition=True)
    assert hit["_matchesPosition"] == {
        "title": [{"start": 9, "length": 6}],
        "author.name": [{"start": 6, "length": 8}],
        "tags": [{"start": 0, "length": 6}],
    }


DUPES = [
    {"id": 1, "sku": "A", "t": "shirt"},
    {"id": 2, "sku": "a", "t": "shirt"},
    {"id": 3, "sku": "B", "t": "shirt"},
    {"id": 4, "t": "shirt"},
]


def test_distinct_setting_keeps_one_document_per_value(make_index: Make) -> None:
    index = make_index(*DUPES, distinctAttribute="sku")
    result = index.search(q="shirt")
    assert [hit["id"] for hit in result["hits"]] == [1, 3, 4]
    assert result["estimatedTotalHits"] == 3


def test_distinct_parameter_needs_a_filterable_attribute(make_index: Make) -> None:
    index = make_index(*DUPES, filterableAttributes=["sku"])
    assert index.ids(q="shirt", distinct="sku") == [1, 3, 4]
    with pytest.raises(MeiliError) as caught:
        index.ids(q="shirt", distinct="t")
    assert caught.value.code == "invalid_search_distinct"
    assert caught.value.message == (
        "Index `books`: Attribute `t` is not filterable and thus, cannot be used as distinct "
        "attribute. Available filterable attributes patterns are: `sku`."
    )
