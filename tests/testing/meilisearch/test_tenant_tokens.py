"""Tenant tokens in the fake, made with the official client's `generate_tenant_token`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import meilisearch
import pytest
from meilisearch.errors import MeilisearchApiError

from scrypath.testing.meilisearch import FakeMeilisearch
from tests.testing.meilisearch.conftest import Raw

SOON = timedelta(hours=1)
DOCS = [
    {"id": 1, "tenant": "acme", "title": "tea"},
    {"id": 2, "tenant": "acme", "title": "coffee"},
    {"id": 3, "tenant": "globex", "title": "tea"},
]
Token = Callable[..., str]


@pytest.fixture
def books(client: meilisearch.Client, fake: FakeMeilisearch) -> meilisearch.Client:
    for uid in ("books", "films"):
        client.create_index(uid, {"primaryKey": "id"})
        client.index(uid).update_filterable_attributes(["tenant", "title"])
        client.index(uid).add_documents(DOCS)
    fake.wait_idle()
    return client


def make_key(client: meilisearch.Client, actions: list[str], indexes: list[str]) -> Any:
    return client.create_key({"actions": actions, "indexes": indexes, "expiresAt": None})


def token_for(client: meilisearch.Client, key: Any, rules: Any, **kwargs: Any) -> str:
    expires = kwargs.pop("expires_at", datetime.now(UTC) + SOON)
    return client.generate_tenant_token(
        key.uid, rules, api_key=key.key, expires_at=expires, **kwargs
    )


def ids(result: dict[str, Any]) -> list[int]:
    return sorted(hit["id"] for hit in result["hits"])


def refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(MeilisearchApiError) as caught:
        call()
    assert caught.value.code == "invalid_api_key"
    assert caught.value.status_code == 403
    # The client appends a hint about versions to some messages; the server's text comes first.
    return str(caught.value.message).split(". Hint:")[0]


def test_the_rule_filter_is_anded_with_the_searchers_filter(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["*"])
    token = token_for(books, key, {"books": {"filter": "tenant = acme"}})
    index = meilisearch.Client(fake.url, token).index("books")
    assert ids(index.search("")) == [1, 2]
    assert ids(index.search("", {"filter": "tenant = globex OR tenant = acme"})) == [1, 2]
    assert ids(index.search("", {"filter": [["tenant = globex", "title = tea"]]})) == [1]
    assert ids(index.search("", {"filter": "tenant = globex"})) == []
    facets = index.facet_search("title", "", {"filter": "tenant = globex OR title = tea"})
    assert {hit["value"]: hit["count"] for hit in facets["facetHits"]} == {"tea": 1}


def test_multi_search_applies_the_rules_of_each_index(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["*"])
    token = token_for(books, key, {"books": {"filter": "tenant = globex"}, "films": None})
    searcher = meilisearch.Client(fake.url, token)
    results = searcher.multi_search(
        [
            {"indexUid": "books", "q": "", "filter": "tenant = acme OR title = tea"},
            {"indexUid": "films"},
        ]
    )["results"]
    assert [ids(result) for result in results] == [[3], [1, 2, 3]]
    federated = searcher.multi_search([{"indexUid": "books"}], federation={})
    assert ids(federated) == [3]


def test_a_list_of_indexes_restricts_without_filtering(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["*"])
    searcher = meilisearch.Client(fake.url, token_for(books, key, ["books"]))
    assert ids(searcher.index("books").search("")) == [1, 2, 3]
    message = refusal(lambda: searcher.index("films").search(""))
    assert message == (
        'The provided tenant token cannot acces the index `films`, allowed indexes are ["books"].'
    )


def test_the_narrowest_pattern_gives_the_filter(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["*"])
    rules = {"*": {"filter": "tenant = acme"}, "boo*": {"filter": "tenant = globex"}}
    searcher = meilisearch.Client(fake.url, token_for(books, key, rules))
    assert ids(searcher.index("books").search("")) == [3]
    assert ids(searcher.index("films").search("")) == [1, 2]


def test_a_token_only_searches(books: meilisearch.Client, fake: FakeMeilisearch) -> None:
    key = make_key(books, ["*"], ["*"])
    searcher = meilisearch.Client(fake.url, token_for(books, key, ["*"]))
    assert refusal(lambda: searcher.index("books").get_documents()).startswith(
        "The provided API key is invalid."
    )


def test_a_bad_signature_is_refused(books: meilisearch.Client, fake: FakeMeilisearch) -> None:
    key = make_key(books, ["search"], ["*"])
    other = make_key(books, ["search"], ["*"])
    forged = books.generate_tenant_token(
        key.uid, ["*"], api_key=other.key, expires_at=datetime.now(UTC) + SOON
    )
    message = refusal(lambda: meilisearch.Client(fake.url, forged).index("books").search(""))
    assert message == "Could not decode tenant token, InvalidSignature."


def test_an_expired_token_is_refused(books: meilisearch.Client, raw: Raw) -> None:
    key = make_key(books, ["search"], ["*"])
    token = sign({"searchRules": ["*"], "apiKeyUid": key.uid, "exp": 1_000}, key.key)
    response = raw("POST", "/indexes/books/search", json_body={}, key=token)
    assert (response.status, response.code) == (403, "invalid_api_key")
    assert response.body["message"].startswith(
        "Tenant token expired. Was valid up to `1000` and we're now `"
    )


def test_a_deleted_parent_key_voids_its_tokens(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["*"])
    searcher = meilisearch.Client(fake.url, token_for(books, key, ["*"]))
    assert ids(searcher.index("books").search("")) == [1, 2, 3]
    books.delete_key(key.uid)
    message = refusal(lambda: searcher.index("books").search(""))
    assert message == "The provided API key is invalid."


def test_a_parent_key_without_search_rights_signs_useless_tokens(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["documents.get"], ["*"])
    searcher = meilisearch.Client(fake.url, token_for(books, key, ["*"]))
    assert refusal(lambda: searcher.index("books").search("")) == (
        "The provided API key is invalid."
    )


def test_rules_broader_than_the_key_stop_at_the_keys_indexes(
    books: meilisearch.Client, fake: FakeMeilisearch
) -> None:
    key = make_key(books, ["search"], ["books"])
    searcher = meilisearch.Client(fake.url, token_for(books, key, ["*"]))
    assert ids(searcher.index("books").search("")) == [1, 2, 3]
    assert refusal(lambda: searcher.index("films").search("")) == (
        "The API key used to generate this tenant token cannot acces the index `films`."
    )
    multi = refusal(lambda: searcher.multi_search([{"indexUid": "films"}]))
    assert multi == "Inside `.queries[0]`: The provided API key is invalid."


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_accepted(
    books: meilisearch.Client, raw: Raw, algorithm: str
) -> None:
    key = make_key(books, ["search"], ["*"])
    rules = {"books": {"filter": "tenant = globex"}}
    token = sign({"searchRules": rules, "apiKeyUid": key.uid}, key.key, algorithm)
    response = raw("POST", "/indexes/books/search", json_body={}, key=token)
    assert response.status == 200 and ids(response.body) == [3]


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"searchRules": ["*"]}, "Could not decode tenant token, JSON error: missing field"),
        ({"apiKeyUid": "00000000-0000-4000-8000-000000000000"}, "Could not decode tenant token"),
        ({"searchRules": ["bad name"], "apiKeyUid": "x"}, "Could not decode tenant token"),
    ],
)
def test_malformed_claims_are_refused(raw: Raw, claims: Any, message: str) -> None:
    token = sign(claims, "secret")
    response = raw("POST", "/indexes/books/search", json_body={}, key=token)
    assert response.code == "invalid_api_key"
    assert response.body["message"].startswith(message)


def test_a_token_signed_with_the_none_algorithm_is_refused(raw: Raw) -> None:
    claims = {"searchRules": ["*"], "apiKeyUid": "00000000-0000-4000-8000-000000000000"}
    header = part({"alg": "none", "typ": "JWT"})
    response = raw("POST", "/indexes/books/search", json_body={}, key=f"{header}.{part(claims)}.")
    assert response.code == "invalid_api_key"
    assert response.body["message"].startswith("Could not decode tenant token")


def part(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def sign(claims: Any, secret: str, algorithm: str = "HS256") -> str:
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
    signed = f"{part({'alg': algorithm, 'typ': 'JWT'})}.{part(claims)}"
    mac = hmac.new(secret.encode(), signed.encode(), digest[algorithm]).digest()
    return f"{signed}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
