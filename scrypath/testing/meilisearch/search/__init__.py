"""The fake Meilisearch's search engine: pure Python, no HTTP.

`DocumentStore` keeps an index's documents with word and value indexes;
`search`, `facet_search` and `multi_search` answer the search routes with
Meilisearch's response shapes and error codes; `params_from_query_string` turns a
`GET` search query string into the equivalent body.
"""

from __future__ import annotations

from .engine import facet_search, search
from .federation import multi_search
from .querystring import params_from_query_string
from .store import DocumentStore

__all__ = ["DocumentStore", "facet_search", "multi_search", "params_from_query_string", "search"]
