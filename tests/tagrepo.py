"""A linux-clone-like git repository built at test (or benchmark) time.

Its tags carry the real fork.c files (the Debian ones from the cache, the
../shared/testdata ones) as kernel/fork.c, plus whatever the caller derives
from them; nothing of it is ever committed to this repository.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z"}


def git(repo: Path, *args: str, data: bytes | None = None) -> str:
    env = dict(os.environ, **GIT_ENV)
    r = subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, env=env, check=True)
    return r.stdout.decode().strip()


def _tree(repo: Path, files: dict[str, bytes]) -> str:
    """A tree object for {path: bytes}, nested folders included."""
    here: dict[str, bytes] = {}
    sub: dict[str, dict[str, bytes]] = {}
    for path, data in files.items():
        head, _, rest = path.partition("/")
        if rest:
            sub.setdefault(head, {})[rest] = data
        else:
            here[head] = data
    lines = []
    for name, data in here.items():
        lines.append(f"100644 blob {git(repo, 'hash-object', '-w', '--stdin', data=data)}\t{name}")
    for name, files_below in sub.items():
        lines.append(f"040000 tree {_tree(repo, files_below)}\t{name}")
    return git(repo, "mktree", data="\n".join(sorted(lines, key=lambda s: s.split("\t")[1])).encode() + b"\n")


def make_repo(repo: Path, tags: dict[str, dict[str, bytes]], annotated=()) -> Path:
    """A bare-enough repository with one commit per tag holding its files."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    parent = None
    for tag, files in tags.items():
        tree = _tree(repo, files)
        args = ["commit-tree", tree, "-m", tag] + (["-p", parent] if parent else [])
        parent = git(repo, *args)
        if tag in annotated:
            git(repo, "tag", "-a", "-m", tag, tag, parent)
        else:
            git(repo, "tag", tag, parent)
    return repo


# One error check of v5.4's copy_process, edited in place by edited_guard(): a change a history must find.
NEWUSER_FS_CHECK = b"if ((clone_flags & (CLONE_NEWUSER|CLONE_FS)) == (CLONE_NEWUSER|CLONE_FS))"
NEWUSER_FS_EDITED = b"if ((clone_flags & (CLONE_NEWUSER|CLONE_FS)) == (CLONE_NEWUSER|CLONE_FS) && 1)"


def edited_guard(fork: bytes) -> bytes:
    """v5.4's fork.c with its CLONE_NEWUSER|CLONE_FS check widened."""
    assert fork.count(NEWUSER_FS_CHECK) == 1, "the CLONE_NEWUSER|CLONE_FS check moved; pick another"
    return fork.replace(NEWUSER_FS_CHECK, NEWUSER_FS_EDITED)


def release_series(bases: list[tuple[str, bytes]], per_base: int, variant_every: int = 5,
                   edit: tuple[str, object] | None = None) -> dict[str, dict[str, bytes]]:
    """Tags PREFIX.1 .. PREFIX.per_base for each (prefix, fork.c) base, oldest
    first, as in a clone's release series: each run of `variant_every` tags
    shares one file (aliases), the next run gets a variant of its own (a
    comment line added); edit = (tag, function) rewrites the file of that
    tag and of every later tag of its series (a check changed in a release)."""
    tags: dict[str, dict[str, bytes]] = {}
    for prefix, data in bases:
        editing = False
        for i in range(1, per_base + 1):
            tag = f"{prefix}.{i}"
            editing = editing or (edit is not None and tag == edit[0])
            head, _, rest = data.partition(b"\n")
            body = head + b"\n/* series variant %d */\n" % ((i - 1) // variant_every) + rest
            tags[tag] = {"kernel/fork.c": edit[1](body) if editing else body}
    return tags
