"""The Debian kernel image that matches a Debian source version.

A version fetched from `linux-source-X.Y` at package version V was built
into `linux-image-*-amd64` packages at the same V.  We ask apt which image
packages exist (`apt-cache pkgnames`, then one `apt-cache madison` for all
of them), take the one at V, download it with `apt-get download` (no root,
the same private apt lists as the sources for suites the system lacks) and
pull the `vmlinuz` out of its data.tar without unpacking the package.

When no image at V exists any more (the archive moved on), the nearest
image is used only if the linux-source package at the image's version has
a byte-identical kernel/fork.c; that is said in the result, never assumed.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import VerifyError
from ..fsutil import atomic_write
from ..sources import blob_id, manifest
from ..sources.providers import deb_data_tar, private_apt_options, read_deb

# Flavours that are not the plain amd64 kernel a reader runs.
_OTHER_FLAVOURS = ("-dbg", "-unsigned", "-cloud-", "-rt-")


@dataclass
class KernelImage:
    package: str            # linux-image-6.1.0-57-amd64
    version: str            # 6.1.192-3
    vmlinuz: Path
    note: str = ""          # how it was chosen when not at the source's own version

    def as_dict(self) -> dict:
        return {"package": self.package, "version": self.version, "note": self.note or None}


def _apt(args: list[str], opts: list[str], timeout: int = 600, cwd: Path | None = None) -> subprocess.CompletedProcess:
    tool = args[0]
    if not shutil.which(tool):
        raise VerifyError("{tool} is not available on this machine (verify needs Debian's apt)", tool=tool)
    return subprocess.run([tool, *opts, *args[1:]], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def _series(source_version: str) -> str:
    m = re.match(r"(\d+\.\d+)", source_version)
    if not m:
        raise VerifyError("cannot tell the kernel series of package version {version!r}", version=source_version)
    return m.group(1)


def image_candidates(source_version: str, opts: list[str]) -> list[tuple[str, str]]:
    """(package, version) of every plain amd64 image of the source's series apt knows."""
    series = _series(source_version)
    r = _apt(["apt-cache", "pkgnames", f"linux-image-{series}"], opts)
    pattern = re.compile(rf"^linux-image-{re.escape(series)}[.\d]*(-\d+|\+deb\d+)?-amd64$")
    names = sorted(n for n in r.stdout.split() if pattern.match(n) and not any(f in n for f in _OTHER_FLAVOURS))
    if not names:
        return []
    r = _apt(["apt-cache", "madison", *names], opts)
    rows = []
    for line in r.stdout.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) >= 2 and parts[0] in names:
            rows.append((parts[0], parts[1]))
    return sorted(set(rows))


def _version_key(v: str) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", v))


def _download(spec: str, into: Path, opts: list[str]) -> Path:
    r = _apt(["apt-get", "download", spec], opts, timeout=1800, cwd=into)
    debs = sorted(into.glob("*.deb"))
    if r.returncode != 0 or not debs:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise VerifyError("apt-get download {spec} failed: {last}", spec=spec, last=last)
    return debs[0]


def extract_vmlinuz(deb: Path, dest: Path) -> Path:
    """boot/vmlinuz-* (Debian 11/12) or usr/lib/modules/*/vmlinuz (13+) out of a
    kernel image package; a package without one is not a kernel image."""
    with deb_data_tar(deb) as tf:
        for m in tf:
            name = m.name.lstrip("./")
            if m.isfile() and (re.fullmatch(r"boot/vmlinuz-[^/]+", name)
                               or re.fullmatch(r"usr/lib/modules/[^/]+/vmlinuz", name)):
                data = tf.extractfile(m).read()
                if not data[0x202:0x206] == b"HdrS":   # the x86 boot protocol's magic
                    raise VerifyError("{package}: {member} is not an x86 bzImage", package=deb.name, member=name)
                atomic_write(dest, data)
                return dest
    raise VerifyError("{name} holds no vmlinuz: it is not a kernel image package", name=deb.name)


def _source_blob_at(package: str, version: str, opts: list[str], work: Path) -> str | None:
    """Blob of kernel/fork.c in linux-source at `version`, or None if apt lacks it."""
    d = Path(tempfile.mkdtemp(dir=work))
    try:
        deb = _download(f"{package}={version}", d, opts)
        fork, _ = read_deb(deb, package)
        return blob_id(fork) if fork else None
    except VerifyError:
        return None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def kernels_dir() -> Path:
    return paths.home() / "kernels"


def require_debian(label: str, meta: dict) -> tuple[str, str]:
    """(package, version) of the linux-source package a version came from."""
    package, version = meta.get("package"), meta.get("package_version")
    if not package or not version or not str(package).startswith("linux-source"):
        raise VerifyError("{label} does not come from a Debian linux-source package, so there is no "
                          "Debian kernel to boot for it (upstream tags and user files cannot be verified)",
                          label=label)
    return package, version


def image_for(label: str, meta: dict, log=lambda msg: None) -> KernelImage:
    """The kernel image matching a version fetched from a Debian package (cached)."""
    package, version = require_debian(label, meta)
    v = manifest.get(label)
    opts = private_apt_options(v.suite, v.mirror) if v is not None and v.suite else []
    if opts:
        _apt(["apt-get", "update"], opts)
    cands = image_candidates(version, opts)
    if not cands:
        raise VerifyError("apt knows no linux-image package of the {series} series", series=_series(version))
    kernels = kernels_dir()
    kernels.mkdir(parents=True, exist_ok=True)
    exact = [c for c in cands if c[1] == version]
    note = ""
    if exact:
        chosen = exact[0]
    else:
        chosen = None
        src_blob = meta.get("blob")
        for cand in sorted(cands, key=lambda c: abs(_version_key(c[1])[-2] - _version_key(version)[-2])):
            if _source_blob_at(package, cand[1], opts, kernels) == src_blob:
                chosen = cand
                note = (f"no image at {version}; {cand[0]} {cand[1]} is used because linux-source at "
                        f"{cand[1]} has a byte-identical kernel/fork.c")
                break
        if chosen is None:
            raise VerifyError("no linux-image at {version}, and none of {n} other images has a "
                              "byte-identical kernel/fork.c", version=version, n=len(cands))
    pkg, ver = chosen
    entry = kernels / f"{pkg}_{ver}".replace("/", "_").replace("~", "_")
    vmlinuz, info = entry / "vmlinuz", entry / "image.json"
    if not vmlinuz.exists() or not info.exists():
        log(f"downloading {pkg} {ver}")
        with tempfile.TemporaryDirectory(dir=kernels) as tmp:
            deb = _download(f"{pkg}={ver}", Path(tmp), opts)
            extract_vmlinuz(deb, vmlinuz)
        atomic_write(info, json.dumps({"package": pkg, "version": ver}).encode() + b"\n")
    return KernelImage(pkg, ver, vmlinuz, note)
