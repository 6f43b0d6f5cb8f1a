"""Starting from an existing or running VM, and saving the domain XML merged with the draft.

The wizard must read exactly what ``hvtui audit`` reads (:mod:`hvtui.audit`), list running
VMs only in a worker once the Start step is shown, and write a merged domain XML only where
the user asked, asking before it replaces a file (the input above all).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList

from hvtui import audit
from hvtui.audit import AuditInput
from hvtui.detect.report import known
from hvtui.detect.vms import ProcessAnswer, ThreadAnswer
from hvtui.importers import parse_libvirt_xml
from hvtui.model import Config
from hvtui.presets import Preset
from hvtui.tui import services
from hvtui.tui.app import HvtuiApp
from hvtui.tui.screens.dialogs import ChoiceDialog, PathDialog
from hvtui.tui.steps import Step
from hvtui.tui.widgets.review import ReviewPane

from .support import forget_notices
from .test_wizard import SIZE, go_to, notices, press_button

AppFactory = Callable[..., HvtuiApp]

DATA = Path(__file__).resolve().parents[1] / "audit" / "data"
DOMAIN = DATA / "virsh-dumpxml-win11.xml"
"""A ``virsh dumpxml`` of a Windows 11 guest: metadata, devices, seclabel, Hyper-V."""


def _process(pid: int, name: str, smp: int, cpu: str, affinity: list[list[int]]) -> ProcessAnswer:
    cmdline = ["qemu-system-x86_64", "-name", f"guest={name},debug-threads=on"]
    cmdline += ["-smp", str(smp), "-cpu", cpu]
    threads = [ThreadAnswer(pid, "qemu-system-x86", list(range(8)))]
    threads += [ThreadAnswer(pid + 1 + i, f"CPU {i}/KVM", cpus) for i, cpus in enumerate(affinity)]
    return ProcessAnswer(pid, "qemu-system-x86_64", cmdline, threads)


def fake_running() -> list[AuditInput]:
    """Two QEMU processes as the real reader sees them: one pinned, one floating."""
    processes = [
        _process(4242, "win11", 2, "host,hv-relaxed=on,hv-vpindex=on,hv-synic=on", [[2], [3]]),
        _process(5151, "build", 1, "host,hv_time", [[0, 1, 2, 3]]),
    ]
    return audit.running_vms(known(processes))


class RunningSpy:
    """Stands in for :func:`hvtui.audit.running_vms` and counts the calls."""

    def __init__(self, vms: list[AuditInput]) -> None:
        self.vms = vms
        self.calls = 0

    def __call__(self, processes: object = None) -> list[AuditInput]:
        self.calls += 1
        return self.vms


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> RunningSpy:
    fake = RunningSpy(fake_running())
    monkeypatch.setattr(audit, "running_vms", fake)
    return fake


async def start_from_text(pilot: Pilot[int], entry: str, *, button: bool = False) -> None:
    """Put a path (or a pasted command line) under "An existing VM"; enter (or Import)."""
    await go_to(pilot, Step.START)
    field = pilot.app.screen.query_one("#import-path", Input)
    field.value = entry
    if button:
        await press_button(pilot, "#import")
    else:
        field.focus()
        await pilot.press("enter")
        await pilot.pause()


async def listed(pilot: Pilot[int]) -> OptionList:
    """The running-VM list once the worker has filled it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one("#running-list", OptionList)


