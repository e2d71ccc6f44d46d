"""Boot a kernel under QEMU with our probe as /init and collect its answers.

The initramfs is written here (cpio "newc", the format the kernel unpacks)
with five entries: /init (clone_probe.c built statically), /dev,
/dev/console (so the probe's output reaches the serial port), /modes and
/words.  No busybox and no shell: the probe is the whole userland.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..errors import VerifyError

PROBE_SOURCE = Path(__file__).resolve().parent / "clone_probe.c"
QEMU = "qemu-system-x86_64"
KVM_FIRST_WORD = 20.0          # seconds for a KVM boot to print its first line before TCG is used


def build_probe(dest: Path) -> Path:
    """clone_probe.c as a static x86_64 binary (glibc's libc.a from libc6-dev)."""
    if not shutil.which("gcc"):
        raise VerifyError("gcc is not installed (apt-get install gcc libc6-dev); it builds the probe")
    r = subprocess.run(["gcc", "-O2", "-Wall", "-Werror", "-static", "-o", str(dest), str(PROBE_SOURCE)],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        raise VerifyError("cannot build the static probe: {last}", last=last)
    return dest


def _cpio_entry(name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0), ino: int = 1) -> bytes:
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def initramfs(probe: bytes, modes: list[str], words: list[int]) -> bytes:
    entries = [
        _cpio_entry("dev", 0o040755, ino=1),
        _cpio_entry("dev/console", 0o020600, rdev=(5, 1), ino=2),
        _cpio_entry("init", 0o100755, probe, ino=3),
        _cpio_entry("modes", 0o100644, "".join(m + "\n" for m in modes).encode(), ino=4),
        _cpio_entry("words", 0o100644, "".join(f"{w:#x}\n" for w in words).encode(), ino=5),
        _cpio_entry("TRAILER!!!", 0, ino=0),
    ]
    out = b"".join(entries)
    return out + b"\0" * (-len(out) % 512)


@dataclass
class BootResult:
    uname: str
    answers: dict[str, dict[int, str]]      # mode -> flags -> "ok" | errno name
    accel: str
    seconds: float
    boot_seconds: float = 0.0                                    # until the probe's first line
    mode_seconds: dict[str, float] = field(default_factory=dict)  # BEGIN to END of each mode
    log_tail: list[str] = field(default_factory=list)


def kvm_usable() -> bool:
    return os.path.exists("/dev/kvm") and os.access("/dev/kvm", os.R_OK | os.W_OK)


def boot(vmlinuz: Path, initrd: Path, modes: list[str], words: int, *, accel: str = "auto",
         timeout: float = 600.0, progress=None) -> BootResult:
    """Boot, wait for the probe's DONE, parse.  accel: auto (KVM if it
    answers within KVM_FIRST_WORD seconds, else TCG), kvm or tcg."""
    if not shutil.which(QEMU):
        raise VerifyError("{qemu} is not installed (apt-get install qemu-system-x86)", qemu=QEMU)
    if accel == "auto":
        if kvm_usable() and not _kvm_known_to_hang():
            try:
                return _boot_once(vmlinuz, initrd, modes, words, "kvm", timeout, progress, first_word=KVM_FIRST_WORD)
            except _NoFirstWord:
                _remember_kvm_hangs()   # KVM hangs on some hosts (it did on ours): TCG from now on
        accel = "tcg"
    try:
        return _boot_once(vmlinuz, initrd, modes, words, accel, timeout, progress)
    except _NoFirstWord as e:
        raise VerifyError(str(e)) from None


class _NoFirstWord(VerifyError):
    pass


def _kvm_marker() -> Path:
    return paths.home() / "verify" / f"kvm-hangs-{os.uname().release}"


def _kvm_known_to_hang() -> bool:
    """A KVM boot already hung on this host kernel: do not wait for it again."""
    return _kvm_marker().exists()


def _remember_kvm_hangs() -> None:
    m = _kvm_marker()
    m.parent.mkdir(parents=True, exist_ok=True)
    m.write_text(f"a KVM boot printed nothing within {KVM_FIRST_WORD:.0f} s; verify uses TCG on this host\n")


_LINE = re.compile(r"^(0x[0-9a-f]+) (\S+)$")


def _boot_once(vmlinuz, initrd, modes, words, accel, timeout, progress, first_word: float | None = None):
    cmd = [QEMU, "-accel", accel, "-cpu", "max" if accel == "tcg" else "host", "-m", "512", "-smp", "1",
           "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot", "-nodefaults",
           "-kernel", str(vmlinuz), "-initrd", str(initrd),
           "-append", "console=ttyS0 panic=-1 quiet loglevel=1 rdinit=/init"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    lines: list[str] = []
    stamps: dict[str, float] = {}     # "FXV ..." marker line -> seconds since QEMU started
    seen_first = threading.Event()
    done = threading.Event()

    def pump():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip().replace("\r", "")
            lines.append(line)
            if line.startswith("FXV "):
                stamps[" ".join(line.split()[:3])] = time.monotonic() - start
            if line.startswith("FXV UNAME"):
                seen_first.set()
            if _LINE.match(line) and progress is not None:
                progress(1)
            if line == "FXV DONE":
                done.set()
        done.set()

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    try:
        if first_word is not None and not seen_first.wait(first_word):
            raise _NoFirstWord("{accel} boot printed nothing from the probe in {seconds:.0f} s", accel=accel,
                               seconds=first_word)
        if not done.wait(max(1.0, timeout - (time.monotonic() - start))):
            raise VerifyError("the {accel} boot did not finish the probe within {timeout:.0f} s "
                              "(last line: {last!r})", accel=accel, timeout=timeout, last=lines[-1] if lines else "none")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        t.join(timeout=5)
    result = _parse(lines, modes, words, accel, time.monotonic() - start)
    result.boot_seconds = round(next((v for k, v in stamps.items() if k.startswith("FXV UNAME")), 0.0), 2)
    result.mode_seconds = {m: round(stamps.get(f"FXV END {m}", 0.0) - stamps.get(f"FXV BEGIN {m}", 0.0), 2)
                           for m in modes}
    return result


def _parse(lines: list[str], modes: list[str], words: int, accel: str, seconds: float) -> BootResult:
    uname, answers, current, ended = "", {}, None, set()
    for line in lines:
        if line.startswith("FXV UNAME "):
            uname = line.split(" ", 2)[2]
        elif line.startswith("FXV BEGIN "):
            current = line.split()[2]
            answers[current] = {}
        elif line.startswith("FXV END "):
            parts = line.split()
            if current is None or parts[2] != current or int(parts[3]) != len(answers[current]):
                raise VerifyError("the probe's output for mode {mode} is cut short or garbled", mode=parts[2])
            ended.add(current)
            current = None
        elif current is not None and (m := _LINE.match(line)):
            answers[current][int(m.group(1), 16)] = m.group(2)
    if "FXV DONE" not in lines:
        raise VerifyError("the boot ended before the probe said DONE (output cut short)")
    for mode in modes:
        if mode not in ended or len(answers.get(mode, {})) != words:
            got = len(answers.get(mode, {}))
            raise VerifyError("the probe answered {got} of {words} words in mode {mode}: output cut short", got=got,
                              words=words, mode=mode)
        bad = sorted({a for a in answers[mode].values() if a in ("TIMEOUT", "SETUID_FAILED")})
        if bad:
            raise VerifyError("the probe could not run every word in mode {mode}: {words}", mode=mode,
                              words=", ".join(bad))
    return BootResult(uname, answers, accel, seconds, lines[-5:])
