"""phase26: failed work and its rollups, reconcile, the operator CLI; warnings are errors."""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep

FAILED_WORK_TESTS = (
    "tests/operator/test_failed.py",
    "tests/operator/test_failed_paging.py",
    "tests/operator/test_reasons.py",
    "tests/operator/test_task_log.py",
)
# The reconcile report holds the status and the failed work; its actions are a retry per
# retryable row and at most one repair, which the document audit can recommend.
RECONCILE_TESTS = (
    "tests/operator/test_reconcile.py",
    "tests/operator/test_status.py",
    "tests/operator/test_retry.py",
    "tests/operator/test_audit.py",
    "tests/operator/test_audit_repair.py",
    "tests/operator/test_audit_concurrency.py",
)
OPERATOR_CLI_TESTS = (
    "tests/cli/test_operator_cli.py",
    "tests/cli/test_operator_output.py",
    "tests/cli/test_audit_cli.py",
    "tests/cli/test_redact_cli.py",
    "tests/operator/test_redaction.py",
)
DOCS_CONTRACT_TESTS = (
    "tests/docs/test_docs_contract.py",
    "tests/docs/test_operator_docs_contract.py",
)

DOCS_CONTRACT = PytestStep(
    "pytest: the docs contract (-W error)", DOCS_CONTRACT_TESTS, warnings_as_errors=True
)

PHASE = Phase(
    "phase26",
    "failed-work rows and class rollups, reconcile output and actions, the operator CLI,"
    " the docs contract, all with warnings as errors, then the strict docs build",
    (
        PytestStep(
            "pytest: failed-work rows and reason-class rollups (-W error)",
            FAILED_WORK_TESTS,
            warnings_as_errors=True,
        ),
        PytestStep(
            "pytest: reconcile output and actions (-W error)",
            RECONCILE_TESTS,
            warnings_as_errors=True,
        ),
        PytestStep(
            "pytest: the operator CLI and its redacted output (-W error)",
            OPERATOR_CLI_TESTS,
            warnings_as_errors=True,
        ),
        DOCS_CONTRACT,
        DocsStep(),
    ),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [PHASE]
