"""Providers: the ways a kernel/fork.c reaches us.

Each provider either returns the bytes (and sched.h where it can) or raises
ProviderUnavailable with one line saying why, so the next one can be tried.
Order for `sources sync`: git clone, tarball or folder, Debian package, HTTPS.
The cache is consulted before all of them by the caller.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .. import paths
from ..errors import ProviderUnavailable, SourceError
from .manifest import Version

FORK_C_PATH = "kernel/fork.c"
SCHED_H_PATHS = ("include/uapi/linux/sched.h", "include/linux/sched.h")
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # the largest real fork.c is ~110 KB
DEFAULT_CGIT = "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git"


@dataclass
class Fetched:
    data: bytes
    sched_h: bytes | None
    origin: str
    meta: dict


def check_source_bytes(data: bytes, what) -> bytes:
    """Refuse what cannot be a C source file, before anything is cached.  `what`
    names it in the refusal (a Message, said in the reader's language, or text)."""
    if not data.strip():
        raise SourceError("{what} is empty", what=what)
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError("{what} is {size:,} bytes; a kernel/fork.c is far below the {limit:,}-byte limit", what=what,
                          size=len(data), limit=MAX_SOURCE_BYTES)
    if b"\0" in data:
        raise SourceError("{what} holds NUL bytes: it is a binary file, not C source", what=what)
    return data


def terminal_progress(total: int | None, desc: str):
    """The default progress factory: a tqdm bar on a terminal, silent otherwise.
    A factory takes (total bytes or None, description) and returns a context
    manager with update(n); the widgets pass their own."""
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, leave=False,
                disable=not sys.stderr.isatty(), file=sys.stderr)


class _CountingReader(io.RawIOBase):
    """File wrapper that advances a progress bar as bytes are read."""

    def __init__(self, f, bar):
        self.f, self.bar = f, bar

    def readable(self):
        return True

    def readinto(self, b):
        n = self.f.readinto(b)
        if n:
            self.bar.update(n)
        return n


# ---------------------------------------------------------------- git clone
class GitProvider:
    name = "git"

    def __init__(self, repo: str | None = None, progress=terminal_progress):
        self.repo = repo or os.environ.get("FORK_EXPLORER_LINUX_GIT")

    def fetch(self, v: Version) -> Fetched:
        if not v.tag:
            raise ProviderUnavailable("git: {label} has no upstream tag", label=v.label)
        if not self.repo:
            raise ProviderUnavailable("git: no local linux clone (set FORK_EXPLORER_LINUX_GIT)")
        if not shutil.which("git"):
            raise ProviderUnavailable("git: the git command is not installed")
        data = self._show(v.tag, FORK_C_PATH)
        if data is None:
            raise ProviderUnavailable("git: {repo} has no {tag}:{file}", repo=self.repo, tag=v.tag, file=FORK_C_PATH)
        sched = None
        for p in SCHED_H_PATHS:
            sched = self._show(v.tag, p)
            if sched is not None:
                break
        return Fetched(data, sched, f"git {self.repo} {v.tag}", {"tag": v.tag})

    def _show(self, tag: str, path: str) -> bytes | None:
        r = subprocess.run(["git", "-C", self.repo, "show", f"{tag}:{path}"],
                           capture_output=True, timeout=120)
        return r.stdout if r.returncode == 0 else None


# ------------------------------------------------------- tarballs and folders
def _tar_pick(tf: tarfile.TarFile, desc: str) -> tuple[bytes | None, bytes | None]:
    """Stream a kernel tarball once, keeping fork.c and the newest sched.h it has."""
    fork = None
    sched: dict[str, bytes] = {}
    for m in tf:
        name = m.name.lstrip("./")
        parts = name.split("/", 1)
        rel = parts[1] if len(parts) == 2 else name
        if rel == FORK_C_PATH and m.isfile() and m.size <= MAX_SOURCE_BYTES:   # no bomb gets read
            fork = tf.extractfile(m).read()
        elif rel in SCHED_H_PATHS and m.isfile():
            sched[rel] = tf.extractfile(m).read()
        if fork is not None and SCHED_H_PATHS[0] in sched:
            break
    header = next((sched[p] for p in SCHED_H_PATHS if p in sched), None)
    return fork, header


def read_tarball(path: Path, progress=terminal_progress) -> tuple[bytes | None, bytes | None]:
    size = path.stat().st_size
    with open(path, "rb") as raw, progress(size, f"reading {path.name}") as bar:
        reader = io.BufferedReader(_CountingReader(raw, bar), 1 << 20)
        with tarfile.open(fileobj=reader, mode="r|*") as tf:
            return _tar_pick(tf, path.name)


