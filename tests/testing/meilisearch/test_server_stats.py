"""Stats: internal database sizes, human-readable sizes, and `_vectors` out of the counts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.testing.meilisearch.sizes import human_size

SIZES = ("indexSize", "usedIndexSize", "rawDocumentDbSize", "avgDocumentSize")
HUMAN = re.compile(r"^\d+(\.\d{1,2})? (B|KiB|MiB|GiB|TiB|PiB|EiB)$")


@pytest.fixture
def books(client, fake):
    index = client.index("books")
    index.add_documents(
        [
            {"id": 1, "title": "Dune", "_vectors": {"manual": [0.1, 0.2]}},
            {"id": 2, "title": "Emma", "tags": ["classic"]},
        ]
    )
    fake.wait_idle()
    return index


def test_sizes_are_raw_byte_counts_without_internal_sizes_by_default(raw, books):
    stats = raw("GET", "/indexes/books/stats").body
    assert all(isinstance(stats[name], int) for name in SIZES)
    assert "internalDatabaseSizes" not in stats


@pytest.mark.parametrize("path", ["/indexes/books/stats", "/stats"])
def test_internal_database_sizes_name_each_database(raw, books, path):
    body = raw("GET", f"{path}?showInternalDatabaseSizes=true").body
    stats = body if path.startswith("/indexes") else body["indexes"]["books"]
    internal = stats["internalDatabaseSizes"]
    assert set(internal) == {"main", "documents"}
    assert internal["documents"] == stats["rawDocumentDbSize"] > 0
    assert sum(internal.values()) == stats["indexSize"]


def test_show_internal_database_sizes_false_leaves_them_out(raw, books):
    stats = raw("GET", "/indexes/books/stats?showInternalDatabaseSizes=false").body
    assert "internalDatabaseSizes" not in stats


def test_human_sizes_apply_to_every_size_of_both_routes(raw, books):
    query = "?sizeFormat=human&showInternalDatabaseSizes=true"
    index_stats = raw("GET", "/indexes/books/stats" + query).body
    everything = raw("GET", "/stats" + query).body
    for stats in (index_stats, everything["indexes"]["books"]):
        assert all(HUMAN.match(stats[name]) for name in SIZES), stats
        assert all(HUMAN.match(size) for size in stats["internalDatabaseSizes"].values())
        assert stats["numberOfDocuments"] == 2
    assert HUMAN.match(everything["databaseSize"])
    assert HUMAN.match(everything["usedDatabaseSize"])


def test_human_and_raw_sizes_describe_the_same_bytes(raw, books):
    raw_stats = raw("GET", "/indexes/books/stats?sizeFormat=raw").body
    human = raw("GET", "/indexes/books/stats?sizeFormat=human").body
    assert human["rawDocumentDbSize"] == human_size(raw_stats["rawDocumentDbSize"])


def test_the_official_client_reads_human_sizes_and_internal_databases(client, books):
    stats = books.get_stats(show_internal_database_sizes=True, size_format="human")
    assert stats.number_of_documents == 2
    assert set(stats.internal_database_sizes or {}) == {"main", "documents"}
    every = client.get_all_stats(size_format="human")
    assert HUMAN.match(every["databaseSize"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("sizeFormat=pretty", "invalid_stats_size_format"),
        ("showInternalDatabaseSizes=yes", "invalid_stats_show_internal_database_sizes"),
        ("sizes=human", "bad_request"),
    ],
)
@pytest.mark.parametrize("path", ["/indexes/books/stats", "/stats"])
def test_bad_stats_parameters_are_refused(raw, books, path, query, code):
    response = raw("GET", f"{path}?{query}")
    assert (response.status, response.code) == (400, code)


def test_vectors_never_count_in_the_field_distribution(raw, books):
    assert raw("GET", "/indexes/books/stats").body["fieldDistribution"] == {
        "id": 2,
        "tags": 1,
        "title": 2,
    }
    every = raw("GET", "/stats").body["indexes"]["books"]["fieldDistribution"]
    assert "_vectors" not in every


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (10_000, "9.77 KiB"),
        (5 * 1024**2, "5 MiB"),
        (3 * 1024**3 + 1, "3 GiB"),
    ],
)
def test_human_sizes_use_binary_units_and_two_decimals_at_most(size, text):
    assert human_size(size) == text


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_a_human_size_is_within_rounding_of_the_bytes(size):
    text = human_size(size)
    assert HUMAN.match(text), text
    value, unit = text.split(" ")
    scale = 1024 ** (["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"].index(unit))
    assert abs(float(value) * scale - size) <= 0.005 * scale + 1e-9 * size
    assert float(value) <= 1024 or unit == "EiB"
