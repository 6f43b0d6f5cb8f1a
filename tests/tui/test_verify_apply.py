"""Review's "Verify on this host" (issue #16) and "Apply to DOMAIN" (issue #14).

Verify runs :func:`hvtui.verify.run_verify` in a thread worker; here a stand-in returns
a recorded result at once (the real boot is tested in ``tests/verify``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from verify.support import demo_hyperv, demo_leaves

from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.verify import VerifyDialog
from hvtui.tui.state import STEP_REVIEW
from hvtui.verify import HostKvm, VerifyResult, VmSpec, decode
from hvtui.verify.compare import compare

from .support import DEMO
from .test_wizard import SIZE, go_to, notices, press_button

AppFactory = Callable[..., HvtuiApp]


def recorded(spec: VmSpec) -> VerifyResult:
    """What a guest on the demo host reads for ``spec``: KVM's recorded hv-passthrough
    answer (so whatever is asked beyond it is missing)."""
    guest = decode(demo_leaves(DEMO))
    kvm = HostKvm(True, tuple(demo_hyperv(DEMO)))
    return VerifyResult(spec, (), kvm, guest, compare(spec.asked, guest, kvm, None))


async def test_verify_runs_in_a_worker_and_shows_the_result(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def stand_in(
        spec: VmSpec,
        *,
        progress: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        **_: object,
    ) -> VerifyResult:
        calls.append(threading.current_thread().name)
        assert progress is not None and cancel is not None
        progress("booting the probe")
        return recorded(spec)

    monkeypatch.setattr("hvtui.verify.run_verify", stand_in)
    app = make_app(preset=Preset("vm", Config.of(relaxed=True, vapic=True)))
    app.sysroot = None  # the live host (detection stays the demo's: nothing varies)
    app.demo = None
    async with app.run_test(size=SIZE) as pilot:
        app.wizard.sysroot = None
        app.wizard.demo = None
        await go_to(pilot, STEP_REVIEW)
        await press_button(pilot, "#verify")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, VerifyDialog) and not app.screen.running:
                break
        dialog = app.screen
        assert isinstance(dialog, VerifyDialog)
        assert not dialog.running, dialog.lines
        assert calls and calls[0] != threading.main_thread().name
        assert dialog.lines == ["booting the probe"]
        shown = str(dialog.query_one("#verify-result").render())
        title = str(dialog.query_one("#verify-title").render())
        assert "Verified" in title, shown
        assert "relaxed" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, VerifyDialog)


async def test_verify_is_not_offered_for_the_demo_host(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, STEP_REVIEW)
        await press_button(pilot, "#verify")
        assert not isinstance(app.screen, VerifyDialog)
        assert "not available" in notices(app)
        assert DEMO in notices(app)
