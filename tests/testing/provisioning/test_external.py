"""The external provider against a live server: version probe, key check, honest labels."""

from __future__ import annotations

import pytest

from scrypath.errors import ConfigurationError
from scrypath.testing.meilisearch import FakeMeilisearch
from scrypath.testing.provisioning import KEY_ENV, URL_ENV, provider_manager, provision


def test_a_fake_behind_a_url_is_reported_as_not_real() -> None:
    with FakeMeilisearch(master_key="a-master-key-of-32-characters-00") as fake:
        env = {URL_ENV: fake.url, KEY_ENV: "a-master-key-of-32-characters-00"}
        served = provision(env, provider_manager(entry_points=False))
    assert served.provider == "external"
    assert served.real is False
    assert "not a real one" in served.describe()


def test_a_wrong_key_fails_fast_naming_the_key_variable() -> None:
    with FakeMeilisearch(master_key="a-master-key-of-32-characters-00") as fake:
        env = {URL_ENV: fake.url, KEY_ENV: "wrong-key"}
        with pytest.raises(ConfigurationError, match=KEY_ENV) as info:
            provision(env, provider_manager(entry_points=False))
    assert "wrong-key" not in str(info.value)


def test_an_unreachable_url_fails_fast_naming_the_variable() -> None:
    with FakeMeilisearch() as fake:
        url = fake.url
    with pytest.raises(ConfigurationError, match=URL_ENV):
        provision({URL_ENV: url}, provider_manager(entry_points=False))
