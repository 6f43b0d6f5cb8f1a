"""Benchmark: ``hvtui audit --json`` on 1,000 generated libvirt domain definitions in one run.

Generates realistic domains (``virsh dumpxml`` shape: metadata, devices, a
random mix of Hyper-V elements, clock timers, ``<cputune>`` pinning, sometimes
``<qemu:commandline>``), then runs, as fresh processes and alternately (so
background load hits all alike):

- ``hvtui audit --json FILE...`` over all of them, the way an admin would over
  ``/etc/libvirt/qemu/*.xml``, and over the first half and quarter (the
  linearity check: each further file should cost the same from a quarter to half
  of them as from half to all);
- the comparisons: a plain Python script that reads every file and parses it
  with ElementTree (the floor of any Python tool reading these files, before a
  single check or judgement), and ``xmllint --noout`` over all of them (libxml2
  in C, well-formedness only), when installed;
- the CLI floor, ``hvtui --version`` (interpreter and start-up, paid once per run);
- ``hvtui audit`` of one file: its CPU time is the serial part of a run (start-up,
  imports, host scan: paid before the files are split between processes), from which
  the wall time on idle CPUs is estimated as serial + the rest of the CPU / CPUs (CPU
  figures suffer far less from other load than wall times do);
- with ``--baseline DIR``, the hvtui package in the source tree ``DIR``
  (``git archive REV hvtui | tar -x -C DIR``), for before and after in one run.

``virt-xml-validate`` (libvirt's schema check) runs xmllint with the RelaxNG
schema in one process per file; it is timed once on a few files and printed
per file, as the tool an admin might otherwise run over the same directory.

Two figures per command: wall-clock time and CPU time (user + system, from
``wait4``, which counts the child processes hvtui forks and reaps when it judges
many files on several CPUs); on a shared machine the CPU figures are the ones
to compare across runs, and the wall figures only mean something when the other
CPUs are idle (the load average is printed for that).  Target from issue #13: at
most 0.6 s wall for the 1,000-file run on a 2-core machine, and linear in the
number of files.

Bytecode is handled as in ``bench_detect.py``: the children get a private
``PYTHONPYCACHEPREFIX`` and one warm-up run, unless ``--as-is``.

Usage::

    .venv/bin/python benchmarks/bench_audit.py                  # this host, 5 rounds
    .venv/bin/python benchmarks/bench_audit.py --files 1000 --runs 7 --sysroot SNAPSHOT
    .venv/bin/python benchmarks/bench_audit.py --baseline /tmp/hvtui-before
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from bench_detect import Command, Timing, _load, _median, cpu_speed_ms, hvtui_command

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 0.6
#: Files ``virt-xml-validate`` is timed on (one process each, so a few say enough).
VALIDATE_SAMPLE = 10
#: The comparison: every file read and parsed by ElementTree, nothing else.
ET_SCRIPT = (
    "import sys, xml.etree.ElementTree as ET\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, 'rb') as f:\n"
    "        ET.fromstring(f.read())\n"
)


#: ``<hyperv>`` children a generated domain draws from (as libvirt writes them).
HYPERV_CHILDREN = (
    "<relaxed state='on'/>",
    "<vapic state='on'/>",
    "<spinlocks state='on' retries='8191'/>",
    "<vpindex state='on'/>",
    "<runtime state='on'/>",
    "<synic state='on'/>",
    "<stimer state='on'><direct state='on'/></stimer>",
    "<reset state='off'/>",
    "<vendor_id state='on' value='KVMKVMKVM'/>",
    "<frequencies state='on'/>",
    "<reenlightenment state='on'/>",
    "<tlbflush state='on'/>",
    "<ipi state='on'/>",
    "<evmcs state='on'/>",
    "<avic state='on'/>",
)


def domain_xml(rng: random.Random, index: int) -> str:
    """One domain definition of 2 to 3 KB."""
    vcpus = rng.choice((1, 2, 4, 8))
    children = rng.sample(HYPERV_CHILDREN, rng.randint(0, len(HYPERV_CHILDREN)))
    mode = rng.choices(("custom", "passthrough"), weights=(19, 1))[0]
    hyperv = (
        f"    <hyperv mode='{mode}'>\n"
        + "".join(f"      {c}\n" for c in children)
        + "    </hyperv>\n"
        if mode == "custom"
        else "    <hyperv mode='passthrough'/>\n"
    )
    pins = (
        "  <cputune>\n"
        + "".join(f"    <vcpupin vcpu='{i}' cpuset='{i + 2}'/>\n" for i in range(vcpus))
        + "  </cputune>\n"
        if rng.random() < 0.3
        else ""
    )
    clock = "    <timer name='hypervclock' present='yes'/>\n" if rng.random() < 0.8 else ""
    panic = "    <panic model='hyperv'/>\n" if rng.random() < 0.2 else ""
    ns = " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"
    commandline = (
        "  <qemu:commandline>\n    <qemu:arg value='-global'/>\n"
        "    <qemu:arg value='host-x86_64-cpu.hv-xmm-input=on'/>\n  </qemu:commandline>\n"
        if rng.random() < 0.1
        else ""
    )
    disks = "".join(
        f"    <disk type='file' device='disk'>\n"
        f"      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
        f"      <source file='/var/lib/libvirt/images/vm{index}-{d}.qcow2'/>\n"
        f"      <target dev='vd{chr(97 + d)}' bus='virtio'/>\n"
        f"      <address type='pci' domain='0x0000' bus='0x0{d + 4}' slot='0x00' "
        "function='0x0'/>\n    </disk>\n"
        for d in range(rng.randint(1, 3))
    )
    return f"""<domain type='kvm'{ns if commandline else ""}>
  <name>vm{index:04d}</name>
  <uuid>{uuid.UUID(int=rng.getrandbits(128))}</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://microsoft.com/win/11"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>{rng.choice((4, 8, 16)) * 1048576}</memory>
  <vcpu placement='static'>{vcpus}</vcpu>
{pins}  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
{hyperv}    <vmport state='off'/>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'>
    <topology sockets='1' dies='1' cores='{vcpus}' threads='1'/>
  </cpu>
  <clock offset='localtime'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
{clock}  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
{disks}    <interface type='network'>
      <mac address='52:54:00:{index % 256:02x}:{rng.randrange(256):02x}:{rng.randrange(256):02x}'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <graphics type='spice' autoport='yes'/>
    <video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1'/></video>
    <memballoon model='virtio'/>
{panic}  </devices>
{commandline}</domain>
"""


def generate(directory: Path, count: int, seed: int) -> list[str]:
    """Write ``count`` domains; returns their paths."""
    rng = random.Random(seed)
    paths: list[str] = []
    for index in range(count):
        path = directory / f"vm{index:04d}.xml"
        path.write_text(domain_xml(rng, index), encoding="utf-8")
        paths.append(str(path))
    return paths


def _time_once(command: Command) -> Timing:
    """Wall-clock and CPU seconds (:class:`Timing` holds seconds here) of one run; fails
    loudly on exit codes other than 0 and 1 (1: a VM has an error finding, which
    generated domains do)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command.argv, stdout=subprocess.DEVNULL, stderr=errors, env=command.env, cwd=REPO
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode not in (0, 1):
            errors.seek(0)
            message = errors.read().decode(errors="replace")[:2000]
            raise SystemExit(f"{command.label} exited {proc.returncode}: {message}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def _check_audits_all(command: Command, files: int) -> None:
    """One run with its output read: every file must have been audited."""
    proc = subprocess.run(command.argv, capture_output=True, env=command.env, cwd=REPO, check=False)
    audited = len(json.loads(proc.stdout)["vms"])
    if audited != files:
        raise SystemExit(f"{command.label}: audited {audited} of {files} files")


def commands(
    paths: Sequence[str], env: dict[str, str], sysroot: str | None, baseline: Path | None
) -> list[Command]:
    """What is timed: hvtui over all files and over half, the comparisons, the floor."""
    # The console script, not ``python -m``: with -m the current directory would come
    # before PYTHONPATH and --baseline would time this tree again.
    hvtui = hvtui_command()
    audit = [*hvtui, "audit", "--json", *(["--sysroot", sysroot] if sysroot else [])]
    half, quarter = list(paths[: len(paths) // 2]), list(paths[: len(paths) // 4])
    chosen = [
        Command(f"hvtui audit, {len(paths)} files", [*audit, *paths], env),
        Command(f"hvtui audit, {len(half)} files", [*audit, *half], env),
        Command(f"hvtui audit, {len(quarter)} files", [*audit, *quarter], env),
        Command("hvtui audit, 1 file", [*audit, paths[0]], env),
        Command(f"ElementTree parse, {len(paths)}", [sys.executable, "-c", ET_SCRIPT, *paths], env),
    ]
    xmllint = shutil.which("xmllint")
    if xmllint is not None:
        chosen.append(Command(f"xmllint --noout, {len(paths)}", [xmllint, "--noout", *paths], env))
    chosen.append(Command("hvtui --version (floor)", [*hvtui, "--version"], env))
    if baseline is not None:
        path = os.pathsep.join(p for p in (str(baseline), env.get("PYTHONPATH", "")) if p)
        old = {**env, "PYTHONPATH": path}
        chosen.append(Command("baseline audit, 1 file", [*audit, paths[0]], old))
        chosen.append(Command(f"baseline audit, {len(paths)} files", [*audit, *paths], old))
    return chosen


def _validate_per_file(paths: Sequence[str]) -> float | None:
    """Median seconds of ``virt-xml-validate FILE`` (None when it is not installed)."""
    tool = shutil.which("virt-xml-validate")
    if tool is None:
        return None
    times = []
    for path in paths[:VALIDATE_SAMPLE]:
        start = time.perf_counter()
        subprocess.run([tool, path, "domain"], capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the timings; exit 0 whatever they are (it is a benchmark)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="domains to generate (1000)")
    parser.add_argument("--runs", type=int, default=5, help="rounds of every command (5)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (7)")
    parser.add_argument("--sysroot", metavar="DIR", help="audit against a host snapshot")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="do not give the children a bytecode cache (measures cold compiles too)",
    )
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        type=Path,
        help="also time the hvtui package in the source tree DIR, interleaved",
    )
    args = parser.parse_args(argv)
    if args.files < 8 or args.runs < 1:
        parser.error("--files must be at least 8 and --runs at least 1")
    if args.baseline is not None and not (args.baseline / "hvtui" / "__init__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no hvtui package there")
    env = dict(os.environ)
    load_before = _load()
    with (
        tempfile.TemporaryDirectory(prefix="hvtui-bench-audit-") as workdir,
        tempfile.TemporaryDirectory(prefix="hvtui-bench-pyc-") as cache,
    ):
        paths = generate(Path(workdir), args.files, args.seed)
        size = sum(os.path.getsize(p) for p in paths)
        if not args.as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
        chosen = commands(paths, env, args.sysroot, args.baseline)
        _check_audits_all(chosen[0], args.files)  # also the warm-up: compiles bytecode
        for command in chosen[1:]:
            _time_once(command)  # warm-up
        timings: dict[str, list[Timing]] = {c.label: [] for c in chosen}
        for _ in range(args.runs):
            for command in chosen:
                timings[command.label].append(_time_once(command))
        validate = _validate_per_file(paths)
    print(
        f"machine: {os.cpu_count() or 0} CPUs, Python {sys.version.split()[0]}, "
        f"{args.runs} rounds, host: {args.sysroot or 'this host'}; load average "
        f"{load_before} before, {_load()} after; 1M-addition loop {cpu_speed_ms():.0f} ms"
    )
    print(f"input: {args.files} domain XML files, {size / 1024:.0f} KiB in all")
    print(f"{'':32} {'wall median':>11} {'CPU median':>11}   wall runs (s)")
    for label, runs in timings.items():
        wall, cpu = _median(runs, "wall"), _median(runs, "cpu")
        print(f"{label:32} {wall:9.3f} s {cpu:9.3f} s   {_fmt(runs)}")
    full, half, quarter, one = (timings[c.label] for c in chosen[:4])
    parse = timings[chosen[4].label]
    floor = timings["hvtui --version (floor)"]
    for field in ("wall", "cpu"):
        ours, et = _median(full, field), _median(parse, field)
        print(f"{field}: hvtui audit / ElementTree parse of the same files: {ours / et:.2f}x")
    if validate is not None:
        print(
            f"virt-xml-validate (schema check, one process per file, {VALIDATE_SAMPLE} files): "
            f"{validate * 1000:.0f} ms per file, about {validate * args.files:.0f} s "
            f"for {args.files}"
        )
    # Linear means each further file costs the same: the cost per file from a quarter
    # to half of the files equals the cost per file from half to all of them (the
    # start-up, host scan and imports are paid once and drop out of both).
    n_half, n_quarter = args.files // 2, args.files // 4
    for field in ("wall", "cpu"):
        low = (_median(half, field) - _median(quarter, field)) / (n_half - n_quarter) * 1000
        high = (_median(full, field) - _median(half, field)) / (args.files - n_half) * 1000
        print(
            f"linearity ({field}): each further file costs {low:.3f} ms between "
            f"{n_quarter} and {n_half} files, {high:.3f} ms between {n_half} and "
            f"{args.files} (ratio {high / low:.2f}; 1.00 is linear)"
        )
    fixed = _median(full, "cpu") - (_median(full, "cpu") - _median(half, "cpu")) * 2
    print(
        f"paid once per run (CPU): {fixed:.3f} s, of which the CLI floor "
        f"{_median(floor, 'cpu'):.3f} s"
    )
    # What the wall time would be with the CPUs to itself, from CPU figures (which other
    # load disturbs far less): a one-file run's CPU is the serial part (start, imports,
    # host scan: paid before the work is split), the rest of the full run's is split over
    # the CPUs it may use.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    estimates = [("", one, full)]
    if args.baseline is not None:
        estimates.append(("baseline ", timings[chosen[-2].label], timings[chosen[-1].label]))
    for name, single, many in estimates:
        serial = _median(single, "cpu")
        parallel = _median(many, "cpu") - serial
        print(
            f"{name}estimated wall on idle CPUs: {serial:.3f} s serial (the 1-file run's CPU) "
            f"+ {parallel:.3f} s / {cpus} CPUs = {serial + parallel / cpus:.3f} s"
        )
    if args.baseline is not None:
        old = timings[chosen[-1].label]
        print(
            f"baseline -> now: {_median(old, 'wall'):.3f} -> {_median(full, 'wall'):.3f} s wall, "
            f"{_median(old, 'cpu'):.3f} -> {_median(full, 'cpu'):.3f} s CPU"
        )
    total = _median(full, "wall")
    verdict = "met" if total <= TARGET_S else "NOT met"
    print(f"target <= {TARGET_S:.1f} s wall for {args.files} files: {verdict} ({total:.3f} s)")
    return 0


def _fmt(times: Sequence[Timing]) -> str:
    return " ".join(f"{t.wall:.2f}" for t in times)


if __name__ == "__main__":
    sys.exit(main())
