"""Where the example scripts write their files: a folder given by ``--out`` or a temp dir."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def output_dir(description: str) -> Path:
    """Parse ``--out DIR`` (created if missing); without it, a fresh temporary folder."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=None, help="folder for the output files")
    args = parser.parse_args()
    out = args.out if args.out is not None else Path(tempfile.mkdtemp(prefix="cx-example-"))
    out.mkdir(parents=True, exist_ok=True)
    return Path(out)
