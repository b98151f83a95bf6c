"""A seeded emulator served on loopback in its own process, for the throttle end-to-end tests.

A vendor's server does not share the client's interpreter: run in one process, the server's
JSON encoding and the client's decoding take turns on one GIL and the server's arrival times
pick up scheduling delays no network has. So the throttle tests start this script instead:

    python -m tests.e2e._served_process --seed 21 --members 500 --workspaces 1 --jitter-ms 20

It seeds Clockify workspaces (the second and later ones owned by the first one's owner, so
one API key reaches them all), serves them, prints one JSON line
``{"clockify_url", "api_key", "workspaces": {id: [member ids]}}``, and waits for stdin to
close; then it prints a second line with the server's own view and exits: ``arrivals``
(accepted PUT arrival times per workspace), ``throttled_at`` (the position of each 429 in
the run and its arrival time since the first request), ``by_status``, ``rate_limited`` and
``cost_rates`` (workspace id -> user id -> current amount).
"""

from __future__ import annotations

import argparse
import json
import sys

from timeclients.testing import Emulator, FaultPlan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--workspaces", type=int, default=1)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    args = parser.parse_args()
    emulator = Emulator(
        seed=args.seed, faults=FaultPlan(seed=args.seed, latency=(0.0, args.jitter_ms / 1000))
    )
    first = emulator.seed_clockify_workspace(members=args.members)
    workspaces = {first.workspace_id: list(first.member_ids)}
    state = emulator.clockify
    for n in range(1, args.workspaces):
        workspace_id = state.create_workspace(owner_id=first.owner_id, name=f"Office {n}")
        members = []
        for i in range(args.members):
            user_id = state.add_user(f"office{n}.member{i}@example.com", f"Member {n}.{i}")
            state.add_member(workspace_id, user_id)
            members.append(user_id)
        workspaces[workspace_id] = members
    with emulator.serve() as served:
        print(
            json.dumps(
                {
                    "clockify_url": served.clockify_url,
                    "api_key": first.api_key,
                    "workspaces": workspaces,
                }
            ),
            flush=True,
        )
        sys.stdin.read()  # the test closes stdin when its client is done
    with emulator.lock:
        cost_rates = {
            workspace_id: {u: state.current_rate(workspace_id, u, "cost") for u in members}
            for workspace_id, members in workspaces.items()
        }
        # Arrival times of the accepted rate updates, per workspace: the rate the server saw.
        arrivals = {
            workspace_id: [
                record.arrived
                for record in emulator.history
                if record.status == 200 and record.method == "PUT" and workspace_id in record.path
            ]
            for workspace_id in workspaces
        }
        history = list(emulator.history)
        throttled_at = [
            (i, round(r.arrived - history[0].arrived, 3))
            for i, r in enumerate(history)
            if r.status == 429
        ]
        report = {
            "arrivals": arrivals,
            "throttled_at": throttled_at,
            "by_status": {str(k): v for k, v in emulator.stats.by_status.items()},
            "rate_limited": emulator.stats.rate_limited,
            "cost_rates": cost_rates,
        }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
