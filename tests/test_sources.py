"""Sources: every provider, the verified cache and bad input, on our own fixture file.

Each test gets its own FORK_EXPLORER_HOME and manifest, so nothing here
touches the real cache.
"""
from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest

from conftest import cached_labels, fixture_bytes, need_tool
from explorer import sources
from explorer.cli import main
from explorer.errors import BlobMismatch, LabelError, SourceError
from explorer.sources import cache, manifest
from explorer.sources.blob import blob_id
from explorer.sources.providers import (DebianProvider, GitProvider, HttpsProvider, TarballProvider,
                                        read_deb)

SCHED = b"#define CLONE_VM 0x00000100\n#define CLONE_FS 0x00000200\n"


def fork_fixture() -> bytes:
    """Our fixture plus a kernel_clone, so it 'looks like' a fork.c to `sources add`."""
    return fixture_bytes("kernel_style.c") + b"\nlong kernel_clone(struct kernel_clone_args *args)\n{\n\treturn 0;\n}\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A private home and a manifest with one tagged version and one Debian package."""
    home = tmp_path / "home"
    data = fork_fixture()
    mf = tmp_path / "manifest.toml"
    mf.write_text(f'''
[[version]]
label = "v9.9"
tag = "v9.9"
form = "kernel_clone"
entry = "kernel_clone"
blob = "{blob_id(data)}"

[[version]]
label = "v9.8"
tag = "v9.8"
form = "kernel_clone"
entry = "kernel_clone"

[[version]]
label = "debian-9.9"
package = "linux-source-9.9"
form = "kernel_clone"
entry = "kernel_clone"
''')
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.setenv("FORK_EXPLORER_MANIFEST", str(mf))
    monkeypatch.delenv("FORK_EXPLORER_LINUX_GIT", raising=False)
    monkeypatch.setenv("FORK_EXPLORER_CGIT_BASE", "http://127.0.0.1:9")  # nothing listens on port 9
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(tmp_path / "no-tarballs"))
    manifest._load.cache_clear()
    yield {"home": home, "data": data, "tmp": tmp_path}
    manifest._load.cache_clear()


def _kernel_tarball(path: Path, data: bytes, top: str = "linux-9.9") -> Path:
    with tarfile.open(path, "w:xz") as tf:
        for name, content in ((f"{top}/include/uapi/linux/sched.h", SCHED), (f"{top}/kernel/fork.c", data),
                              (f"{top}/Makefile", b"VERSION = 9\n")):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tf.addfile(info, io.BytesIO(content))
    return path


def run_cli(*argv, capsys):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------------ providers
def test_git_provider_reads_a_tag_from_a_local_clone(env, monkeypatch, capsys):
    need_tool("git", "the git provider reads a local clone")
    repo = env["tmp"] / "linux"
    (repo / "kernel").mkdir(parents=True)
    (repo / "include/uapi/linux").mkdir(parents=True)
    (repo / "kernel/fork.c").write_bytes(env["data"])
    (repo / "include/uapi/linux/sched.h").write_bytes(SCHED)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-qm", "x"], check=True)
    subprocess.run(git + ["tag", "v9.9"], check=True)
    got = GitProvider(str(repo)).fetch(manifest.require("v9.9"))
    assert got.data == env["data"] and got.sched_h == SCHED
    monkeypatch.setenv("FORK_EXPLORER_LINUX_GIT", str(repo))
    rc, out, _ = run_cli("sources", "sync", "v9.9", "--json", capsys=capsys)
    rep = json.loads(out)["versions"][0]
    assert rc == 0 and rep["status"] == "fetched" and rep["origin"].startswith("git ")
    assert sources.get("v9.9").data == env["data"]


def test_tarball_provider_streams_fork_c_and_sched_h(env, monkeypatch):
    d = env["tmp"] / "tarballs"
    d.mkdir()
    _kernel_tarball(d / "linux-9.9.tar.xz", env["data"])
    got = TarballProvider([str(d)]).fetch(manifest.require("v9.9"))
    assert got.data == env["data"] and got.sched_h == SCHED
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(d))
    rep = sources.sync(["v9.9"])[0]
    assert rep["status"] == "fetched" and "tarball" in rep["origin"]
    assert any(t.startswith("git:") for t in rep["tried"])  # the unreachable provider said so and was passed


def test_tarball_provider_reads_an_unpacked_tree(env):
    tree = env["tmp"] / "trees" / "linux-9.9"
    (tree / "kernel").mkdir(parents=True)
    (tree / "kernel/fork.c").write_bytes(env["data"])
    got = TarballProvider([str(tree.parent)]).fetch(manifest.require("v9.9"))
    assert got.data == env["data"] and got.sched_h is None


