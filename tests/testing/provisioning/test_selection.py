"""Provider order, skip reasons, pinning and the honest labelling of who served."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from scrypath.errors import ConfigurationError
from scrypath.testing.provisioning import (
    FORCE_ENV,
    KEY_ENV,
    SERVED_BY_ENV,
    SKIPPED_ENV,
    URL_ENV,
    NoProviderError,
    Provisioned,
    Skip,
    handoff_environment,
    hookimpl,
    provider_manager,
    provision,
)
from scrypath.testing.provisioning import external as external_module
from scrypath.testing.provisioning.containers import ContainerProvider
from scrypath.testing.provisioning.external import ExternalProvider


class StubFake:
    name = "fake"

    @hookimpl(trylast=True)
    def scrypath_provision_meilisearch(
        self, env: Mapping[str, str], skipped: list[Skip]
    ) -> Provisioned | None:
        return Provisioned(
            "fake", "http://127.0.0.1:9", "x" * 20, real=False, skipped=tuple(skipped)
        )


def stub_manager(ping: str | None = "no engine", started: list[str] | None = None) -> object:
    def start(env: Mapping[str, str]) -> tuple[str, str, object]:
        if started is not None:
            started.append("started")
        return "http://127.0.0.1:7700", "k" * 32, lambda: None

    manager = provider_manager(builtins=False, entry_points=False)
    manager.register(ExternalProvider())
    manager.register(ContainerProvider(ping=lambda timeout: ping, start=start))
    manager.register(StubFake())
    return manager


@pytest.fixture(autouse=True)
def no_version_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(external_module, "read_version", lambda url, key: {"pkgVersion": "1.53.0"})


def test_fake_serves_last_with_each_earlier_reason() -> None:
    result = provision({}, stub_manager(ping="no engine"))
    assert result.provider == "fake"
    assert result.real is False
    assert result.skipped == (
        Skip("external", f"{URL_ENV} is not set"),
        Skip("testcontainers", "no engine"),
    )
    assert "not a real one" in result.describe()


def test_external_wins_when_its_url_is_set() -> None:
    started: list[str] = []
    env = {URL_ENV: "http://meili.internal:7700/", KEY_ENV: "secret-key-0123456789"}
    result = provision(env, stub_manager(ping=None, started=started))
    assert result.provider == "external"
    assert result.url == "http://meili.internal:7700"
    assert result.api_key == "secret-key-0123456789"
    assert result.real is True
    assert started == [], "later providers are not asked once one serves"


def test_testcontainers_serves_when_docker_answers() -> None:
    started: list[str] = []
    result = provision({}, stub_manager(ping=None, started=started))
    assert result.provider == "testcontainers"
    assert result.real is True
    assert started == ["started"]
    assert result.skipped == (Skip("external", f"{URL_ENV} is not set"),)


def test_a_standalone_fake_behind_a_url_is_still_reported_as_fake(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        external_module, "read_version", lambda url, key: {"commitSha": "scrypath-fake-1"}
    )
    result = provision({URL_ENV: "http://127.0.0.1:7700"}, stub_manager())
    assert result.provider == "external"
    assert result.real is False


@pytest.mark.parametrize("value", ["localhost:7700", "ftp://x", "http://", "http://h:99999"])
def test_malformed_url_fails_fast_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigurationError, match=URL_ENV) as info:
        provision({URL_ENV: value}, stub_manager())
    assert info.value.reason == "configuration"


def test_pinning_a_provider_skips_the_others_with_a_reason() -> None:
    result = provision({FORCE_ENV: "fake"}, stub_manager(ping=None))
    assert result.provider == "fake"
    assert [s.reason for s in result.skipped] == [
        "not selected (provider pinned to fake)",
        "not selected (provider pinned to fake)",
    ]


def test_pinning_the_fake_wins_over_a_url_in_the_environment() -> None:
    result = provision({FORCE_ENV: "fake", URL_ENV: "http://meili:7700"}, stub_manager())
    assert result.provider == "fake"
    assert result.skipped[0] == Skip("external", "not selected (provider pinned to fake)")


def test_pinning_an_unknown_provider_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match=FORCE_ENV):
        provision({FORCE_ENV: "cloud"}, stub_manager())


def test_no_provider_raises_with_the_whole_reason_chain() -> None:
    manager = provider_manager(builtins=False, entry_points=False)
    manager.register(ExternalProvider())
    manager.register(ContainerProvider(ping=lambda timeout: "no engine"))
    with pytest.raises(NoProviderError) as info:
        provision({}, manager)
    assert "external: " in str(info.value) and "testcontainers: no engine" in str(info.value)


def test_a_container_that_fails_to_start_falls_through_with_its_reason() -> None:
    def broken_start(env: Mapping[str, str]) -> tuple[str, str, object]:
        raise RuntimeError("pull refused")

    manager = provider_manager(builtins=False, entry_points=False)
    manager.register(ExternalProvider())
    manager.register(ContainerProvider(ping=lambda timeout: None, start=broken_start))
    manager.register(StubFake())
    result = provision({}, manager)
    assert result.provider == "fake"
    assert "pull refused" in result.skipped[-1].reason


def test_handoff_of_a_fake_pins_the_child_to_its_own_fake() -> None:
    fake = Provisioned(
        "fake", "http://127.0.0.1:9", "x" * 20, real=False, skipped=(Skip("a", "b"),)
    )
    env = handoff_environment(fake)
    assert env[FORCE_ENV] == "fake"
    assert URL_ENV not in env and KEY_ENV not in env


def test_handoff_of_a_real_server_shares_url_and_key_and_keeps_the_label() -> None:
    real = Provisioned("testcontainers", "http://127.0.0.1:7700", "k" * 32, real=True)
    env = handoff_environment(real)
    assert env[URL_ENV] == "http://127.0.0.1:7700"
    assert env[KEY_ENV] == "k" * 32
    assert env[FORCE_ENV] == "external", "the child must not start a server of its own"
    child = provision(env, stub_manager())
    assert child.provider == "testcontainers"
    assert child.real is True


def test_child_reports_the_parents_skip_reasons() -> None:
    parent = Provisioned(
        "fake", "http://x:1", None, real=False, skipped=(Skip("external", "unset"),)
    )
    child = provision(handoff_environment(parent), stub_manager())
    assert child.provider == "fake"
    assert child.skipped == (Skip("external", "unset"),)
    assert SERVED_BY_ENV in handoff_environment(parent)
    assert SKIPPED_ENV in handoff_environment(parent)


def test_the_api_key_never_shows_in_repr_or_reports() -> None:
    secret = "very-secret-master-key-123"
    served = Provisioned("external", "http://h:7700", secret, real=True)
    assert secret not in repr(served)
    assert secret not in served.describe()
    assert secret not in str(served.to_json())