def palette_titles(app: HvtuiApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


# -- start from a file or pasted text ------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["virsh-dumpxml-win11.xml", "libvirt-hyperv-host-model.xml", "proxmox-100.conf"]
)
async def test_starting_from_a_file_reads_what_the_audit_reads(
    make_app: AppFactory, name: str
) -> None:
    path = DATA / name
    expected = audit.load_file(path)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start_from_text(pilot, str(path), button=True)
        wizard = app.wizard
        assert wizard.preset.config == expected.config
        assert wizard.started_from == expected, "the source is remembered"
        assert f"Started from {path} ({expected.kind_name})" in notices(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert wizard.preset == app.initial_preset and wizard.started_from is None


async def test_a_pasted_command_line_is_read_like_a_file(make_app: AppFactory) -> None:
    command = "qemu-system-x86_64 -enable-kvm -cpu host,hv_relaxed,hv-vpindex=on,hv_synic=on"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_from_text(pilot, command)
        assert app.wizard.preset.config == audit.load_text(command).config
        assert app.wizard.preset.config.enabled() == ("relaxed", "vpindex", "synic")
        assert not app.wizard.can_merge, "a command line has no domain to merge into"


async def test_an_unreadable_input_is_one_line_and_changes_nothing(
    make_app: AppFactory, tmp_path: Path
) -> None:
    binary = tmp_path / "disk.img"
    binary.write_bytes(b"QFI\xfb\0\0\0\3")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        before = app.wizard.preset
        for entry in (str(tmp_path / "missing.xml"), str(binary), "not a vm at all"):
            forget_notices(app)
            await start_from_text(pilot, entry)
            assert app.wizard.preset == before and app.wizard.started_from is None
            message = notices(app)
            assert message and "\n" not in message, entry
            assert message.startswith("<pasted text>:" if " " in entry else entry), message


def test_import_errors_are_printable_and_one_line(tmp_path: Path) -> None:
    hostile = tmp_path / "vm\x1b[31m.xml"
    hostile.write_text("<domain><name>x</name>\n<features><hyperv mode='custom'>")
    with pytest.raises(services.ImportFailedError) as caught:
        services.import_config(str(hostile))
    message = str(caught.value)
    assert message.isprintable() and "\\x1b" in message


# -- running VMs -----------------------------------------------------------------------------


async def test_running_vms_are_listed_in_a_worker_only_on_the_start_step(
    make_app: AppFactory, spy: RunningSpy
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "relaxed")
        assert spy.calls == 0, "nothing lists processes before the Start step is shown"
        await go_to(pilot, Step.START)
        rows = await listed(pilot)
        assert spy.calls == 1
        text = [str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)]
        assert text[0].split() == ["win11", "2", "vCPUs", "pinned", "pid", "4242"]
        assert text[1].split() == ["build", "1", "vCPU", "floating", "pid", "5151"]
        await go_to(pilot, Step.HOST)
        await go_to(pilot, Step.START)
        await listed(pilot)
        assert spy.calls == 1, "listed once; Rescan lists again"
        await press_button(pilot, "#rescan-running")
        await listed(pilot)
        assert spy.calls == 2


async def test_starting_from_a_running_vm(make_app: AppFactory, spy: RunningSpy) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await go_to(pilot, Step.START)
        rows = await listed(pilot)
        rows.focus()
        rows.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        vm = spy.vms[0]
        wizard = app.wizard
        assert wizard.preset.config == vm.config
        assert wizard.preset.config.enabled() == ("relaxed", "vpindex", "synic")
        assert wizard.started_from == vm
        assert "Started from win11 (pid 4242) (running QEMU process)" in notices(app)
        assert "win11 (pid 4242)" in str(app.screen.query_one("#current").render())
        assert not wizard.can_merge
        assert wizard.check_action("save_merged", ()) is False
        assert "Save merged domain XML" not in palette_titles(app)


