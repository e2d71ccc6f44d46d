"""kernel-src/manifest.toml: the versions we know about."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import paths
from ..errors import LabelError, SourceError
from ..fork_names import FORK_ENTRY_LINEAGE
from .versions import check_label, kernel_version_in, parse_kernel_version, release_key, version_key

FORMS = FORK_ENTRY_LINEAGE


@dataclass(frozen=True)
class Version:
    label: str
    form: str
    entry: str
    tag: str | None = None              # upstream git tag, e.g. v6.1
    package: str | None = None          # Debian package, e.g. linux-source-6.12
    package_version: str | None = None  # the Debian version whose blob we pinned
    suite: str | None = None            # apt suite for optional extras (private sources list)
    mirror: str | None = None           # apt archive of that suite (default deb.debian.org/debian)
    kernel_version: str | None = None   # X.Y[.Z]; default: from the package version, the tag or the label
    blob: str | None = None             # git blob SHA-1 of kernel/fork.c, None if not established
    optional: bool = False              # not needed by CI
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def release(self) -> str | None:
        """The kernel version this entry names: the manifest's, else the
        pinned package's, else the tag's or the label's."""
        return self.kernel_version or kernel_version_in(self.package_version) or kernel_version_in(self.tag) \
            or kernel_version_in(self.label)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[Version, ...]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError("manifest not found", path=path) from None
    except tomllib.TOMLDecodeError as e:
        raise SourceError("manifest does not parse: {error}", error=e, path=path) from None
    out = []
    seen = set()
    for i, raw in enumerate(data.get("version", [])):
        raw = dict(raw)
        label = check_label(raw.pop("label", ""))
        if label in seen:
            raise SourceError("duplicate label {label!r}", label=label, path=path)
        seen.add(label)
        form = raw.pop("form", "")
        if form not in FORMS:
            raise SourceError("{label}: form must be one of {forms}", label=label, forms=", ".join(FORMS), path=path)
        known = {k: raw.pop(k) for k in list(raw) if k in Version.__dataclass_fields__}
        if known.get("kernel_version") is not None:
            try:
                known["kernel_version"] = parse_kernel_version(str(known["kernel_version"]))
            except LabelError as e:
                raise SourceError("{label}: {error}", label=label, error=e, path=path) from None
        out.append(Version(label=label, form=form, extra=raw, **known))
    return tuple(sorted(out, key=lambda v: (version_key(v.release), release_key(v.label))))


def versions(path: Path | None = None) -> tuple[Version, ...]:
    return _load(str(path or paths.manifest_path()))


def get(label: str, path: Path | None = None) -> Version | None:
    check_label(label)
    for v in versions(path):
        if v.label == label:
            return v
    return None


def require(label: str) -> Version:
    v = get(label)
    if v is None:
        raise LabelError("unknown version {label!r}; see 'fork-explorer sources list'", label=label)
    return v
