"""Running the real QEMU and libvirt tools from tests, and judging their answers.

A missing tool skips the test with the reason, except under ``CI=true``, where
it fails: CI installs the Debian packages, so a skip there would hide a broken
set-up and let the checks silently stop running.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import pwd
import re
import select
import shlex
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from hvtui.catalog.peers import get_peer
from hvtui.export import ExportTarget, build_virt_install, plan_libvirt
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.safexml import parse as parse_xml
from hvtui.model import Config
from hvtui.versions import Version, find_version

QEMU = "qemu-system-x86_64"
VIRSH = "virsh"
VALIDATE = "virt-xml-validate"
XMLLINT = "xmllint"
VIRT_INSTALL = "virt-install"
VIRT_XML = "virt-xml"

#: QEMU's answer when the whole command line was accepted and it only failed
#: later for lack of KVM (this machine and CI have no usable KVM for Hyper-V).
#: Verified with QEMU 7.2: property and value errors come first ("can't apply
#: global ..."), these only once every property has been set.
ACCEPTED_FAILURES = (
    re.compile(r"CPU model '[^']+' requires KVM"),
    re.compile(r"kernel doesn't allow setting HyperV"),
    re.compile(r"Hyper-V .* is not supported by kernel"),
    re.compile(r"VMBus requires usable Hyper-V SynIC and VP_INDEX"),
)
#: QEMU refusing a property name or value: always a failure of the export.
REJECTIONS = (
    re.compile(r"can't apply global"),
    re.compile(r"Property '[^']+' not found"),
    re.compile(r"Parameter '[^']+' expects"),
    re.compile(r"does not accept value"),
    re.compile(r"[Ii]nvalid parameter"),
    re.compile(r"not a valid device model name|Device '[^']+' not found"),
    re.compile(r"unable to find CPU model"),
)


def in_ci() -> bool:
    """True under CI, where a missing real tool is an error, not a skip."""
    return os.environ.get("CI", "").lower() == "true"


def require(tool: str, package: str) -> str:
    """The tool's path; skip (or fail under ``CI=true``) when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (Debian package {package})"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires it (.ci/run installs it)")
        pytest.skip(message)
    return path


