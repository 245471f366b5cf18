"""phase11: the release path, from package metadata to the built and unpacked dists."""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase
from verify.release.step import DistWorkspace, ReleaseStep
from verify.steps import DocsStep, PytestStep

TEST_FILES = (
    "tests/packaging/test_metadata.py",
    "tests/packaging/test_release_checks.py",
    "tests/docs/test_release_docs_contract.py",
)

_DISTS = DistWorkspace()

PHASE = Phase(
    "phase11",
    "the release path: package metadata, a clean-consumer smoke, the release docs contract,"
    " the docs build, workflow and version-agreement checks, then build, check and unpack"
    " the sdist and wheel",
    (
        PytestStep("pytest: package metadata, release checks, release docs contract", TEST_FILES),
        ReleaseStep("release: package metadata", "metadata", _DISTS),
        ReleaseStep("release: clean-consumer smoke (built wheel, fresh venv)", "smoke", _DISTS),
        DocsStep(),
        ReleaseStep("release: workflow checks", "workflows", _DISTS),
        ReleaseStep("release: version agreement", "agreement", _DISTS),
        ReleaseStep("release: build, check and unpack the sdist and wheel", "dist", _DISTS),
    ),
)


@hookimpl
def verify_phases() -> list[Phase]:
    return [PHASE]
