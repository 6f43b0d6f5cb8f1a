"""What each host fact means, from the typed report: one source for ``hvtui detect``'s text
and the wizard's Host step (issue #13)."""

from __future__ import annotations

import json
import subprocess
import sys

from clirun import HOSTS, REPO

from hvtui.advice import FactStatus, explain_host
from hvtui.demos import find_demo
from hvtui.detect import detect
from hvtui.detect.report import Fact
from hvtui.records import replace


def test_every_fact_of_a_demo_host_is_explained() -> None:
    report = detect(find_demo("intel-tigerlake").path)
    facts = {f.key: f for f in explain_host(report)}
    assert facts["cpu.model_name"].value == "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz (intel)"
    assert facts["cpu.model_name"].why.startswith("Intel: hv-evmcs (nested Hyper-V) works here")
    assert facts["kvm.hyperv"].status is FactStatus.GOOD
    assert "apic_virt.x2avic" not in facts, "an AMD feature is not listed for Intel"
    vms = facts["vms"]
    assert vms.value == "1 running"
    assert "Start step" in vms.why and "hvtui audit --running" in vms.why


def test_a_kvm_without_hyperv_is_a_problem() -> None:
    facts = {f.key: f for f in explain_host(detect(find_demo("no-hyperv").path))}
    assert facts["kvm.hyperv"].value == "none"
    assert facts["kvm.hyperv"].status is FactStatus.BAD
    assert facts["apic_virt.x2avic"].value is not None


def test_unknown_facts_keep_their_reason_in_words() -> None:
    snapshot = detect(HOSTS / "util-linux-x86_64-epyc_7451")
    facts = {f.key: f for f in explain_host(snapshot)}
    hyperv = facts["kvm.hyperv"]
    assert hyperv.value is None and hyperv.status is FactStatus.UNKNOWN
    assert hyperv.why.startswith("not recorded in this snapshot")
    # The same report taken live but before the slow probes: they are still coming.
    live = replace(snapshot, source="live")
    assert {f.key: f for f in explain_host(live)}["kvm.hyperv"].why == "not probed yet"
    unreadable = replace(
        snapshot, kvm=replace(snapshot.kvm, nested=Fact(None, "permission-denied: /sys/x"))
    )
    nested = {f.key: f for f in explain_host(unreadable)}["kvm.nested"]
    assert (nested.value, nested.why) == (None, "permission-denied: /sys/x")


#: Runs the CLI, then writes the advice modules it loaded to stderr.
PROGRAM = """
import sys
from hvtui.cli import main
main(sys.argv[1:])
sys.__stderr__.write(" ".join(m for m in sys.modules if m.startswith("hvtui.advice")))
"""


def imports(*args: str) -> tuple[str, str]:
    """What ``hvtui ARGS`` prints, and the advice modules it loaded."""
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    return proc.stdout, proc.stderr


def test_detect_prints_them_and_json_stays_without_advice() -> None:
    demo = ["detect", "--demo", "intel-tigerlake"]
    text, loaded = imports(*demo)
    section = text.split("What it means for the enlightenments", 1)[1]
    assert "+ /dev/kvm" in section and "usable: KVM can be asked" in section
    assert "hvtui.advice.host_facts" in loaded.split(), "the text asks advice"
    js, loaded = imports(*demo, "--json")
    assert not loaded, "--json must not load advice"
    assert "What it means" not in js and json.loads(js)["schema"] == 1
