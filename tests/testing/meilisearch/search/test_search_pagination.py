"""Both pagination styles, the maxTotalHits cap, and their invariants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Make = Callable[..., Any]


def numbered(count: int) -> list[dict[str, Any]]:
    return [{"id": i, "t": "word"} for i in range(count)]


def test_offset_and_limit_default_to_0_and_20(make_index: Make) -> None:
    result = make_index(*numbered(30)).search(q="word")
    assert len(result["hits"]) == 20
    assert (result["offset"], result["limit"], result["estimatedTotalHits"]) == (0, 20, 30)
    assert "totalHits" not in result


def test_offset_and_limit_select_a_window(make_index: Make) -> None:
    index = make_index(*numbered(30))
    assert index.ids(offset=25, limit=10) == [25, 26, 27, 28, 29]


def test_page_and_hits_per_page_give_exact_totals(make_index: Make) -> None:
    result = make_index(*numbered(7)).search(page=2, hitsPerPage=3)
    assert [hit["id"] for hit in result["hits"]] == [3, 4, 5]
    assert {k: result[k] for k in ("hitsPerPage", "page", "totalPages", "totalHits")} == {
        "hitsPerPage": 3,
        "page": 2,
        "totalPages": 3,
        "totalHits": 7,
    }
    assert "estimatedTotalHits" not in result and "offset" not in result


def test_page_alone_uses_twenty_hits_per_page(make_index: Make) -> None:
    result = make_index(*numbered(25)).search(page=2)
    assert [hit["id"] for hit in result["hits"]] == list(range(20, 25))
    assert result["totalPages"] == 2


def test_page_zero_and_zero_hits_per_page_return_no_hits(make_index: Make) -> None:
    index = make_index(*numbered(5))
    assert index.search(page=0)["hits"] == []
    counted = index.search(hitsPerPage=0)
    assert counted["hits"] == [] and counted["totalHits"] == 5 and counted["totalPages"] == 0


def test_max_total_hits_caps_both_styles(make_index: Make) -> None:
    index = make_index(*numbered(30), pagination={"maxTotalHits": 12})
    result = index.search(offset=10, limit=5)
    assert [hit["id"] for hit in result["hits"]] == [10, 11]
    assert result["estimatedTotalHits"] == 12 and result["limit"] == 5
    assert index.search(offset=40)["offset"] == 12
    paged = index.search(page=3, hitsPerPage=5)
    assert [hit["id"] for hit in paged["hits"]] == [10, 11]
    assert (paged["totalHits"], paged["totalPages"]) == (12, 3)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 40), st.integers(0, 35), st.integers(1, 9))
def test_pages_and_windows_partition_the_hit_list(
    make_index: Make, count: int, cap: int, per_page: int
) -> None:
    index = make_index(*numbered(count), pagination={"maxTotalHits": cap})
    everything = index.ids(limit=1000)
    assert everything == list(range(min(count, cap)))
    first = index.search(hitsPerPage=per_page)
    assert first["totalHits"] == len(everything)
    assert first["totalPages"] == -(-len(everything) // per_page)
    pages = [index.ids(page=p, hitsPerPage=per_page) for p in range(1, first["totalPages"] + 2)]
    assert [doc for page in pages for doc in page] == everything
    windows = [index.ids(offset=o, limit=per_page) for o in range(0, count + 1, per_page)]
    assert [doc for window in windows for doc in window] == everything
