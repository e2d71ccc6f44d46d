"""Every version knows its kernel version, and versions sort by it (issue 12)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import explorer
import explorer.sources as sources
from explorer import cparse
from conftest import REPO, make_home, need, shared_path
from explorer.errors import LabelError
from explorer.executor import program_for
from explorer.sources import manifest


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=180, env=env)


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = make_home(tmp_path / "home")
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(h))
    return h


def test_add_records_the_kernel_version_given_or_read_from_the_label(home):
    old = shared_path("testdata/v2.6.32.69/fork.c")
    assert cparse.add_source("vendor-old", str(old), kernel_version="2.6.32")["kernel_version"] == "2.6.32"
    assert cparse.add_source("v5.4.6-lab", str(shared_path("testdata/v5.4/fork.c")))["kernel_version"] == "5.4.6"
    rows = {r["label"]: r for r in sources.list_versions()}
    assert rows["vendor-old"]["kernel_version"] == "2.6.32"
    assert rows["v5.4.6-lab"]["kernel_version"] == "5.4.6"
    # the fetched Debian packages know theirs from the package version
    pkg = rows["debian-6.12"]
    assert pkg["kernel_version"] and pkg["origin"].split()[-1].startswith(pkg["kernel_version"])


def test_versions_sort_by_kernel_version_everywhere(home):
    cparse.add_source("vendor-old", str(shared_path("testdata/v2.6.32.69/fork.c")), kernel_version="2.6.32")
    # "vendor-old" says no release in its name: only the recorded version places it first
    assert sources.sort_labels(["debian-6.12", "vendor-old", "debian-6.1"]) == \
        ["vendor-old", "debian-6.1", "debian-6.12"]
    assert sources.available()[0] == "vendor-old"
    listed = [r["label"] for r in sources.list_versions()]
    assert listed.index("vendor-old") < listed.index("debian-6.1")
    h = explorer.diff.history("copy_process", [explorer.load(lb) for lb in ("debian-6.12", "vendor-old")])
    assert h.labels == ["vendor-old", "debian-6.12"]


def test_the_executor_takes_the_flags_of_the_recorded_release(home):
    cparse.add_source("vendor-old", str(shared_path("testdata/v2.6.32.69/fork.c")), kernel_version="2.6.32")
    flags = program_for(explorer.load("vendor-old")).flags.values
    assert "CLONE_STOPPED" in flags and "CLONE_NEWCGROUP" not in flags


def test_manifest_versions_are_in_release_order_and_know_their_version():
    vs = manifest.versions()
    keys = [tuple(int(x) for x in v.release.split(".")) for v in vs]
    assert keys == sorted(keys)
    v = manifest.get("debian-5.10")
    assert v.release == v.package_version.split("-")[0] and v.release.startswith("5.10")


def test_bad_kernel_version_is_refused(home):
    with pytest.raises(LabelError):
        cparse.add_source("vendor-x", str(shared_path("testdata/v5.4/fork.c")), kernel_version="five")
    r = cli("sources", "add", "vendor-x", str(shared_path("testdata/v5.4/fork.c")), "--kernel-version", "5")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_debian_510_is_the_first_kernel_clone_release():
    mod = need("debian-5.10")
    assert mod.fork_entry.name == "kernel_clone" and "copy_process" in mod.functions
    assert sources.kernel_version("debian-5.10").startswith("5.10")
    # the blob the cache verified is the one the manifest pins for this package version
    src = sources.get("debian-5.10")
    if src.meta.get("package_version") == manifest.get("debian-5.10").package_version:
        assert src.blob == manifest.get("debian-5.10").blob


def test_cli_add_json_reports_the_kernel_version(home):
    r = cli("sources", "add", "vendor-old", str(shared_path("testdata/v2.6.32.69/fork.c")),
            "--kernel-version", "2.6.32", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["kernel_version"] == "2.6.32"


# -- adding an old version from a kernel tarball, a tree or an upload (offline groups) --

def _tarball(dest, fork_bytes, suffix="xz"):
    import io
    import tarfile
    path = dest / f"linux-2.6.32.69.tar.{suffix}"
    with tarfile.open(path, f"w:{suffix}") as tf:
        info = tarfile.TarInfo("linux-2.6.32.69/kernel/fork.c")
        info.size = len(fork_bytes)
        tf.addfile(info, io.BytesIO(fork_bytes))
    return path


def test_add_takes_a_kernel_tarball_a_tree_or_an_upload(home, tmp_path):
    data = shared_path("testdata/v2.6.32.69/fork.c").read_bytes()
    r = cparse.add_source("v2.6.32.69", str(_tarball(tmp_path, data)))
    assert r["kernel_version"] == "2.6.32" and r["form"] == "do_fork"
    assert sources.get("v2.6.32.69").data == data
    tree = tmp_path / "tree" / "kernel"
    tree.mkdir(parents=True)
    (tree / "fork.c").write_bytes(data)
    assert cparse.add_source("old-tree", str(tmp_path / "tree"), kernel_version="2.6.32")["kernel_version"] == "2.6.32"
    up = cparse.add_upload("old-upload", "fork.c", data, kernel_version="2.6.32")
    assert up["origin"] == "upload fork.c" and sources.get("old-upload").data == data
    up = cparse.add_upload("old-upload-tar", "linux.tar.gz", _tarball(tmp_path, data, "gz").read_bytes(),
                            kernel_version="2.6.32")
    assert sources.get("old-upload-tar").data == data


def test_a_tarball_without_fork_c_or_broken_is_refused_in_one_line(home, tmp_path):
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(b"\xfd7zXZ\x00 not really")
    import io
    import tarfile
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tf:
        info = tarfile.TarInfo("linux/README")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"hi\n"))
    for path in (broken, other):
        r = cli("sources", "add", "vendor-bad", str(path))
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert path.name in r.stderr
