"""The lazy bucket sort answers exactly as ranking every candidate by every rule would.

The eager path (`search(..., eager=True)`) is the oracle: random corpora, queries,
settings, sorts, pages, distinct attributes and filters must give identical responses.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scrypath.testing.meilisearch.errors import MeiliError
from scrypath.testing.meilisearch.search import DocumentStore, search
from scrypath.testing.meilisearch.settings import default_settings

VOCABULARY = ["prince", "princes", "prance", "little", "star", "stars", "rose", "fox", "the", "a"]
RULES = ["words", "typo", "proximity", "attributeRank", "sort", "wordPosition", "exactness"]

texts = st.lists(st.sampled_from(VOCABULARY), max_size=6).map(" ".join)
documents = st.lists(
    st.fixed_dictionaries(
        {
            "title": texts,
            "body": texts,
            "tags": st.lists(st.sampled_from(["a", "b", "c"]), max_size=2),
            "n": st.one_of(st.none(), st.integers(0, 4), st.sampled_from(["x", "y"])),
            "meta": st.fixed_dictionaries({"note": texts}),
        }
    ),
    min_size=1,
    max_size=25,
)
words = st.sampled_from([*VOCABULARY, "prinse", "litle", "pri", "sta", "zzz"])
query = st.lists(
    st.one_of(
        words,
        words.map(lambda w: f"-{w}"),
        st.lists(words, min_size=1, max_size=2).map(lambda ws: '"' + " ".join(ws) + '"'),
    ),
    max_size=4,
).map(" ".join)
index_settings = st.fixed_dictionaries(
    {
        "searchableAttributes": st.one_of(
            st.just(["*"]), st.permutations(["title", "body", "meta", "tags", "n"])
        ),
        "rankingRules": st.one_of(
            st.just(RULES),
            st.permutations([*RULES, "attribute", "n:desc"]).map(lambda rules: rules[:5]),
        ),
        "proximityPrecision": st.sampled_from(["byWord", "byAttribute"]),
        "synonyms": st.sampled_from([{}, {"fox": ["little star"], "rose": ["stars"]}]),
    }
)
request = st.fixed_dictionaries(
    {"q": query},
    optional={
        "matchingStrategy": st.sampled_from(["last", "all", "frequency"]),
        "sort": st.sampled_from([["n:asc"], ["n:desc"], ["n:desc", "tags:asc"]]),
        "offset": st.integers(0, 30),
        "limit": st.integers(0, 30),
        "distinct": st.sampled_from(["tags", "n"]),
        "filter": st.sampled_from(["n >= 1", "tags = a", "n EXISTS", "NOT tags = b"]),
        "facets": st.just(["tags", "n"]),
        "rankingScoreThreshold": st.sampled_from([0.0, 0.3, 0.8]),
    },
)
pages = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"page": st.integers(0, 3), "hitsPerPage": st.integers(0, 7)}),
)


def run(
    docs: list[dict[str, Any]], changes: dict[str, Any], body: dict[str, Any], eager: bool
) -> Any:
    current = default_settings() | changes
    current |= {"filterableAttributes": ["tags", "n"], "sortableAttributes": ["n", "tags"]}
    store = DocumentStore("id")
    store.reconfigure(current)
    store.upsert([{"id": i, **doc} for i, doc in enumerate(docs)], merge=False)
    try:
        response = search(store, current, dict(body), index_uid="books", eager=eager)
    except MeiliError as error:
        return error.code, error.message
    response.pop("processingTimeMs")
    return response


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, index_settings, request, pages)
def test_lazy_ranking_answers_like_full_ranking(
    docs: list[dict[str, Any]], changes: dict[str, Any], body: dict[str, Any], page: dict[str, Any]
) -> None:
    body = body | {"showRankingScore": True, "showRankingScoreDetails": True}
    if page:
        body = {k: v for k, v in body.items() if k not in ("offset", "limit")} | page
    lazy = run(docs, changes, body, eager=False)
    event("refused" if isinstance(lazy, tuple) else f"hits: {min(len(lazy['hits']), 3)}+")
    assert lazy == run(docs, changes, body, eager=True)


def test_the_oracle_is_a_different_path_with_the_same_answer() -> None:
    docs = [{"title": "little prince"}, {"title": "prince"}, {"title": "the prince of stars"}]
    lazy = run(docs, {}, {"q": "prince"}, eager=False)
    assert [hit["id"] for hit in lazy["hits"]] == [1, 0, 2]
    assert lazy == run(docs, {}, {"q": "prince"}, eager=True)
