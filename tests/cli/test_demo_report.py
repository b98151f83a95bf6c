"""The demo measures honestly: no rate against a per-second limit from less than one window,
and a summary that says what the 429s were."""

from __future__ import annotations

import io
import re

from rich.console import Console

from timeclients.cli import _demo


def rendered(options: _demo.DemoOptions) -> str:
    """The demo's whole output, as a log would hold it."""
    out = io.StringIO()
    assert _demo.main(options, Console(file=out, force_terminal=False, width=400)) == 0
    return re.sub(r"\s+", " ", out.getvalue())


def test_a_run_shorter_than_a_window_reports_no_share_of_the_limit() -> None:
    """Three updates take less than one 1 s window: no "% of the limit", a plain statement."""
    text = rendered(_demo.DemoOptions(members=3, clocked_in=2, jitter_ms=0.0, seed=1))
    assert "3 updates in" in text
    assert "too short to measure a rate against it" in text
    assert "of the limit" not in text
    assert "% of the" not in text
    assert "429s: 0 seen by the clients; 0 from the emulator's own rate limit" in text


def test_injected_429s_are_told_apart_from_the_limit() -> None:
    """Injected 429s are reported as the fault plan's, not as the limiter failing."""
    options = _demo.DemoOptions(members=60, clocked_in=2, jitter_ms=0.0, fault_429=0.1, seed=2)
    text = rendered(options)
    assert re.search(r"\d+ injected by the fault plan \(not the limiter's doing; retried\)", text)
    assert "0 from the emulator's own rate limit" in text
