"""phase20: faceting, Meilisearch settings and search options, and the faceted-search guide."""

from __future__ import annotations

from pathlib import Path

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep, Step

ROOT = Path(__file__).resolve().parents[2]

FACETING_TESTS = (
    "tests/test_search.py",
    "tests/test_search_boundary.py",
    "tests/testing/meilisearch/search/test_search_facets.py",
    "tests/testing/meilisearch/search/test_search_facet_search.py",
)
SETTINGS_TESTS = (
    "tests/test_index_settings.py",
    "tests/meilisearch/test_settings_wire.py",
    "tests/meilisearch/test_settings_contract.py",
    "tests/cli/test_settings_cli.py",
)
GUIDE_CONTRACT_TESTS = ("tests/docs/test_faceted_guide_contract.py",)
EXAMPLE = "examples/catalog"
EXAMPLE_TESTS = ("examples/catalog/tests",)

GUIDE_CONTRACT = PytestStep(
    "pytest: the faceted-search guide's docs contract", GUIDE_CONTRACT_TESTS
)


def _example_step(root: Path = ROOT) -> tuple[Step, ...]:
    """The example application's tests, under its own pytest configuration, once it exists."""
    if not all((root / target).is_dir() for target in EXAMPLE_TESTS):
        return ()
    own_config = ("-c", f"{EXAMPLE}/pyproject.toml", "--rootdir", EXAMPLE)
    return (PytestStep("pytest: the example app's tests", EXAMPLE_TESTS, extra_args=own_config),)


PHASE = Phase(
    "phase20",
    "faceting, Meilisearch settings (contract, diff, hot-apply), search options, the"
    " faceted-search guide's docs contract and the example app's tests (when the example"
    " exists), then the strict docs build",
    (
        PytestStep("pytest: faceting and search options", FACETING_TESTS),
        PytestStep("pytest: Meilisearch settings: contract, diff, hot-apply", SETTINGS_TESTS),
        GUIDE_CONTRACT,
        *_example_step(),
        DocsStep(),
    ),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [PHASE]
