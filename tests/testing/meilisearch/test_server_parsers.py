"""The parsers behind the routes, fed arbitrary input: they answer or raise `MeiliError`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrypath.testing.meilisearch import MeiliError
from scrypath.testing.meilisearch.params import parse_uint
from scrypath.testing.meilisearch.payloads import parse_documents
from scrypath.testing.meilisearch.settings import apply, default_settings, parse_update
from scrypath.testing.meilisearch.task_query import parse_filter, parse_listing
from scrypath.testing.meilisearch.timefmt import iso_duration, parse_filter_date, rfc3339
from scrypath.testing.meilisearch.wire import describe, did_you_mean, expected_text

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
SETTINGS_KEYS = st.sampled_from([*default_settings(), "chat", "foreignKeys", "doggo"])


@given(st.integers(min_value=0, max_value=2**62))
def test_rfc3339_round_trips_through_the_date_filter(ns):
    assert parse_filter_date(rfc3339(ns), after=False) == ns


def test_rfc3339_trims_the_fraction_like_meilisearch():
    assert rfc3339(1_000_000_000) == "1970-01-01T00:00:01Z"
    assert rfc3339(1_500_000_000) == "1970-01-01T00:00:01.5Z"
    assert rfc3339(1_000_000_001) == "1970-01-01T00:00:01.000000001Z"


def test_a_bare_date_bounds_the_whole_day():
    midnight = int(datetime(2024, 8, 8, tzinfo=UTC).timestamp()) * 1_000_000_000
    assert parse_filter_date("2024-08-08", after=False) == midnight
    assert parse_filter_date("2024-08-08", after=True) == midnight + 86_400 * 1_000_000_000
    assert parse_filter_date("2024-08-08T02:00:00+02:00", after=False) == midnight


@pytest.mark.parametrize(
    ("ns", "text"),
    [(0, "PT0S"), (12_000_000, "PT0.012S"), (1_500, "PT0.000001500S"), (86_400_000_000_000, "P1D")],
)
def test_durations_use_meilisearch_precision(ns, text):
    assert iso_duration(ns) == text


@given(st.text(max_size=12))
def test_any_date_text_parses_or_is_refused(text):
    result = parse_filter_date(text, after=True)
    assert result is None or isinstance(result, int)


@given(st.text(max_size=25))
def test_unsigned_parsing_accepts_only_digits(text):
    try:
        value = parse_uint(text, "invalid_task_limit", "limit")
    except MeiliError as error:
        assert error.code == "invalid_task_limit"
        assert (
            error.message
            == f"Invalid value in parameter `limit`: could not parse `{text}` as a positive integer"
        )
    else:
        assert value == int(text) and value >= 0


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "uids",
                "types",
                "statuses",
                "indexUids",
                "from",
                "limit",
                "reverse",
                "afterEnqueuedAt",
                "canceledBy",
                "x",
            ]
        ),
        st.lists(st.text(max_size=8), min_size=1, max_size=2),
        max_size=4,
    )
)
def test_task_queries_parse_or_raise_meili_errors(query):
    for parse in (parse_listing, parse_filter):
        try:
            parse(query)
        except MeiliError as error:
            assert error.status == 400


@given(st.dictionaries(SETTINGS_KEYS, JSON, max_size=4))
def test_settings_payloads_validate_or_raise_meili_errors(body):
    try:
        update = parse_update(body)
    except MeiliError as error:
        assert error.code.startswith("invalid_settings_") or error.code in (
            "bad_request",
            "feature_not_enabled",
            "not_implemented",
        )
    else:
        merged = apply(default_settings(), update)
        assert list(merged) == list(default_settings())


@given(st.binary(max_size=60), st.sampled_from(["json", "ndjson", "csv"]))
def test_document_payloads_parse_to_objects_or_are_refused(body, fmt):
    try:
        documents = parse_documents(body, fmt)
    except MeiliError as error:
        assert error.code in ("malformed_payload", "missing_payload")
    else:
        assert all(isinstance(document, dict) for document in documents)


def test_did_you_mean_follows_the_typo_budget():
    accepted = ["filter", "sort", "attributesToHighlight"]
    assert did_you_mean("filler", accepted) == "did you mean `filter`? "
    assert did_you_mean("sart", accepted) == "did you mean `sort`? "
    assert did_you_mean("a", accepted) == ""
    assert did_you_mean("query", accepted) == ""


def test_values_are_described_like_deserr():
    assert describe("doggo") == 'a string: `"doggo"`'
    assert describe(None) == "null"
    assert describe(-42) == "a negative integer: `-42`"
    assert describe({"name": "products"}) == 'an object: `{"name":"products"}`'
    assert expected_text(["integer", "boolean", "null"]) == "null, a boolean, or a positive integer"
