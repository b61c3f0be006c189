"""Write simulated customer bases of 1 M and 10 M customers as multi-file Parquet datasets.

Each dataset is a folder with ``customers/``, ``responses/`` and ``contacts/``
sub-folders of ``part-NNN.parquet`` files, one per chunk of ``--chunk`` customers
(``simulate(chunk, seed=k)`` with customer ids offset by ``k * chunk``), so 10 M
customers never sit in memory at once. Dates are stored as Parquet dates, as a
warehouse export would store them. The 1 M dataset reuses the first chunk of the
10 M one (hard links), so both are generated in one pass.

Usage::

    python benchmarks/make_parquet.py --sizes 1000000 10000000 --out /tmp/cx_economics_bench

Existing complete datasets are kept (``--force`` rewrites them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cx_economics.data.datasets import simulate

TABLES = ("customers", "responses", "contacts")
DEFAULT_ROOT = Path(tempfile.gettempdir()) / "cx_economics_bench"
DEFAULT_CHUNK = 1_000_000


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """Arrow table with timestamps stored as dates (no time of day in the simulation)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    return table


def dataset_dir(root: Path, n_customers: int) -> Path:
    """Folder of the dataset with ``n_customers`` customers, e.g. ``root/10m``."""
    if n_customers % 1_000_000 == 0:
        return root / f"{n_customers // 1_000_000}m"
    return root / f"{n_customers}"


def _manifest(folder: Path) -> dict[str, object] | None:
    path = folder / "manifest.json"
    if not path.exists():
        return None
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def write_chunk(folder: Path, k: int, chunk: int) -> dict[str, int]:
    """Simulate chunk ``k`` (seed ``k``) and write one Parquet file per table; row counts."""
    data = simulate(chunk, seed=k)
    offset = k * chunk
    rows = {}
    for name in TABLES:
        frame = getattr(data, name)
        frame = frame.assign(customer_id=frame["customer_id"] + offset)
        (folder / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(_arrow(frame), folder / name / f"part-{k:03d}.parquet")
        rows[name] = len(frame)
    return rows


def make_dataset(
    root: Path, n_customers: int, *, chunk: int = DEFAULT_CHUNK, force: bool = False
) -> Path:
    """Write (or keep) the dataset of ``n_customers`` under ``root``; returns its folder."""
    if n_customers % chunk:
        raise SystemExit(f"--sizes must be multiples of --chunk ({chunk}); got {n_customers}")
    folder = dataset_dir(root, n_customers)
    done = _manifest(folder)
    if done is not None and not force and done.get("customers") == n_customers:
        return folder
    start = time.perf_counter()
    rows = {name: 0 for name in TABLES}
    for k in range(n_customers // chunk):
        source = dataset_dir(root, chunk)
        reuse = folder != source and _manifest(source) is not None and k == 0 and not force
        if reuse:
            counts = json.loads((source / "manifest.json").read_text())["rows"]
            for name in TABLES:
                (folder / name).mkdir(parents=True, exist_ok=True)
                target = folder / name / "part-000.parquet"
                target.unlink(missing_ok=True)
                os.link(source / name / "part-000.parquet", target)
        else:
            counts = write_chunk(folder, k, chunk)
        for name in TABLES:
            rows[name] += counts[name]
        print(f"  {folder.name}: chunk {k + 1}/{n_customers // chunk} written", flush=True)
    manifest = {
        "customers": n_customers,
        "chunk": chunk,
        "seeds": list(range(n_customers // chunk)),
        "rows": rows,
        "seconds": round(time.perf_counter() - start, 1),
        "source": "cx_economics.data.datasets.simulate(chunk, seed=k), ids offset by k * chunk",
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--out", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--force", action="store_true", help="rewrite existing datasets")
    args = parser.parse_args(argv)
    for n in sorted(args.sizes):
        folder = make_dataset(args.out, n, chunk=min(args.chunk, n), force=args.force)
        info = _manifest(folder)
        print(f"{folder}: {json.dumps(info['rows'] if info else {})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
