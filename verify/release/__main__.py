"""`python -m verify.release CHECK`: run one release check; exit 0 with an OK line, else 1."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from verify.release.agreement import check_agreement
from verify.release.dist_checks import check_dists
from verify.release.metadata import check_metadata
from verify.release.problems import Problems
from verify.release.project import Project
from verify.release.smoke import check_smoke
from verify.release.workflows import check_workflows

CHECKS: dict[str, tuple[Callable[[Project], Problems], str]] = {
    "metadata": (check_metadata, "package metadata is complete and the version has one source"),
    "agreement": (check_agreement, "version, changelog and release workflow agree"),
    "workflows": (check_workflows, "ci.yml and release.yml are wired as documented (not run)"),
    "smoke": (check_smoke, "the built wheel installs and works in a fresh virtualenv"),
    "dist": (check_dists, "twine, check-wheel-contents and the unpacked contents are clean"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] not in CHECKS:
        names = ", ".join(CHECKS)
        print(f"usage: python -m verify.release CHECK (one of: {names})", file=sys.stderr)
        return 1
    check, ok_line = CHECKS[args[0]]
    return check(Project()).report(ok_line)


if __name__ == "__main__":
    sys.exit(main())