async def test_the_vms_cannot_be_listed_is_said_on_the_step(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(processes: object = None) -> list[AuditInput]:
        raise audit.SourceError("running VMs: permission denied reading /proc")

    monkeypatch.setattr(audit, "running_vms", broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, Step.START)
        rows = await listed(pilot)
        assert rows.option_count == 1
        row = rows.get_option_at_index(0)
        assert row.disabled
        assert "Cannot list running VMs: running VMs: permission denied" in str(row.prompt)


# -- save merged domain XML -------------------------------------------------------------------


async def open_merge(pilot: Pilot[int]) -> PathDialog:
    """The Review step's "Save merged domain XML" button, pressed."""
    await go_to(pilot, Step.REVIEW)
    button = pilot.app.screen.query_one(ReviewPane).query_one("#save-merged", Button)
    assert button.display
    await press_button(pilot, "#save-merged")
    dialog = pilot.app.screen
    assert isinstance(dialog, PathDialog)
    return dialog


async def test_save_merged_domain_xml(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    domain = tmp_path / "win11.xml"
    shutil.copy(DOMAIN, domain)
    original = domain.read_bytes()
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        wizard = app.wizard
        assert wizard.check_action("save_merged", ()) is False
        assert "Save merged domain XML" not in palette_titles(app)
        await start_from_text(pilot, str(domain))
        assert wizard.can_merge and wizard.check_action("save_merged", ()) is True
        assert "Save merged domain XML" in palette_titles(app)
        await go_to(pilot, "evmcs")
        await pilot.press("space")
        await pilot.pause()
        assert wizard.preset.config.is_on("evmcs")

        dialog = await open_merge(pilot)
        field = dialog.query_one("#path-input", Input)
        assert field.value == str(tmp_path / "win11.merged.xml"), "never the input by default"
        await pilot.press("enter")
        await pilot.pause()
        written = tmp_path / "win11.merged.xml"
        text = written.read_text()
        assert parse_libvirt_xml(text).config == wizard.preset.config
        root = ElementTree.fromstring(text)
        assert root.findtext("name") == "win11"
        memory = root.find("memory")
        assert memory is not None and (memory.text, memory.get("unit")) == ("8388608", "KiB")
        assert root.find("seclabel") is not None, "what is not Hyper-V is kept"
        assert "virsh edit win11" in text, "and so are comments"
        assert domain.read_bytes() == original, "the input is untouched"
        assert f"Wrote the merged domain XML to {written}" in notices(app)


async def test_the_merge_key_and_replacing_ask_first(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    domain = tmp_path / "win11.xml"
    shutil.copy(DOMAIN, domain)
    original = domain.read_bytes()
    target = tmp_path / "out.xml"
    target.write_text("mine")
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await start_from_text(pilot, str(domain))
        await go_to(pilot, "relaxed")
        await pilot.press("space")  # relaxed off: the draft differs from the input
        await pilot.pause()
        app.wizard.query_one("#steps").focus()

        for path, keep in ((target, "mine"), (domain, None)):
            await pilot.press("ctrl+d")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, PathDialog)
            dialog.query_one("#path-input", Input).value = str(path)
            await press_button(pilot, "#path-ok")
            question = app.screen
            assert isinstance(question, ChoiceDialog)
            message = str(question.query_one(".dialog-message").render())
            assert "already exists" in message
            assert ("started from" in message) is (path == domain)
            await pilot.press("k")
            await pilot.pause()
            assert app.screen is app.wizard
            if keep is not None:
                assert path.read_text() == keep
            else:
                assert path.read_bytes() == original

        await pilot.press("ctrl+d")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = str(target)
        await press_button(pilot, "#path-ok")
        await pilot.press("r")
        await pilot.pause()
        merged = parse_libvirt_xml(target.read_text())
        assert merged.config == app.wizard.preset.config
        assert not merged.config.is_on("relaxed")
        assert domain.read_bytes() == original


async def test_merge_is_offered_only_while_the_draft_comes_from_a_domain(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(preset=Preset("lab", Config.of(relaxed=True)))
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = app.wizard
        await start_from_text(pilot, str(DOMAIN))
        assert wizard.can_merge
        await press_button(pilot, "#start-empty")
        assert not wizard.can_merge, "starting from something else forgets the domain"
        await go_to(pilot, Step.REVIEW)
        assert not app.screen.query_one("#save-merged", Button).display
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert wizard.can_merge, "undo brings the domain back with its configuration"
        assert app.screen.query_one("#save-merged", Button).display


async def test_a_draft_with_errors_is_not_merged(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await start_from_text(pilot, str(DOMAIN))
        await go_to(pilot, "synic")
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("o")  # only synic: stimer is left without it, an error
        await pilot.pause()
        dialog = await open_merge(pilot)
        target = Path(dialog.query_one("#path-input", Input).value)
        await pilot.press("enter")
        await pilot.pause()
        assert not target.exists()
        assert "not exported" in notices(app)
