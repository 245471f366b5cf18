"""phase14: the `scrypath` CLI command wrappers, the docs contract and package metadata."""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep

# The console script and what every command shares (entry, `--import`, argument handling),
# and the commands no later phase names. The operator, settings and drift commands are
# tested in the phases whose coverage lines name them (26, 20 and 28).
CLI_TESTS = (
    "tests/cli/test_entry.py",
    "tests/cli/test_user_modules.py",
    "tests/cli/test_arguments_property.py",
    "tests/cli/test_demo.py",
    "tests/cli/test_worker.py",
)
DOCS_CONTRACT_TESTS = (
    "tests/docs/test_docs_contract.py",
    "tests/docs/test_docs_examples.py",
)
METADATA_TESTS = ("tests/packaging/test_metadata.py",)

# One pytest process for both contracts: a start-up costs about as much as these tests.
DOCS_CONTRACT = PytestStep(
    "pytest: the docs contract and package metadata", (*DOCS_CONTRACT_TESTS, *METADATA_TESTS)
)

PHASE = Phase(
    "phase14",
    "the thin `scrypath` CLI command wrappers, the docs contract, package metadata,"
    " then the strict docs build",
    (
        PytestStep("pytest: the scrypath CLI command wrappers", CLI_TESTS),
        DOCS_CONTRACT,
        DocsStep(),
    ),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [PHASE]