def test_debian_deb_is_read_without_unpacking(env):
    need_tool("dpkg-deb", "building a test .deb")
    pkg = env["tmp"] / "pkg"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "usr/src").mkdir(parents=True)
    (pkg / "DEBIAN/control").write_text("Package: linux-source-9.9\nVersion: 9.9.1-1\nArchitecture: all\n"
                                        "Maintainer: t <t@t>\nDescription: test\n")
    _kernel_tarball(pkg / "usr/src/linux-source-9.9.tar.xz", env["data"], top="linux-source-9.9")
    deb = env["tmp"] / "linux-source-9.9_9.9.1-1_all.deb"
    subprocess.run(["dpkg-deb", "-Zxz", "--build", str(pkg), str(deb)], check=True, capture_output=True)
    fork, sched = read_deb(deb, "linux-source-9.9")
    assert fork == env["data"] and sched == SCHED


def test_debian_provider_downloads_the_real_package(env):
    """apt-get download of a real package (no root needed); skipped where apt cannot reach it."""
    need_tool("apt-get", "the debian provider downloads with it")
    v = manifest.Version(label="debian-6.1", form="kernel_clone", entry="kernel_clone", package="linux-source-6.1")
    cached_labels("debian-6.1")   # fetched by ./dev.sh test, so apt reaches the archive here
    got = DebianProvider(workdir=env["tmp"]).fetch(v)
    assert b"copy_process" in got.data and got.meta["package_version"]
    assert got.sched_h and b"CLONE_VM" in got.sched_h


class _Cgit(http.server.BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def cgit(env):
    _Cgit.files = {"/linux/plain/kernel/fork.c?h=v9.9": env["data"],
                   "/linux/plain/include/uapi/linux/sched.h?h=v9.9": SCHED}
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Cgit)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/linux"
    srv.shutdown()


def test_https_provider_against_a_local_cgit_layout(env, cgit, monkeypatch, capsys):
    got = HttpsProvider(cgit).fetch(manifest.require("v9.9"))
    assert got.data == env["data"] and got.sched_h == SCHED
    monkeypatch.setenv("FORK_EXPLORER_CGIT_BASE", cgit)
    rc, out, _ = run_cli("sources", "sync", "v9.9", "--provider", "https", "--json", capsys=capsys)
    assert rc == 0 and json.loads(out)["versions"][0]["status"] == "fetched"
    rc, out, _ = run_cli("sources", "list", "--json", capsys=capsys)
    row = next(r for r in json.loads(out)["versions"] if r["label"] == "v9.9")
    assert row == {"label": "v9.9", "form": "kernel_clone", "status": "cached", "blob": blob_id(env["data"]),
                   "origin": row["origin"], "optional": False, "kernel_version": "9.9"}
    assert row["origin"].startswith("https http://127.0.0.1")


def test_blob_mismatch_is_refused_with_both_ids(env, cgit, monkeypatch, capsys):
    _Cgit.files["/linux/plain/kernel/fork.c?h=v9.9"] = env["data"] + b"/* changed */\n"
    monkeypatch.setenv("FORK_EXPLORER_CGIT_BASE", cgit)
    rc, out, err = run_cli("sources", "sync", "v9.9", "--provider", "https", capsys=capsys)
    assert rc == 2 and err.count("\n") == 1
    assert blob_id(env["data"]) in err and blob_id(env["data"] + b"/* changed */\n") in err
    assert cache.status("v9.9") == "missing"
    assert not (env["home"] / "sources" / "v9.9").exists() or not any((env["home"] / "sources" / "v9.9").iterdir())


def test_offline_every_provider_says_why_in_one_line(env, capsys):
    rc, out, err = run_cli("sources", "sync", "v9.8", "--json", capsys=capsys)
    rep = json.loads(out)["versions"][0]
    assert rc == 1 and rep["status"] == "failed"
    assert [t.split(":")[0] for t in rep["tried"]] == ["git", "tarball", "debian", "https"]
    assert all("\n" not in t for t in rep["tried"])
    assert "cannot reach 127.0.0.1:9" in rep["tried"][-1]


# --------------------------------------------------------------- the cache
def test_cache_notices_a_tampered_file(env):
    cache.store("v9.8", env["data"], None, {"origin": "test"})
    assert sources.get("v9.8").data == env["data"]
    path = env["home"] / "sources" / "v9.8" / "fork.c"
    path.write_bytes(env["data"].replace(b"demo_free", b"demo_leak"))
    assert cache.status("v9.8") == "modified"
    with pytest.raises(SourceError, match="was modified"):
        sources.get("v9.8")


def test_interrupted_store_leaves_nothing_half_written(env, monkeypatch):
    cache.store("v9.8", env["data"], None, {"origin": "first"})
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if str(dst).endswith("fork.c"):
            raise OSError("disk full")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        cache.store("v9.8", env["data"] + b"\n", None, {"origin": "second"})
    monkeypatch.setattr(os, "replace", real_replace)
    # meta.json went first, so the entry reads as missing rather than as a mix of two fetches
    assert cache.status("v9.8") == "missing"
    assert not list((env["home"] / "sources" / "v9.8").glob("*.tmp"))


