"""Checked against the very kernel: boot the Debian kernel built from the
same package version as a fetched source, ask it what clone()/clone3()
answer for every combination of a set of flags, and compare with the
executor's sweep of that source.

    from explorer.verify import verify, cached_result
    result = verify("debian-6.12")           # boots QEMU (a minute under TCG)
    result["modes"]["root"]["agree"]          # 4096
    cached_result("debian-6.12")              # the last result, or None

Pieces: kernel_image (which linux-image package, its vmlinuz), boot (the
initramfs with clone_probe.c as /init, QEMU, the probe's output).  Results
and images are cached under FORK_EXPLORER_HOME (verify/, kernels/); a run
that fails caches nothing.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from .. import paths, sources
from ..cparse import load
from ..errors import ExplorerError, VerifyError
from ..i18n import Message
from ..executor import World, run, sweep
from ..executor.flags import FlagTable
from ..fsutil import atomic_write
from . import boot as _boot
from .kernel_image import image_for, require_debian

# The twelve flags the oracle has always swept (4096 words).
DEFAULT_FLAGS = ["CLONE_VM", "CLONE_FS", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_NEWUSER",
                 "CLONE_NEWPID", "CLONE_PARENT", "CLONE_PIDFD", "CLONE_DETACHED", "CLONE_VFORK",
                 "CLONE_PARENT_SETTID"]
# mode -> (entry the executor runs, the World it runs in)
MODES = {
    "root": ("sys_clone", lambda: World()),
    "nobody": ("sys_clone", lambda: World(capable=False)),
    "clone3": ("sys_clone3", lambda: World()),
}

__all__ = ["verify", "cached_result", "DEFAULT_FLAGS", "MODES"]


def _result_path(label: str) -> Path:
    return paths.home() / "verify" / f"{sources.check_label(label)}.json"


def cached_result(label: str) -> dict | None:
    """The last verification of `label`, if it is for the source now cached."""
    p = _result_path(label)
    try:
        result = json.loads(p.read_text())
        meta = sources.get(label).meta
    except (OSError, ValueError, ExplorerError):   # nothing verified, or the source is gone: no badge
        return None
    return result if result.get("blob") == meta.get("blob") else None


def verify(label: str, modes: list[str] | None = None, flags: list[str] | None = None, *,
           accel: str = "auto", timeout: float = 900.0, log=lambda msg: None, progress=None) -> dict:
    modes = list(modes or MODES)
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes or len(set(modes)) != len(modes):
        raise VerifyError("modes are {modes} (each once); got {got}", modes=", ".join(MODES),
                          got=", ".join(modes) or Message("none"))
    names = list(flags or DEFAULT_FLAGS)
    src = sources.get(label)
    require_debian(label, src.meta)
    module = load(label)
    for mode in modes:
        if MODES[mode][0] not in module.functions:
            raise VerifyError("{label} has no {what}, so mode {mode} cannot be compared",
                              label=label, what=MODES[mode][0], mode=mode)
    ours = {mode: sweep(module, names, MODES[mode][0], MODES[mode][1]()) for mode in modes}
    words = [r["flags"] for r in ours[modes[0]]["results"]]
    image = image_for(label, src.meta, log)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=_work_dir()) as tmp:
        probe = _boot.build_probe(Path(tmp) / "init")
        initrd = Path(tmp) / "initrd.cpio"
        initrd.write_bytes(_boot.initramfs(probe.read_bytes(), modes, words))
        log(f"booting {image.package} {image.version} under QEMU ({len(modes)} x {len(words)} clone calls)")
        booted = _boot.boot(image.vmlinuz, initrd, modes, len(words), accel=accel, timeout=timeout,
                            progress=progress)
    table = FlagTable.for_module(module)
    result = {"label": label, "blob": src.blob,
              "kernel": {"package": image.package, "version": image.version, "uname": booted.uname,
                         "note": image.note or None},
              "flags": names, "accel": booted.accel, "modes": {}, "seconds": round(time.monotonic() - started, 1)}
    for mode in modes:
        entry, world = MODES[mode][0], MODES[mode][1]()
        disagree = []
        for r in ours[mode]["results"]:
            theirs = booted.answers[mode][r["flags"]]
            if theirs != r["outcome"]:
                o = run(module, r["flags"], entry, world, record=False).outcome
                disagree.append({"flags": r["flags"], "names": table.names(r["flags"]), "kernel": theirs,
                                 "executor": r["outcome"], "function": o.function, "line": o.line})
        total = len(ours[mode]["results"])
        result["modes"][mode] = {"total": total, "agree": total - len(disagree), "disagree": disagree,
                                 "seconds": booted.mode_seconds.get(mode)}
    result["boot_seconds"] = booted.boot_seconds
    atomic_write(_result_path(label), json.dumps(result, indent=2).encode() + b"\n")
    return result


def _work_dir() -> Path:
    d = paths.home() / "verify" / "work"
    d.mkdir(parents=True, exist_ok=True)
    return d
