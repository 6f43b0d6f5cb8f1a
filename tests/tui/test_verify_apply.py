"""Review's "Verify on this host" (issue #16) and "Apply to DOMAIN" (issue #14).

Verify runs :func:`hvtui.verify.run_verify` in a thread worker; here a stand-in returns
a recorded result at once (the real boot is tested in ``tests/verify``).  The libvirt
tests use the real libvirtd (``qemu:///system``) and throw-away domains; they skip when
it is unreachable (and fail under CI=true).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from lvtools import URI, open_libvirt, throwaway_domain
from textual.widgets import Input, OptionList
from verify.support import demo_hyperv, demo_leaves

from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.messages import ToggleOption
from hvtui.tui.screens.apply import ApplyDialog
from hvtui.tui.screens.verify import VerifyDialog
from hvtui.tui.screens.wizard import DomainLoaded
from hvtui.tui.steps import Step
from hvtui.tui.widgets.start import StartPane
from hvtui.verify import HostKvm, VerifyResult, VmSpec, decode
from hvtui.verify.compare import compare

from .support import DEMO, wait_for
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
        await go_to(pilot, Step.REVIEW)
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
        await go_to(pilot, Step.REVIEW)
        await press_button(pilot, "#verify")
        assert not isinstance(app.screen, VerifyDialog)
        assert "not available" in notices(app)
        assert DEMO in notices(app)


async def test_start_from_a_libvirt_domain_lists_and_reads_it(make_app: AppFactory) -> None:
    conn = open_libvirt()
    with conn, throwaway_domain(conn) as name:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await go_to(pilot, Step.START)
            pane = app.screen.query_one(StartPane)
            pane.query_one("#libvirt-uri", Input).value = URI
            await press_button(pilot, "#list-domains")
            listing = pane.query_one("#domain-list", OptionList)

            def listed() -> bool:
                return any(str(o.prompt) == name for o in listing.options)

            await wait_for(pilot, listed, "the domain list")
            index = next(i for i, o in enumerate(listing.options) if str(o.prompt) == name)
            listing.focus()
            listing.highlighted = index
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.wizard.apply_target is not None, "the domain")
            assert app.wizard.apply_target == (URI, name)
            assert app.wizard.started_from is not None
            assert app.wizard.can_merge  # a whole domain definition, as "domain XML" gives
            assert f"Started from {name}" in notices(app)
            assert app.wizard.preset.config.enabled() == ()  # the domain has no Hyper-V


async def test_apply_to_a_domain_shows_the_diff_and_asks(make_app: AppFactory) -> None:
    conn = open_libvirt()
    with conn, throwaway_domain(conn) as name:
        app = make_app(preset=Preset("vm", Config.of(relaxed=True, vapic=True)))
        async with app.run_test(size=SIZE) as pilot:
            wizard = app.wizard
            imported = services.load_libvirt_domain(URI, name)
            wizard.post_message(DomainLoaded(URI, name, imported, None))
            await wait_for(pilot, lambda: wizard.apply_target is not None, "the domain")
            wizard.load_preset(Preset("vm", Config.of(relaxed=True, vapic=True)))
            # Loading a preset forgets the domain: nothing to apply to.
            assert wizard.apply_target is None
            await pilot.press("ctrl+z")
            await pilot.pause()
            assert wizard.apply_target == (URI, name)
            wizard.post_message(ToggleOption("relaxed", True))
            wizard.post_message(ToggleOption("vapic", True))
            await pilot.pause()
            await go_to(pilot, Step.REVIEW)
            await press_button(pilot, "#apply-domain")
            await wait_for(pilot, lambda: isinstance(app.screen, ApplyDialog), "the dialog")
            dialog = app.screen
            assert isinstance(dialog, ApplyDialog)
            diff = str(dialog.query_one("#apply-diff").render())
            assert "+" in diff and "relaxed" in diff and "vapic" in diff
            assert "relaxed" not in conn.domain(name).xml(inactive=True)
            await pilot.press("c")  # cancel: nothing defined
            await wait_for(pilot, lambda: "Nothing applied" in notices(app), "the answer")
            assert "relaxed" not in conn.domain(name).xml(inactive=True)
            await press_button(pilot, "#apply-domain")
            await wait_for(pilot, lambda: isinstance(app.screen, ApplyDialog), "the dialog")
            await pilot.press("a")

            def applied() -> bool:
                return "Applied to" in notices(app)

            await wait_for(pilot, applied, "the apply")
            assert "libvirt now gives QEMU exactly" in notices(app)
            defined = conn.domain(name).xml(inactive=True)
            assert "<relaxed state='on'/>" in defined and "<vapic state='on'/>" in defined
