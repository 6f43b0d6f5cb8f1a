"""The wizard's "This host" claim agrees with the findings, on every host (issue #13).

The option pane says whether this host can give the guest an option (✓, ⊘ or ?);
Review lists the findings.  They once disagreed: for passthrough and enforce-cpuid on
a KVM without them the pane said "QEMU sets it without asking KVM" while Review showed
``unsupported-by-host``, and on a KVM without Hyper-V the pane said yes to the options
QEMU drops there.  Here every catalog option is turned on, alone, on every snapshot in
``tests/data/hosts``, every demo host, this machine, and demo hosts changed the two ways
the snapshots do not show (a KVM without the capability-announced options, nested
virtualization off); the pane's line (as :func:`relations_content` draws it) must say
⊘ exactly when a finding says the host cannot give the option.
"""

from __future__ import annotations

import functools

import pytest
from clirun import HOSTS
from textual.widgets import Static

from hvtui import catalog
from hvtui.advice import HOST_REFUSALS
from hvtui.demos import demo_names, find_demo
from hvtui.detect.report import Fact
from hvtui.model import Config
from hvtui.model.codes import FindingCode
from hvtui.model.config import on_value
from hvtui.presets import Preset
from hvtui.records import replace
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.services import Host
from hvtui.tui.steps import Step
from hvtui.tui.view import WizardView
from hvtui.tui.widgets.option import OptionPane, relations_content
from hvtui.tui.widgets.review import FindingList

from .test_wizard import go_to

#: Options KVM announces by a capability rather than CPUID bits.
CAPABILITY_ONLY = ("passthrough", "enforce-cpuid")

SNAPSHOTS = sorted(p.name for p in HOSTS.iterdir() if p.is_dir())
HOST_IDS = [
    *(f"snapshot:{name}" for name in SNAPSHOTS),
    *(f"demo:{name}" for name in demo_names()),
    "live",
    "demo-without-capabilities",
    "demo-nested-off",
]


@functools.cache
def host(host_id: str) -> Host:
    """The host called ``host_id`` (detected once per test process)."""
    kind, _, name = host_id.partition(":")
    if kind == "snapshot":
        return services.detect_host(HOSTS / name)
    if kind == "demo":
        return services.detect_host(find_demo(name).path)
    if kind == "live":
        return services.detect_host(None)
    report = services.detect_host(find_demo("intel-tigerlake").path).report
    assert report is not None
    kvm = report.kvm
    if host_id == "demo-without-capabilities":
        offered = tuple(n for n in kvm.hyperv.get(()) if n not in CAPABILITY_ONLY)
        changed = replace(kvm, hyperv=Fact(offered))
    else:
        changed = replace(kvm, nested=Fact(False))
    return Host.of(replace(report, kvm=changed))


def claim(entry: catalog.Enlightenment, view: WizardView) -> str:
    """The pane's "This host:" line, as drawn."""
    lines = relations_content(entry, view).plain.splitlines()
    (line,) = [line for line in lines if line.startswith("This host: ")]
    return line.removeprefix("This host: ")


@pytest.mark.parametrize("host_id", HOST_IDS)
def test_the_pane_says_no_exactly_when_a_finding_does(host_id: str) -> None:
    shown = host(host_id)
    assert shown.error is None, shown.error
    baseline = Preset("draft", Config())
    disagree: list[str] = []
    for entry in catalog.ENTRIES:
        preset = Preset("draft", Config.of({entry.name: on_value(entry)}))
        view = WizardView.build(preset, shown, baseline)
        line = claim(entry, view)
        refused = [
            f.code.value
            for f in view.findings
            if f.code in HOST_REFUSALS and entry.name in f.options
        ]
        if line.startswith("⊘") != bool(refused):
            disagree.append(f"{entry.name}: pane '{line}', findings {refused}")
    assert not disagree, f"on {host_id}:\n" + "\n".join(disagree)


def test_the_hosts_cover_every_kind_of_refusal() -> None:
    """The hosts above make each refusal at least once (else the agreement is not shown)."""
    made: set[FindingCode] = set()
    for host_id in HOST_IDS:
        for entry in catalog.ENTRIES:
            preset = Preset("draft", Config.of({entry.name: on_value(entry)}))
            view = WizardView.build(preset, host(host_id), preset)
            made |= {f.code for f in view.findings if entry.name in f.options}
    assert made >= HOST_REFUSALS, HOST_REFUSALS - made


@pytest.mark.parametrize("name", CAPABILITY_ONLY)
async def test_a_kvm_without_the_capability_shows_it_in_the_pane_and_on_review(
    name: str,
) -> None:
    """The confirmed bug, through the real widgets: the pane says ⊘, Review lists the error.
    Each pane is built on its visit (as ``make_app`` does): with every pane prepared in the
    background, each Pilot wait visits nine times the widgets (~2 s of CPU a case)."""
    app = HvtuiApp(
        sysroot=None, host=host("demo-without-capabilities"), probe=False, prepare_panes=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, name)
        pane = app.screen.query_one(OptionPane)
        relations = str(pane.query_one("#relations", Static).content)
        assert "This host: ⊘ KVM on this host does not offer it" in relations
        await pilot.press("space")
        await pilot.pause()
        assert app.wizard.preset.config.is_on(name)
        await go_to(pilot, Step.REVIEW)
        shown = app.screen.query_one(FindingList).findings
        codes = {f.code for f in shown if name in f.options}
        assert FindingCode.UNSUPPORTED_BY_HOST in codes, shown
