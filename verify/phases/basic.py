"""The whole-suite phases: `tests`, `docs` and `all`."""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.steps import DocsStep, PytestStep

WHOLE_SUITE = PytestStep("pytest: the whole suite", ("tests",))
DOCS_BUILD = DocsStep()


@hookimpl
def verify_phases() -> list[Phase]:
    return [
        Phase("tests", "The whole pytest suite.", (WHOLE_SUITE,)),
        Phase("docs", "The strict documentation build.", (DOCS_BUILD,)),
        Phase(
            "all", "The whole pytest suite, then the strict docs build.", (WHOLE_SUITE, DOCS_BUILD)
        ),
    ]
