"""The console script finds the application's modules from the working directory, as
`python -m` would, so `--import myapp.models` works from the project's root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import scrypath


class Base(DeclarativeBase):
    pass


@scrypath.searchable(fields=["name"])
class Lamp(Base):
    __tablename__ = "lamps"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
"""


def run_script(
    cwd: Path, *args: str, api_key: str | None = None
) -> subprocess.CompletedProcess[str]:
    script = shutil.which("scrypath") or f"{sys.prefix}/bin/scrypath"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if api_key:
        env["SCRYPATH_MEILISEARCH_API_KEY"] = api_key
    return subprocess.run(
        [script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_model_in_the_working_directory_is_found(
    tmp_path: Path, meilisearch: Any, meilisearch_index_prefix: str
) -> None:
    (tmp_path / "shopmodels.py").write_text(MODELS, encoding="utf-8")
    result = run_script(
        tmp_path,
        "status",
        "shopmodels:Lamp",
        "--json",
        "--meilisearch-url",
        meilisearch.url,
        "--index-prefix",
        meilisearch_index_prefix,
        api_key=meilisearch.api_key,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["index"] == f"{meilisearch_index_prefix}lamps"


def test_a_module_that_exists_nowhere_is_still_a_clear_error(tmp_path: Path) -> None:
    result = run_script(tmp_path, "status", "--import", "nowhere_models")
    assert result.returncode == 1
    assert "--import nowhere_models: the module could not be imported" in result.stderr
