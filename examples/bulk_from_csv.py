"""Bulk cost-rate update from a CSV file (``user_id,amount_cents``), with a progress line.

    python -m examples.bulk_from_csv WORKSPACE_ID rates.csv [--since 2026-01-01T00:00:00Z]

Every row is validated before the first request is sent; every row is accounted for at the
end (updated, or failed with the reason). Exit status 1 if any row failed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime
from pathlib import Path

import anyio

from timeclients import ClockifyClient
from timeclients.clockify import BulkResult


def read_rates(path: Path) -> dict[str, int]:
    """``user_id,amount`` rows (a header row is skipped) as a mapping."""
    rates: dict[str, int] = {}
    with path.open(newline="") as handle:
        for row in csv.reader(handle):
            if not row or row[0].strip().lower() in ("user_id", "userid", "user"):
                continue
            rates[row[0].strip()] = int(row[1])
    return rates


async def update(
    client: ClockifyClient, workspace_id: str, rates: dict[str, int], since: datetime | None
) -> BulkResult:
    """Run the bulk update, printing progress to stderr."""

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    result = await client.users.bulk_set_cost_rate(
        workspace_id, rates, since=since, on_progress=progress
    )
    print(file=sys.stderr)
    return result


async def main_async(args: argparse.Namespace) -> int:
    rates = read_rates(Path(args.csv))
    since = datetime.fromisoformat(args.since.replace("Z", "+00:00")) if args.since else None
    async with ClockifyClient() as client:
        result = await update(client, args.workspace_id, rates, since)
    print(f"updated {len(result.succeeded)} of {len(rates)}")
    for user_id, error in result.failed.items():
        print(f"FAILED {user_id}: {error}")
    return 0 if result.ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description="Bulk cost-rate update from a CSV file.")
    parser.add_argument("workspace_id")
    parser.add_argument("csv")
    parser.add_argument("--since", help="ISO-8601 with a zone, e.g. 2026-01-01T00:00:00Z")
    sys.exit(anyio.run(main_async, parser.parse_args()))


if __name__ == "__main__":
    main()
