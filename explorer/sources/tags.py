"""Every release tag of a linux clone as a version (`sources sync --all-tags`).

One `git for-each-ref` lists the tags; one `git cat-file --batch-command`
process answers everything else: first `info` for each tag's kernel/fork.c
(its blob id, so a blob already cached costs nothing), then `contents` for
the new blobs and their sched.h only.  A tag whose fork.c blob is already
stored under another label becomes an alias (cache.store_alias): stored and
parsed once, however many tags share it.  A tag already registered from the
same commit is left alone, so a second run reads no blob at all.
"""
from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

from tqdm import tqdm

from ..errors import ExplorerError, LabelError, SourceError
from ..i18n import Message
from . import cache
from .providers import FORK_C_PATH, MAX_SOURCE_BYTES, SCHED_H_PATHS
from .versions import check_label, kernel_version_in, release_key

DEFAULT_MATCH = "v*"


@dataclass
class TagSync:
    """What one `sync --all-tags` did, tag by tag."""
    repo: str
    matched: int = 0
    fetched: list = field(default_factory=list)     # labels stored with their bytes
    aliased: list = field(default_factory=list)     # (label, alias_of)
    unchanged: list = field(default_factory=list)   # already registered from the same commit
    no_fork_c: list = field(default_factory=list)   # tags without kernel/fork.c
    bad: list = field(default_factory=list)         # (label, one line why)

    def as_dict(self) -> dict:
        return {"repo": self.repo, "matched": self.matched, "fetched": self.fetched,
                "aliases": [{"label": a, "alias_of": b} for a, b in self.aliased],
                "unchanged": len(self.unchanged), "skipped_no_fork_c": len(self.no_fork_c),
                "skipped_tags": self.no_fork_c, "bad": [{"label": a, "error": b} for a, b in self.bad]}


def _git(repo: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, timeout=300)


