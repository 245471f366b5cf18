"""phase28: index contract drift, through the API and the CLI, and the operator docs."""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep

DRIFT_TESTS = (
    "tests/operator/test_contract_drift.py",
    "tests/meilisearch/test_settings_contract.py",
    "tests/cli/test_index_drift_cli.py",
)
OPERATOR_DOCS_CONTRACT_TESTS = (
    "tests/docs/test_operator_docs_contract.py",
    "tests/docs/test_support_pages_contract.py",
)

OPERATOR_DOCS_CONTRACT = PytestStep(
    "pytest: the operator docs contracts (-W error)",
    OPERATOR_DOCS_CONTRACT_TESTS,
    warnings_as_errors=True,
)

PHASE = Phase(
    "phase28",
    "index contract drift (API and `scrypath index contract-drift`), the operator docs"
    " contracts, focused tests with warnings as errors, then the strict docs build",
    (
        PytestStep(
            "pytest: index contract drift, API and CLI (-W error)",
            DRIFT_TESTS,
            warnings_as_errors=True,
        ),
        OPERATOR_DOCS_CONTRACT,
        DocsStep(),
    ),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [PHASE]
