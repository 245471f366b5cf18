"""Whatever the arguments, `python -m verify` answers 0 or 1 and never a traceback or 2."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import __main__ as verify_main
from verify.runner import Run

PHASES = ["tests", "docs", "all", "premerge", "release", "phase14"]
WORDS = st.sampled_from([*PHASES, "--list", "--json", "--", "-x", "nope", ""])
ARGV = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=5)


@settings(max_examples=150, deadline=None)
@given(argv=ARGV)
def test_any_arguments_exit_0_or_1(argv: list[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Run, "run_phases", lambda self, phases: None)
        patch.setattr(verify_main, "write_report", lambda run, path: None)
        patch.setattr(verify_main, "print", lambda *args, **kwargs: None, raising=False)
        try:
            code = verify_main.main(argv)
        except SystemExit as exit_:  # argparse's --help
            code = exit_.code if isinstance(exit_.code, int) else 1
    assert code in (0, 1)