def list_tags(repo: str, match: str = DEFAULT_MATCH, rc: bool = False) -> list[tuple[str, str]]:
    """(tag, commit) of every tag matching the glob, rc tags only with rc=True."""
    if not shutil.which("git"):
        raise SourceError("git is not installed; --all-tags reads a linux clone with it")
    if not os.path.isdir(repo):
        raise SourceError("{repo} is not a directory (--git or FORK_EXPLORER_LINUX_GIT names a linux clone)",
                          repo=repo)
    r = _git(repo, "rev-parse", "--git-dir")
    if r.returncode != 0:
        raise SourceError("{repo} is not a git repository", repo=repo)
    r = _git(repo, "for-each-ref", "--format=%(refname:strip=2) %(*objectname) %(objectname)", "refs/tags")
    if r.returncode != 0:
        raise SourceError("cannot list the tags of {repo}: {detail}", repo=repo,
                          detail=r.stderr.decode(errors="replace").strip())
    out = []
    for line in r.stdout.decode(errors="replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        tag, commit = parts[0], parts[1] if len(parts) == 3 else parts[-1]   # annotated: the peeled commit
        if not fnmatch.fnmatchcase(tag, match):
            continue
        if not rc and "-rc" in tag:
            continue
        out.append((tag, commit))
    if not out:
        raise SourceError("no tag of {repo} matches {match!r}{hint}", repo=repo, match=match,
                          hint="" if rc else Message(" (rc tags need --rc)"))
    return sorted(out, key=lambda tc: release_key(tc[0]))


class _Batch:
    """One `git cat-file --batch-command` process (unbuffered: git answers each
    command as it comes); a writer thread feeds a round of requests while we
    read, so neither side blocks on a full pipe."""

    def __init__(self, repo: str):
        self.p = subprocess.Popen(["git", "-C", repo, "cat-file", "--batch-command"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def _send(self, lines: list[str]) -> None:
        def write():
            try:
                self.p.stdin.write("".join(line + "\n" for line in lines).encode())
                self.p.stdin.flush()
            except BrokenPipeError:
                pass
        t = threading.Thread(target=write, daemon=True)
        t.start()
        self._writer = t

    def _header(self) -> list[str]:
        line = self.p.stdout.readline()
        if not line:
            raise SourceError("git cat-file stopped answering (--all-tags needs git 2.36 or newer for "
                              "cat-file --batch-command)")
        return line.decode(errors="replace").split()

    def info(self, names: list[str]) -> list[tuple[str, int] | None]:
        """(blob id, size) per object name, None where it is missing or not a blob."""
        self._send([f"info {n}" for n in names])
        out = []
        for _ in names:
            h = self._header()
            out.append((h[0], int(h[2])) if len(h) == 3 and h[1] == "blob" else None)
        self._writer.join()
        return out

    def contents(self, names: list[str], bar=None) -> list[bytes | None]:
        self._send([f"contents {n}" for n in names])
        out = []
        for _ in names:
            h = self._header()
            if len(h) == 3 and h[1] == "blob":
                data = self.p.stdout.read(int(h[2]))
                self.p.stdout.read(1)                       # the newline after the contents
                out.append(data)
            else:
                if len(h) == 3:                             # a tree or commit under that name: skip it
                    self.p.stdout.read(int(h[2]) + 1)
                out.append(None)
            if bar is not None:
                bar.update(1)
        self._writer.join()
        return out

    def close(self) -> None:
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait(timeout=30)


def _progress(total: int, desc: str):
    return tqdm(total=total, desc=desc, unit="tag", leave=False, disable=not sys.stderr.isatty(), file=sys.stderr)


def sync_all_tags(repo: str | None = None, match: str | None = None, rc: bool = False,
                  progress=_progress, *, form_of: Callable[[str, bytes], str]) -> TagSync:
    """Register kernel/fork.c of every matching tag of the clone `repo`
    (default FORK_EXPLORER_LINUX_GIT) as a version labelled by the tag.
    `form_of(tag, data)` says a new fork.c's form or raises (cparse's
    `tag_form`: sources reads and stores, it does not parse)."""
    repo = repo or os.environ.get("FORK_EXPLORER_LINUX_GIT")
    if not repo:
        raise SourceError("--all-tags needs a linux clone: --git PATH or FORK_EXPLORER_LINUX_GIT")
    repo = os.path.abspath(repo)
    tags = list_tags(repo, match or DEFAULT_MATCH, rc)
    report = TagSync(repo, matched=len(tags))
    todo = []
    for tag, commit in tags:
        try:
            check_label(tag)
        except LabelError as e:
            report.bad.append((tag, str(e)))
            continue
        try:
            meta = cache.read_meta(tag)
        except SourceError:
            meta = None
        if meta and meta.get("commit") == commit and meta.get("repo") == repo and cache.status(tag) == "cached":
            report.unchanged.append(tag)
        else:
            todo.append((tag, commit))
    if not todo:
        return report
    batch = _Batch(repo)
    try:
        infos = batch.info([f"{c}:{FORK_C_PATH}" for _, c in todo])
        with_fork = [(t, c, i) for (t, c), i in zip(todo, infos) if i is not None]
        report.no_fork_c = [t for (t, _), i in zip(todo, infos) if i is None]
        if not with_fork and not report.unchanged:
            raise SourceError("no tag of {repo} matching {match!r} has {file}", repo=repo,
                              match=match or DEFAULT_MATCH, file=FORK_C_PATH)
        known = cache.blobs()
        new_blobs = []
        for _, c, (blob, size) in with_fork:
            if blob not in known and blob not in new_blobs and size <= MAX_SOURCE_BYTES:
                new_blobs.append(blob)
        sched_names = [f"{c}:{p}" for _, c, _ in with_fork for p in SCHED_H_PATHS]
        sched_infos = batch.info(sched_names)
        sched_of = {}
        for k, (t, _, _) in enumerate(with_fork):
            pair = sched_infos[2 * k: 2 * k + 2]
            sched_of[t] = next((i[0] for i in pair if i is not None), None)
        sched_blobs = sorted({b for b in sched_of.values() if b})
        with progress(len(new_blobs) + len(sched_blobs), "reading tags") as bar:
            data = dict(zip(new_blobs, batch.contents(new_blobs, bar)))
            scheds = dict(zip(sched_blobs, batch.contents(sched_blobs, bar)))
    finally:
        batch.close()
    bad_blobs: dict[str, str] = {}
    for tag, commit, (blob, size) in with_fork:
        meta = {"origin": f"git {repo} {tag}", "provider": "git", "tag": tag, "commit": commit, "repo": repo,
                "kernel_version": kernel_version_in(tag), "user": True}
        sched = scheds.get(sched_of[tag]) if sched_of[tag] else None
        if blob in bad_blobs:
            report.bad.append((tag, bad_blobs[blob]))
            continue
        if blob in known:
            meta["form"] = (cache.read_meta(known[blob]) or {}).get("form", "unknown")
            cache.store_alias(tag, known[blob], blob, sched, meta)
            report.aliased.append((tag, known[blob]))
            continue
        if size > MAX_SOURCE_BYTES or data.get(blob) is None:
            report.bad.append((tag, f"kernel/fork.c of {tag} is {size:,} bytes, over the limit"))
            continue
        try:
            meta["form"] = form_of(tag, data[blob])
        except ExplorerError as e:
            bad_blobs[blob] = e.message
            report.bad.append((tag, e.message))
            continue
        cache.store(tag, data[blob], sched, meta)
        known[blob] = tag
        report.fetched.append(tag)
    return report
