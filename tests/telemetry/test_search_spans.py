"""Searches: the search span, its hydration span, and the latency histogram."""

from __future__ import annotations

import pytest
from opentelemetry.trace import StatusCode

import scrypath
from scrypath.config import Config, configure
from scrypath.errors import SearchOptionError
from scrypath.sync import sync_records
from tests.conftest import Models
from tests.telemetry.conftest import Telemetry


@pytest.fixture
def indexed(models: Models, scrypath_config: Config) -> Models:
    with models.session() as session:
        posts = [models.Post(id=n, title=f"green tea {n}") for n in range(1, 4)]
        session.add_all(posts)
        session.commit()
    sync_records(posts)
    return models


def test_a_hydrated_search_is_a_span_with_its_hydration_inside(
    indexed: Models, telemetry: Telemetry
) -> None:
    with indexed.session() as session:
        result = scrypath.search(indexed.Post, "green", session=session)
    assert len(result.records or ()) == 3
    search = telemetry.span("scrypath.search")
    assert dict(search.attributes or {}) == {
        "scrypath.model": "Post",
        "scrypath.index": result.index,
        "scrypath.operation": "search",
        "scrypath.hit_count": 3,
        "scrypath.hydrated": True,
        "scrypath.outcome": "ok",
    }
    hydrate = telemetry.span("scrypath.hydrate")
    assert hydrate.parent is not None and hydrate.parent.span_id == search.context.span_id
    assert dict(hydrate.attributes or {}) == {
        "scrypath.model": "Post",
        "scrypath.hit_count": 3,
        "scrypath.missing_count": 0,
        "scrypath.outcome": "ok",
    }
    (point,) = telemetry.points("scrypath.search.duration")
    assert point.unit == "s"
    assert point.attributes == {
        "scrypath.model": "Post",
        "scrypath.operation": "search",
        "scrypath.hydrated": True,
        "scrypath.outcome": "ok",
    }
    count, total = point.value
    assert count == 1 and total > 0


def test_a_search_without_a_session_is_not_hydrated(indexed: Models, telemetry: Telemetry) -> None:
    scrypath.search(indexed.Post, "green")
    assert telemetry.spans("scrypath.hydrate") == []
    (point,) = telemetry.points("scrypath.search.duration")
    assert point.attributes["scrypath.hydrated"] is False


def test_an_invalid_option_is_a_validation_failure_with_no_request(
    indexed: Models, telemetry: Telemetry
) -> None:
    with pytest.raises(SearchOptionError):
        scrypath.search(indexed.Post, "green", sort="body:asc")
    span = telemetry.span("scrypath.search")
    assert span.attributes is not None
    assert span.attributes["scrypath.reason"] == "invalid_search_option"
    assert span.attributes["scrypath.reason_class"] == "validation"
    assert span.status.status_code == StatusCode.ERROR
    (point,) = telemetry.points("scrypath.search.duration")
    assert point.attributes["scrypath.outcome"] == "failed"
    assert point.attributes["scrypath.reason_class"] == "validation"


def test_facet_search_and_federated_search_are_measured_by_operation(
    indexed: Models, telemetry: Telemetry
) -> None:
    configure(session_factory=indexed.database.sessions)
    scrypath.search_facet_values(indexed.Post, "status")
    result = scrypath.search_many([indexed.Post, indexed.Author], text="green")
    assert len(result.records or ()) == 3
    facet = telemetry.span("scrypath.search")
    assert facet.attributes is not None
    assert facet.attributes["scrypath.operation"] == "facet_search"
    many = telemetry.span("scrypath.search_many")
    assert dict(many.attributes or {}) == {
        "scrypath.operation": "search_many",
        "scrypath.entry_count": 2,
        "scrypath.hit_count": 3,
        "scrypath.hydrated": True,
        "scrypath.outcome": "ok",
    }
    (hydrate,) = telemetry.spans("scrypath.hydrate")
    assert hydrate.parent is not None and hydrate.parent.span_id == many.context.span_id
    operations = {
        p.attributes["scrypath.operation"] for p in telemetry.points("scrypath.search.duration")
    }
    assert {"facet_search", "search_many"} <= operations
