"""The report's output folder: checked before any work, created once the data are valid."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cx_economics.core.exceptions import CxDataError


def _nearest_existing(folder: Path) -> Path:
    """The folder itself or its closest ancestor that exists (a file or a folder)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()  # pragma: no cover - a relative path always has "." above it


def check_out_dir(out_dir: object, *, name: str = "out_dir") -> Path:
    """Check that the report can be written into ``out_dir``, without creating it.

    The folder may exist (files of the report's names are replaced) or not (it is
    created, with its parents). The check writes and removes a probe folder in the
    nearest existing folder, so it gives the true cause on every system, also when
    run as an administrator.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Where the report goes.
    name : str, default "out_dir"
        The argument's name in messages (the command line passes ``"--out"``).

    Returns
    -------
    pathlib.Path
        ``out_dir`` as a path.

    Raises
    ------
    CxDataError
        ``out_dir`` is not a path, is an existing file, lies under a file, or lies in
        a place that does not accept new files (not writable).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = file.write_text("x")
    >>> check_out_dir(file / "report")  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    cx_economics.core.exceptions.CxDataError: `out_dir` .../notes.txt/report lies under
    .../notes.txt, which is a file, not a folder; choose a folder for the report
    (it is created if missing)
    """
    if not isinstance(out_dir, str | Path) or str(out_dir) == "":
        raise CxDataError(f"`{name}` must be the path of a folder, got {out_dir!r}")
    folder = Path(out_dir)
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        if existing == folder:
            raise CxDataError(
                f"`{name}` {folder} is an existing file, not a folder; choose a folder "
                "for the report (it is created if missing)"
            )
        raise CxDataError(
            f"`{name}` {folder} lies under {existing}, which is a file, not a folder; "
            "choose a folder for the report (it is created if missing)"
        )
    try:
        probe = tempfile.mkdtemp(prefix=".cx-economics-check-", dir=existing)
    except OSError:
        what = "cannot be written to" if existing == folder else "does not accept new folders"
        raise CxDataError(
            f"`{name}` {folder}: {existing} {what} (not writable); choose a folder you can write to"
        ) from None
    shutil.rmtree(probe, ignore_errors=True)
    return folder


def make_out_dir(out_dir: object, *, name: str = "out_dir") -> Path:
    """Check ``out_dir`` (:func:`check_out_dir`) and create it with its parents.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Where the report goes.
    name : str, default "out_dir"
        The argument's name in messages.

    Returns
    -------
    pathlib.Path
        The folder, now existing.

    Raises
    ------
    CxDataError
        As :func:`check_out_dir`, or when the folder cannot be created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> make_out_dir(pathlib.Path(tempfile.mkdtemp()) / "a" / "b").is_dir()
    True
    """
    folder = check_out_dir(out_dir, name=name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxDataError(
            f"`{name}` {folder} cannot be created ({exc.strerror}); choose a folder you "
            "can write to"
        ) from None
    return folder