# ------------------------------------------------------------- user files
def test_add_registers_a_local_file_and_it_parses(env, capsys):
    p = env["tmp"] / "vendor-fork.c"
    p.write_bytes(env["data"])
    rc, out, _ = run_cli("sources", "add", "vendor-x", str(p), "--json", capsys=capsys)
    assert rc == 0 and json.loads(out)["blob"] == blob_id(env["data"])
    rc, out, _ = run_cli("functions", "vendor-x", "--json", capsys=capsys)
    fns = {f["name"]: f for f in json.loads(out)["functions"]}
    assert fns["sys_democlone"]["kind"] == "syscall" and fns["demo_copy"]["errors"] == 0
    lines = env["data"].split(b"\n")
    assert lines[fns["demo_fork"]["start_line"] - 1].startswith(b"long demo_fork(")


def test_add_checks_the_manifest_blob(env, capsys):
    p = env["tmp"] / "fork.c"
    p.write_bytes(env["data"] + b"\n")
    rc, _, err = run_cli("sources", "add", "v9.9", str(p), capsys=capsys)
    assert rc == 2 and "expects " + blob_id(env["data"]) in err
    assert cache.status("v9.9") == "missing"


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"\x7fELF\x02\x01\x01\0\0\0", "binary"),
    (b"x" * (10 * 1024 * 1024), "limit"),
    (b"static int truncated(void)\n{\n\treturn 0;\n}\nlong kernel_cl", "does not look like kernel/fork.c"),
])
def test_bad_sources_are_refused_and_nothing_is_cached(env, capsys, content, message):
    p = env["tmp"] / "bad.c"
    p.write_bytes(content)
    rc, out, err = run_cli("sources", "add", "bad", str(p), capsys=capsys)
    assert rc == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert cache.status("bad") == "missing"


def test_non_utf8_source_is_accepted(env, capsys):
    p = env["tmp"] / "latin1.c"
    p.write_bytes(env["data"].replace(b"Ren\xe9", b"J\xf6rg \xff\xfe"))
    rc, _, _ = run_cli("sources", "add", "latin1", str(p), capsys=capsys)
    assert rc == 0 and b"\xff\xfe" in sources.get("latin1").data


def test_add_refuses_links_and_special_files(env, capsys):
    real = env["tmp"] / "real.c"
    real.write_bytes(env["data"])
    link = env["tmp"] / "link.c"
    link.symlink_to(real)
    rc, _, err = run_cli("sources", "add", "linked", str(link), capsys=capsys)
    assert rc == 2 and "symbolic link" in err
    rc, _, err = run_cli("sources", "add", "dir", str(env["tmp"]), capsys=capsys)
    assert rc == 2 and "not a regular file" in err


@pytest.mark.parametrize("label", ["../etc", "a/b", "a b", "x;rm -rf", "", "-x", ".hidden", "a..b"])
def test_bad_labels_are_refused(env, capsys, label):
    with pytest.raises(LabelError):
        sources.check_label(label)
    rc, _, err = run_cli("functions", label, capsys=capsys)
    assert rc == 2 and err.count("\n") == 1


def test_unknown_label_and_function(env, capsys):
    rc, _, err = run_cli("functions", "v1.0", capsys=capsys)
    assert rc == 2 and "unknown version 'v1.0'" in err
    rc, _, err = run_cli("functions", "v9.8", capsys=capsys)
    assert rc == 2 and "not fetched yet" in err


def test_release_order():
    labels = ["debian-6.12", "v7.3-rc1", "v2.6.32", "v6.12", "v5.4", "v2.6.11", "v7.3", "debian-6.1", "v6.1"]
    assert sources.sort_labels(labels) == ["v2.6.11", "v2.6.32", "v5.4", "v6.1", "debian-6.1", "v6.12",
                                           "debian-6.12", "v7.3-rc1", "v7.3"]


def test_sync_reports_progress_through_the_callers_factory(env, monkeypatch):
    d = env["tmp"] / "tarballs"
    d.mkdir()
    tarball = _kernel_tarball(d / "linux-9.9.tar.xz", env["data"])
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(d))
    seen = []

    class Bar:
        def __init__(self, total, desc):
            seen.append([total, desc, 0])

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            seen[-1][2] += n

    rep = sources.sync(["v9.9"], progress=Bar)[0]
    assert rep["status"] == "fetched"
    (total, desc, done), = seen
    assert total == tarball.stat().st_size and "linux-9.9.tar.xz" in desc and 0 < done <= total


def test_list_checks_the_manifest_blob_too(env):
    # fork.c and meta.json both rewritten consistently: the cache is self-consistent,
    # but the manifest's blob still tells it is not the file we pinned
    cache.store("v9.9", env["data"] + b"/* edited */\n", None, {"origin": "test"})
    row = next(r for r in sources.list_versions() if r["label"] == "v9.9")
    assert row["status"] == "modified"
    with pytest.raises(BlobMismatch):
        sources.get("v9.9")
