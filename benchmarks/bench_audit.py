"""Benchmark: ``hvtui audit`` on 1,000 generated libvirt domain definitions in one run.

Generates realistic domains (``virsh dumpxml`` shape: metadata, devices, a
random mix of Hyper-V elements, clock timers, ``<cputune>`` pinning, sometimes
``<qemu:commandline>``), then runs ``hvtui audit --json FILE...`` as a fresh
process, the way an admin would over ``/etc/libvirt/qemu/*.xml``, several times.
Prints the median wall time, the time per file, and the CLI floor
(``hvtui --version``: interpreter and start-up, paid once per run).  Target from
issue #13: at most 0.6 s for the whole run on a 2-core machine, and linear: the
run over half the files takes about half as long (printed as the time per file
for both).

Bytecode is handled as in ``bench_detect.py``: the children get a private
``PYTHONPYCACHEPREFIX`` and one warm-up run, unless ``--as-is``.

Usage::

    .venv/bin/python benchmarks/bench_audit.py                  # this host, 3 rounds
    .venv/bin/python benchmarks/bench_audit.py --files 1000 --runs 5 --sysroot SNAPSHOT
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 0.6

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


def _time_once(argv: Sequence[str], env: dict[str, str], expect_files: int = 0) -> float:
    """Wall-clock seconds of one run; fails loudly unless every file was audited."""
    start = time.perf_counter()
    proc = subprocess.run(list(argv), capture_output=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"hvtui exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:2000]}"
        )
    if expect_files:
        audited = len(json.loads(proc.stdout)["vms"])
        if audited != expect_files:
            raise SystemExit(f"audited {audited} of {expect_files} files")
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    """Print the timings; exit 0 whatever they are (it is a benchmark)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="domains to generate (1000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (3)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (7)")
    parser.add_argument("--sysroot", metavar="DIR", help="audit against a host snapshot")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="do not give the children a bytecode cache (measures cold compiles too)",
    )
    args = parser.parse_args(argv)
    if args.files < 1 or args.runs < 1:
        parser.error("--files and --runs must be at least 1")
    env = dict(os.environ)
    with (
        tempfile.TemporaryDirectory(prefix="hvtui-bench-audit-") as workdir,
        tempfile.TemporaryDirectory(prefix="hvtui-bench-pyc-") as cache,
    ):
        paths = generate(Path(workdir), args.files, args.seed)
        size = sum(os.path.getsize(p) for p in paths)
        command = [sys.executable, "-m", "hvtui", "audit", "--json"]
        if args.sysroot:
            command += ["--sysroot", args.sysroot]
        command += paths
        floor = [sys.executable, "-m", "hvtui", "--version"]
        if not args.as_is:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            _time_once(command, env, args.files)  # warm-up: compiles and caches bytecode
        runs = [_time_once(command, env, args.files) for _ in range(args.runs)]
        floors = [_time_once(floor, env) for _ in range(args.runs)]
        half = args.files // 2
        halves = (
            [
                _time_once(command[: len(command) - args.files + half], env, half)
                for _ in range(args.runs)
            ]
            if half
            else []
        )
    total = statistics.median(runs)
    base = statistics.median(floors)
    print(
        f"machine: {os.cpu_count() or 0} CPUs, Python {sys.version.split()[0]}, "
        f"{args.runs} runs, host: {args.sysroot or 'this host'}"
    )
    print(f"input: {args.files} domain XML files, {size / 1024:.0f} KiB in all")
    print(f"hvtui audit --json, whole run: median {total:.2f} s  (runs: {_fmt(runs)})")
    print(
        f"per file: {total / args.files * 1000:.2f} ms; above the CLI floor "
        f"({base * 1000:.0f} ms): {(total - base) / args.files * 1000:.2f} ms"
    )
    if halves:
        half_total = statistics.median(halves)
        per_half = (half_total - base) / half * 1000
        per_full = (total - base) / args.files * 1000
        print(
            f"linearity: {half} files {half_total:.2f} s, {per_half:.2f} ms/file above the "
            f"floor; {args.files} files {per_full:.2f} ms/file (ratio {per_full / per_half:.2f})"
        )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}")
    verdict = "met" if total <= TARGET_S else "NOT met"
    print(f"target <= {TARGET_S:.1f} s for the run: {verdict}")
    return 0


def _fmt(times: Sequence[float]) -> str:
    return " ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    sys.exit(main())
