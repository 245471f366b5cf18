"""Backend-native search: Meilisearch parameters in, Meilisearch's response out.

`scrypath.meilisearch.search(Post, {"q": "tea", "showRankingScore": True})` is the escape
hatch for anything `scrypath.search` deliberately does not offer. Parameters are not
checked against the declaration; Meilisearch checks them, and its errors come back as
scrypath's typed errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scrypath.config import Config, resolve
from scrypath.declaration import spec_for
from scrypath.errors import EncodingError
from scrypath.meilisearch.boundary import backend_call
from scrypath.meilisearch.client import client_for
from scrypath.projection import DocumentEncoder


def search(
    model_or_index: type[Any] | str, params: Mapping[str, Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Search a model's index (or an index uid) with raw Meilisearch parameters."""
    config = resolve(**overrides)
    if isinstance(model_or_index, str):
        index, context = model_or_index, {}
    else:
        spec = spec_for(model_or_index)
        index = spec.index_name(config.index_prefix)
        context = {"model": spec.model_name}
    body = dict(params or {})
    return post(config, f"indexes/{index}/search", body, index=index, operation="search", **context)


def post(config: Config, path: str, body: Mapping[str, Any], **context: Any) -> dict[str, Any]:
    """POST a JSON body and return the JSON answer, translating every foreign error."""
    client = client_for(config)
    try:
        with backend_call(**context):
            answer: dict[str, Any] = client.http.post(path, dict(body), serializer=DocumentEncoder)
    except EncodingError as exc:  # a value the one encoder refuses: keep the call's context
        raise EncodingError(exc.message, **{**exc.context, **context}) from exc
    except (ValueError, TypeError) as exc:  # the body itself could not be encoded
        raise EncodingError(
            f"the request body has no JSON form Meilisearch accepts: {exc}", **context
        ) from exc
    return answer