@functools.cache
def cpu_property_types(model: str) -> dict[str, str]:
    """``{"hv-relaxed": "bool", "hv-spinlocks": "uint32", ...}`` from QEMU itself."""
    qemu = require(QEMU, "qemu-system-x86")
    done = subprocess.run(
        [qemu, "-machine", "none", "-device", f"{model}-x86_64-cpu,help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"QEMU does not list CPU type {model}: {done.stderr.strip()}"
    types: dict[str, str] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s+([\w.-]+)=<([\w]+)>", line)
        if match:
            types[match.group(1)] = match.group(2)
    assert types, f"no properties listed for {model}-x86_64-cpu"
    return types


_UINT_BITS = {"uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}


def value_fits(qemu_type: str, text: str) -> bool:
    """Whether ``text`` is a value QEMU's property type ``qemu_type`` takes."""
    if qemu_type == "bool":
        return text in ("on", "off")
    if qemu_type == "OnOffAuto":
        return text in ("on", "off", "auto")
    if qemu_type in _UINT_BITS:
        try:
            number = int(text, 0)
        except ValueError:
            return False
        return 0 <= number < (1 << _UINT_BITS[qemu_type])
    if qemu_type == "str":
        return "," not in text
    return False


@dataclass
class QemuRun:
    """One QEMU start: exit status and what it said."""

    code: int
    stderr: str

    def verdict(self) -> str | None:
        """``None`` when QEMU accepted every argument, else why not."""
        for pattern in REJECTIONS:
            if pattern.search(self.stderr):
                return f"QEMU refused it: {self.stderr.strip()}"
        if self.code == 0:
            return None
        if any(p.search(self.stderr) for p in ACCEPTED_FAILURES):
            return None
        return f"QEMU failed in an unexpected way (exit {self.code}): {self.stderr.strip()}"


def run_qemu(args: list[str]) -> QemuRun:
    """Start QEMU under TCG, frozen (-S), and quit at once through the monitor."""
    qemu = require(QEMU, "qemu-system-x86")
    done = subprocess.run(
        [
            qemu,
            "-machine",
            "pc",
            "-accel",
            "tcg",
            "-S",
            "-display",
            "none",
            "-nodefaults",
            "-monitor",
            "stdio",
            *args,
        ],
        input="quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return QemuRun(done.returncode, done.stderr)


def qmp_qom_get(path: str, properties: list[str]) -> str:
    """QMP lines for a QEMU's standard input (``-qmp stdio``): ask for ``properties`` of
    the object at ``path`` with ``qom-get``, then quit."""
    asks = [{"execute": "qom-get", "arguments": {"path": path, "property": p}} for p in properties]
    lines = [{"execute": "qmp_capabilities"}, *asks, {"execute": "quit"}]
    return "".join(json.dumps(line) + "\n" for line in lines)


def qmp_answers(out: str, count: int) -> list[object]:
    """The answers to :func:`qmp_qom_get`'s ``count`` questions in QEMU's output: each
    ``return``, or its ``error`` object."""
    replies = [json.loads(line) for line in out.splitlines()]
    said = [r.get("return", r.get("error")) for r in replies if "return" in r or "error" in r]
    return said[1 : 1 + count]


def qom_get_cpu(properties: list[str], args: list[str]) -> dict[str, object]:
    """The first vCPU's ``properties`` as a real QEMU gives them, over QMP ``qom-get``.

    QEMU starts under TCG, frozen (``-S``): the vCPU is realized (``-cpu`` items all
    applied, ``+``/``-`` ones included) before the monitor answers.
    """
    qemu = require(QEMU, "qemu-system-x86")
    done = subprocess.run(
        [qemu, "-accel", "tcg", "-m", "16", "-nodefaults", "-display", "none", "-S",
         "-qmp", "stdio", *args],
        input=qmp_qom_get("/machine/unattached/device[0]", properties),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    values = [a["return"] for a in answers if "return" in a and a["return"] != {}]
    assert len(values) == len(properties), done.stdout + done.stderr
    return dict(zip(properties, values, strict=True))


def minimal_domain(pieces: str, *, cpu: str, domain_type: str = "kvm", name: str = "hv") -> str:
    """A minimal domain with the given top-level pieces (an export snippet) in it."""
    return (
        f"<domain type='{domain_type}'>\n  <name>{name}</name>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
        f"  {cpu}\n{pieces}\n</domain>\n"
    )


@dataclass
class ToolRun:
    """A tool's exit status and output."""

    code: int
    out: str
    err: str


def _run(argv: list[str]) -> ToolRun:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    return ToolRun(done.returncode, done.stdout, done.stderr)


@functools.cache
def installed_libvirt() -> Version:
    """The libvirt whose schema and parser the checks run against (``virsh --version``)."""
    virsh = require(VIRSH, "libvirt-clients")
    done = _run([virsh, "--version"])
    found = find_version(done.out)
    assert found is not None, f"cannot read the libvirt version from {done.out!r}"
    return found


def xml_validate(xml: str, tmp: Path) -> ToolRun:
    """``virt-xml-validate`` against the installed libvirt's domain schema."""
    tool = require(VALIDATE, "libvirt-clients")
    path = tmp / "domain.xml"
    path.write_text(xml, encoding="utf-8")
    return _run([tool, str(path), "domain"])


def virsh_define(xml: str, tmp: Path) -> ToolRun:
    """``virsh -c test:///default define`` (libvirt's own parser and checks)."""
    virsh = require(VIRSH, "libvirt-clients")
    path = tmp / "define.xml"
    path.write_text(xml, encoding="utf-8")
    return _run([virsh, "-q", "-c", "test:///default", "define", "--validate", str(path)])


class VirtinstRunner:
    """Runs of virt-manager's tools (virt-install, virt-xml), each a fresh process forked
    from one that has already imported them (``virtinst_zygote.py``, under the tools' own
    interpreter): the tool's own script and code, without ~0.45 s of CPU of start-up per
    run (1.1 s with ``--osinfo win11``, which reads libosinfo's database)."""

    def __init__(self, scripts: list[str]) -> None:
        interpreter = Path(scripts[0]).read_text(encoding="utf-8").splitlines()[0]
        assert interpreter.startswith("#!/"), f"{scripts[0]} is not a script: {interpreter}"
        self.scripts = scripts
        # Its own messages, read only when it fails; closed by close().
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*interpreter[2:].split(), str(Path(__file__).with_name("virtinst_zygote.py")),
             *scripts],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
        )  # fmt: skip

    def run(self, argv: list[str], *, timeout: float = 120) -> ToolRun:
        """``argv`` (a tool's path, then its arguments) run with this process's environment
        and working directory, as ``subprocess.run`` would."""
        assert argv[0] in self.scripts, argv[0]
        assert self.proc.stdin is not None and self.proc.stdout is not None
        job = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            self.log.seek(0)
            said = self.log.read().decode(errors="replace")[-4000:]
            raise AssertionError(f"{shlex.join(argv)}: no answer within {timeout} s: {said}")
        answer = json.loads(line)
        return ToolRun(answer["code"], answer["out"], answer["err"])

    def close(self) -> None:
        """End the process (its stdin closed, it leaves its loop)."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@functools.cache
def virtinst_runner() -> VirtinstRunner:
    """This test process's runner of virt-install and virt-xml (both must be installed),
    ended when the process exits."""
    runner = VirtinstRunner([require(VIRT_INSTALL, "virtinst"), require(VIRT_XML, "virtinst")])
    atexit.register(runner.close)
    return runner


def virt_install_xml(args: list[str], osinfo: str = "generic") -> str:
    """``virt-install --print-xml`` (against ``test:///default``) for a domain with these
    arguments; ``osinfo`` ``win11`` makes virt-install add its Hyper-V defaults."""
    done = virtinst_runner().run(
        [require(VIRT_INSTALL, "virtinst"), "--connect", "test:///default", "--name", "hv",
         "--memory", "256", "--import", "--disk", "none", "--osinfo", osinfo, "--print-xml",
         *args],
    )  # fmt: skip
    assert done.code == 0, done.err
    return done.out


def for_tcg(xml: str) -> str:
    """The test driver's domain as a TCG domain for the QEMU driver; everything that
    makes ``hv-*`` properties (<features>, <clock>, <cpu>, <panic>, <qemu:commandline>)
    is left as it is."""
    domain = parse_xml(xml, source="virt-install").root
    assert domain.get("type") == "test"
    domain.set("type", "qemu")
    os_type = domain.find("os/type")
    assert os_type is not None
    os_type.set("arch", "x86_64")
    os_type.set("machine", "pc")
    devices = domain.find(layout.DEVICES)
    if devices is not None:
        for device in list(devices):
            if device.tag != layout.panic_tag():
                devices.remove(device)
    return ET.tostring(domain, encoding="unicode")


class EmbeddedQemuDriver:
    """libvirt's real QEMU driver, in-process in virsh (``qemu:///embed``).

    ``domxml-to-native qemu-argv`` shows the exact QEMU command line libvirt
    builds for a domain, so an export can be compared with what libvirt makes
    of it.  The driver refuses to run privileged without its ``libvirt-qemu``
    user, so as root it runs as ``nobody``; domains must use TCG
    (``type='qemu'``) and a named CPU model, since nothing here has KVM.
    """

    def __init__(self) -> None:
        self.virsh = require(VIRSH, "libvirt-clients")
        require(QEMU, "qemu-system-x86")
        self.root = Path(tempfile.mkdtemp(prefix="hvtui-embed-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = require("runuser", "util-linux")
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self.prefix = [runuser, "-u", "nobody", "--"]
        self.root.chmod(0o755)

    def native(self, xml: str) -> ToolRun:
        """The QEMU command line libvirt builds for ``xml``."""
        uri = f"qemu:///embed?root={self.root / 'r'}"
        path = self.root / "domain.xml"
        path.write_text(xml, encoding="utf-8")
        path.chmod(0o644)
        return _run(
            [
                *self.prefix,
                "env",
                f"HOME={self.root}",
                self.virsh,
                "-q",
                "-c",
                uri,
                "domxml-to-native",
                "qemu-argv",
                str(path),
            ],
        )

    def close(self) -> None:
        """Remove the driver's state directory."""
        shutil.rmtree(self.root, ignore_errors=True)


def virt_install_expressed(
    config: Config, target: ExportTarget, known: frozenset[str] | None = None
) -> Config:
    """What ``--format virt-install`` must read back as: the libvirt plan's configuration,
    plus offs, only for what virt-install's Windows defaults would turn on and the
    configuration does not set (checked here, so callers compare exactly)."""
    plan = dict(plan_libvirt(config, target).expressed())
    expressed = dict(build_virt_install(config, target, known_features=known).expressed())
    assert {n: v for n, v in expressed.items() if n in plan} == plan
    extra = {n: v for n, v in expressed.items() if n not in plan}
    assert all(v is False for v in extra.values()), extra
    assert set(extra) <= set(get_peer("virt-install").may_turn_on()) - set(dict(config)), extra
    return Config.of(expressed)
