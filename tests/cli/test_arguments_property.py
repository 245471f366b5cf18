"""Whatever the arguments, the `scrypath` CLI never exits 2 (2 means drift), and raises only
with `--debug`, which asks for the traceback of a scrypath error."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scrypath.cli import main
from scrypath.errors import ScrypathError

WORDS = st.sampled_from(["--help", "--version", "-V", "--debug", "--nope", "status", "-h", ""])
ARGV = st.lists(st.one_of(WORDS, st.text(max_size=10)), max_size=4).filter(
    lambda argv: "demo" not in argv and "worker" not in argv
)


@settings(max_examples=150, deadline=None)
@given(argv=ARGV)
def test_any_arguments_exit_0_or_1(argv: list[str]) -> None:
    try:
        assert main(argv) in (0, 1)
    except ScrypathError:
        assert "--debug" in argv
