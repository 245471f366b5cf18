"""The aggregates: `premerge` (phases 14, 20, 26 and 28) and `release` (phase 11).

An aggregate has no steps of its own. The runner receives its member phases, so the
report shows every step under the member phase it belongs to.
"""

from __future__ import annotations

from verify.hookspecs import hookimpl
from verify.model import Phase

PREMERGE = Phase(
    "premerge",
    "phases 14, 20, 26 and 28, in that order",
    members=("phase14", "phase20", "phase26", "phase28"),
)
RELEASE = Phase("release", "phase11, the release path", members=("phase11",))


@hookimpl
def verify_phases() -> list[Phase]:
    return [PREMERGE, RELEASE]
