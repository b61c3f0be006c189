"""The leadership report on the demo base: a multi-page PDF and one PNG per chart.

Runs every analysis (NPS, churn by band, lifetime value, channel economics, targets,
contact drivers) on the 50,000 demo customers and writes the report under ``--out``
(a temp folder if not given); add ``--language fi`` for the Finnish edition. Prints
what each section produced and where the files are.

Run: .venv/bin/python examples/leadership_report.py --out cx-report
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cx_economics as cx


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write the leadership report on the demo.")
    parser.add_argument("--out", type=Path, default=None, help="folder for the report")
    parser.add_argument("--language", choices=["en", "fi"], default="en")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = args.out if args.out is not None else Path(tempfile.mkdtemp(prefix="cx-report-"))
    demo = cx.load_demo()
    assumptions = cx.Assumptions(
        currency="EUR",
        annual_discount_rate=0.08,
        horizon_months=60,
        cost_per_contact={"phone": 6.5, "branch": 9.0, "chat": 3.0, "web": 1.5},
    )
    report = cx.build_report(
        demo.customers,
        demo.responses,
        demo.contacts,
        demo.channel_costs,
        out_dir=out,
        assumptions=assumptions,
        channel_history=demo.channel_history,
        language=args.language,
        seed=0,
    )
    print(report.to_frame().to_string(index=False))
    print(f"\n{report.n_pages} pages written to {report.pdf_path}")
    print(f"{len(report.chart_paths)} charts in {out}")


if __name__ == "__main__":
    main()
