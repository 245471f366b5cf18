"""Unpack a wheel or an sdist safely and list what it holds."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath


class UnpackError(Exception):
    """The archive is unreadable or holds a member that would land outside its directory."""


def member_names(archive: Path) -> list[str]:
    """The file paths an archive holds (directories left out), as posix paths."""
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                names = [n for n in wheel.namelist() if not n.endswith("/")]
        else:
            with tarfile.open(archive, "r:gz") as sdist:
                names = [m.name for m in sdist.getmembers() if not m.isdir()]
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise UnpackError(f"{archive.name} cannot be read: {exc}") from None
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts:
            raise UnpackError(f"{archive.name} holds {name!r}, outside its own directory")
    return names


def unpack(archive: Path, into: Path) -> list[str]:
    """Extract `archive` under `into` and return the files that are there now."""
    names = member_names(archive)
    into.mkdir(parents=True, exist_ok=True)
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(into)
        else:
            with tarfile.open(archive, "r:gz") as sdist:
                sdist.extractall(into, filter="data")
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise UnpackError(f"{archive.name} cannot be unpacked: {exc}") from None
    missing = [name for name in names if not (into / name).is_file()]
    if missing:
        raise UnpackError(f"{archive.name}: {len(missing)} member(s) did not unpack")
    return sorted(p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file())