def read_folder(path: Path) -> tuple[bytes | None, bytes | None]:
    fork = path / FORK_C_PATH
    if not fork.is_file():
        return None, None
    header = next(((path / p).read_bytes() for p in SCHED_H_PATHS if (path / p).is_file()), None)
    return fork.read_bytes(), header


class TarballProvider:
    """A kernel tarball or unpacked tree: /usr/src/linux-source-X.Y.tar.xz from an
    installed Debian package, or anything under FORK_EXPLORER_SOURCE_DIRS."""
    name = "tarball"

    def __init__(self, dirs: list[str] | None = None, progress=terminal_progress):
        self.progress = progress
        env = os.environ.get("FORK_EXPLORER_SOURCE_DIRS", "")
        self.dirs = [Path(d) for d in (dirs or [d for d in env.split(os.pathsep) if d])]
        self.dirs.append(Path("/usr/src"))

    def candidates(self, v: Version) -> list[Path]:
        stems = []
        if v.package:
            stems.append(v.package)
        if v.tag:
            num = v.tag.lstrip("v")
            stems += [f"linux-{num}", f"linux-source-{num}"]
        out = []
        for d in self.dirs:
            for stem in stems:
                for suffix in ("", ".tar.xz", ".tar.gz", ".tar.bz2", ".tar"):
                    p = d / (stem + suffix)
                    if p.exists():
                        out.append(p)
        return out

    def fetch(self, v: Version) -> Fetched:
        for p in self.candidates(v):
            fork, header = read_folder(p) if p.is_dir() else read_tarball(p, self.progress)
            if fork is not None:
                return Fetched(fork, header, f"tarball {p}", {"path": str(p)})
        raise ProviderUnavailable("tarball: no kernel tarball or folder for {label} "
                                  "in {dirs}", label=v.label, dirs=", ".join(map(str, self.dirs)))


# ------------------------------------------------------------ Debian package
def _ar_members(f):
    """Members of a Debian .deb (an `ar` archive): yields (name, size)."""
    if f.read(8) != b"!<arch>\n":
        raise SourceError("not a Debian package (no ar header)")
    while True:
        hdr = f.read(60)
        if len(hdr) < 60:
            return
        name = hdr[:16].decode().strip().rstrip("/")
        size = int(hdr[48:58].decode().strip())
        yield name, size
        f.seek(size + (size & 1), 1)


def read_deb(deb: Path, package: str, progress=terminal_progress) -> tuple[bytes | None, bytes | None]:
    """fork.c and sched.h from linux-source-X.Y's .deb: ar -> data.tar.xz -> the
    kernel tarball inside it -> the two files.  Streams, never unpacks to disk."""
    with open(deb, "rb") as f:
        for name, size in _ar_members(f):
            if name.startswith("data.tar"):
                start = f.tell()
                break
        else:
            raise SourceError("{name}: no data.tar member", name=deb.name)
        f.seek(start)
        with progress(size, f"extracting {deb.name}") as bar:
            reader = io.BufferedReader(_CountingReader(f, bar), 1 << 20)
            with tarfile.open(fileobj=reader, mode="r|*") as outer:
                for m in outer:
                    base = os.path.basename(m.name)
                    if base.startswith(package) and ".tar" in base and m.isfile():
                        with tarfile.open(fileobj=outer.extractfile(m), mode="r|*") as inner:
                            return _tar_pick(inner, base)
    return None, None


def deb_data_tar(deb: Path):
    """The data.tar member of a .deb as a streaming tarfile, for readers of
    other packages (the kernel images of `fork-explorer verify`)."""
    f = open(deb, "rb")
    for name, size in _ar_members(f):
        if name.startswith("data.tar"):
            return tarfile.open(fileobj=io.BufferedReader(_Limited(f, size), 1 << 20), mode="r|*")
    f.close()
    raise SourceError("{name}: no data.tar member", name=deb.name)


class _Limited(io.RawIOBase):
    """At most `size` bytes of an open file, from where it stands."""

    def __init__(self, f, size: int):
        self.f, self.left = f, size

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.f.readinto(memoryview(b)[:min(len(b), self.left)])
        self.left -= n
        return n

    def close(self) -> None:
        self.f.close()
        super().close()


class DebianProvider:
    """`apt-get download` of linux-source-X.Y (no root needed), then extraction."""
    name = "debian"

    def __init__(self, workdir: Path | None = None, progress=terminal_progress):
        self.workdir = workdir
        self.progress = progress

    def fetch(self, v: Version) -> Fetched:
        if not v.package:
            raise ProviderUnavailable("debian: {label} is not a Debian package", label=v.label)
        if not shutil.which("apt-get"):
            raise ProviderUnavailable("debian: apt-get is not available on this machine")
        base = self.workdir or (paths.home() / "downloads")
        base.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=base) as tmp:
            deb = self._download(v, Path(tmp))
            fork, header = read_deb(deb, v.package, self.progress)
        if fork is None:
            raise ProviderUnavailable("debian: {name} holds no {file}", name=deb.name, file=FORK_C_PATH)
        version = deb.name.split("_")[1] if deb.name.count("_") >= 2 else "?"
        version = urllib.parse.unquote(version)
        return Fetched(fork, header, f"debian {v.package} {version}",
                       {"package": v.package, "package_version": version})

    def _apt_options(self, v: Version) -> list[str]:
        if not v.suite:
            return []
        return private_apt_options(v.suite, v.mirror)

    def _download(self, v: Version, into: Path) -> Path:
        opts = self._apt_options(v)
        if v.suite:
            r = subprocess.run(["apt-get", *opts, "update"], capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                raise ProviderUnavailable("debian: apt-get update for {suite} failed: {detail}", suite=v.suite,
                                          detail=_last(r.stderr))
        wanted = [f"{v.package}={v.package_version}"] if v.package_version else []
        errors = []
        for spec in wanted + [v.package]:
            r = subprocess.run(["apt-get", *opts, "download", spec], cwd=into,
                               capture_output=True, text=True, timeout=1800)
            debs = sorted(into.glob("*.deb"))
            if r.returncode == 0 and debs:
                return debs[0]
            errors.append(_last(r.stderr))
        raise ProviderUnavailable("debian: apt-get download {package} failed: {detail}",
                                  package=v.package, detail=errors[-1])


DEBIAN_MIRROR = "http://deb.debian.org/debian"


def private_apt_options(suite: str, mirror: str | None = None) -> list[str]:
    """apt options for a private sources list under FORK_EXPLORER_HOME/apt: the
    system's lists are never edited.  `suite` is one or more suites, e.g.
    'trixie-backports sid'; `mirror` the archive that carries them (Debian's
    security archive for 'bullseye-security'), deb.debian.org by default."""
    root = paths.home() / "apt"
    (root / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (root / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    src = root / "sources.list"
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    src.write_text("".join(f"deb [signed-by={keyring}] {mirror or DEBIAN_MIRROR} {s} main\n"
                           for s in suite.split()))
    return ["-o", f"Dir::Etc::SourceList={src}", "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", f"Dir::State::Lists={root / 'lists'}", "-o", f"Dir::Cache::Archives={root / 'archives'}",
            "-o", "APT::Get::List-Cleanup=0"]


def _last(text: str) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


# -------------------------------------------------------------------- HTTPS
class HttpsProvider:
    """cgit `plain` URLs: {base}/plain/kernel/fork.c?h=TAG."""
    name = "https"

    def __init__(self, base: str | None = None, timeout: float = 20.0, progress=terminal_progress):
        self.progress = progress
        self.base = (base or os.environ.get("FORK_EXPLORER_CGIT_BASE") or DEFAULT_CGIT).rstrip("/")
        self.timeout = timeout

    def url(self, tag: str, path: str) -> str:
        return f"{self.base}/plain/{path}?h={urllib.parse.quote(tag)}"

    def fetch(self, v: Version) -> Fetched:
        if not v.tag:
            raise ProviderUnavailable("https: {label} has no upstream tag", label=v.label)
        data = self._get(self.url(v.tag, FORK_C_PATH), required=True)
        sched = None
        for p in SCHED_H_PATHS:
            sched = self._get(self.url(v.tag, p), required=False)
            if sched is not None:
                break
        return Fetched(data, sched, f"https {self.url(v.tag, FORK_C_PATH)}", {"tag": v.tag})

    def _get(self, url: str, required: bool) -> bytes | None:
        host = urllib.parse.urlsplit(url).netloc
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as r:
                total = int(r.headers.get("Content-Length") or 0) or None
                chunks = []
                with self.progress(total, f"downloading {url.rsplit('/', 1)[-1]}") as bar:
                    while chunk := r.read(1 << 16):
                        chunks.append(chunk)
                        bar.update(len(chunk))
                        if sum(map(len, chunks)) > MAX_SOURCE_BYTES:
                            raise SourceError("https: {url} is larger than {limit:,} bytes", url=url,
                                                          limit=MAX_SOURCE_BYTES)
                return b"".join(chunks)
        except urllib.error.HTTPError as e:
            if required:
                raise ProviderUnavailable("https: {url} answered {code}", url=url, code=e.code) from None
            return None
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            if required:
                raise ProviderUnavailable("https: cannot reach {host} ({reason})", host=host, reason=reason) from None
            return None


PROVIDERS = {"git": GitProvider, "tarball": TarballProvider, "debian": DebianProvider, "https": HttpsProvider}
ORDER = ("git", "tarball", "debian", "https")
