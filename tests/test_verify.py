"""Checked against the very kernel: `fork-explorer verify` boots the Debian
kernel built from the same package as each fetched Debian source under QEMU
and compares its clone()/clone3() answers with the executor's sweep.  No
list of known differences: every word must agree.

The boots need qemu-system-x86, gcc with a static libc, and apt access to
Debian's archive (./dev.sh test installs and reaches them); otherwise the
tests skip with the reason, and fail under CI.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import explorer.sources
from conftest import need, need_tool, unavailable
from explorer.cli import main
from explorer.errors import VerifyError
from explorer.render.verification import badge_text
from explorer.verify import DEFAULT_FLAGS, cached_result, verify
from explorer.verify import boot as vboot
from explorer.verify.kernel_image import extract_vmlinuz, image_for, kernels_dir

pytestmark = pytest.mark.oracle


def _need_vm_tools():
    need_tool("qemu-system-x86_64", "verify boots Debian's kernels with it (apt-get install qemu-system-x86)")
    need_tool("gcc", "it builds the static probe")
    need_tool("apt-get", "verify downloads Debian's kernel images with it")
    if not Path("/usr/lib/x86_64-linux-gnu/libc.a").exists():
        unavailable("glibc's static libc.a is missing (apt-get install libc6-dev)")


@pytest.fixture(scope="module", params=["debian-5.10", "debian-6.1", "debian-6.12"])
def verified(request):
    _need_vm_tools()
    need(request.param)
    try:
        return verify(request.param)
    except VerifyError as e:
        unavailable(f"cannot boot the Debian kernel of {request.param}: {e}")


def test_the_debian_kernel_agrees_on_every_word_in_every_mode(verified):
    assert set(verified["modes"]) == {"root", "nobody", "clone3"}
    for mode, m in verified["modes"].items():
        assert m["total"] == 1 << len(DEFAULT_FLAGS) == 4096
        assert m["agree"] == 4096, f"{verified['label']} {mode}: {m['disagree'][:5]}"
    k = verified["kernel"]
    # the image is the one built from the source's own package version
    meta = explorer.sources.get(verified["label"]).meta
    assert k["version"] == meta["package_version"] and k["note"] is None
    assert k["uname"].split("-")[0].startswith(k["version"].split(".")[0])   # 6.1.0-57-amd64 for 6.1.x


def test_the_result_is_cached_for_the_badge(verified):
    again = cached_result(verified["label"])
    assert again == json.loads(json.dumps(verified))
    text = badge_text(again)
    upstream = verified["kernel"]["version"].split("-")[0]
    assert text.startswith(f"checked against Linux {upstream} ") and "12288/12288 agree" in text


def test_a_version_without_a_debian_kernel_says_so(with_testdata, capsys):
    assert main(["verify", "v2.6.32.69"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not come from a Debian linux-source package" in err


def test_bad_modes_and_labels_are_one_line(capsys):
    assert main(["verify", "debian-6.12", "--modes", "root,sideways"]) == 2
    assert "modes are root, nobody, clone3" in capsys.readouterr().err
    assert main(["verify", "no-such-version"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_package_that_is_not_a_kernel_image_is_refused(tmp_path):
    need_tool("dpkg-deb", "it builds a fake package")
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text("Package: not-a-kernel\nVersion: 1.0\nArchitecture: all\n"
                                             "Maintainer: x <x@example.org>\nDescription: no vmlinuz here\n")
    (root / "boot").mkdir()
    (root / "boot" / "config-6.1.0").write_text("CONFIG_X=y\n")
    deb = tmp_path / "not-a-kernel.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True,
                   capture_output=True)
    with pytest.raises(VerifyError, match="not a kernel image"):
        extract_vmlinuz(deb, tmp_path / "vmlinuz")
    assert not (tmp_path / "vmlinuz").exists()


def test_a_user_file_has_no_kernel_to_boot():
    with pytest.raises(VerifyError, match="upstream tags and user files cannot be verified"):
        image_for("my-vendor", {"origin": "user /tmp/fork.c", "provider": "user"})


# -- the probe's output, cut short or garbled: a clear error, nothing cached ----------------

def _lines(words: int, modes=("root",), cut: int | None = None) -> list[str]:
    out = ["FXV UNAME 6.1.0-57-amd64"]
    for m in modes:
        out.append(f"FXV BEGIN {m}")
        out += [f"{w:#x} ok" for w in range(words)]
        out.append(f"FXV END {m} {words}")
    out.append("FXV DONE")
    return out[:cut] if cut else out


def test_complete_probe_output_parses():
    r = vboot._parse(_lines(8, ("root", "clone3")), ["root", "clone3"], 8, "tcg", 1.0)
    assert r.uname == "6.1.0-57-amd64" and len(r.answers["clone3"]) == 8


@pytest.mark.parametrize("lines, says", [
    (_lines(8, cut=5), "cut short"),
    (_lines(8)[:-1], "before the probe said DONE"),
    ([ln.replace("FXV END root 8", "FXV END root 9") for ln in _lines(8)], "cut short or garbled"),
    ([ln.replace("0x3 ok", "0x3 TIMEOUT") for ln in _lines(8)], "could not run every word"),
])
def test_broken_probe_output_is_an_error(lines, says):
    with pytest.raises(VerifyError, match=says):
        vboot._parse(lines, ["root"], 8, "tcg", 1.0)


def test_initramfs_is_a_newc_archive_the_cpio_tool_lists(tmp_path):
    cpio = need_tool("cpio", "it lists the initramfs we write")
    img = vboot.initramfs(b"\x7fELF-not-really", ["root"], [0, 0x100])
    r = subprocess.run([cpio, "-t"], input=img, capture_output=True, check=True)
    assert r.stdout.decode().split() == ["dev", "dev/console", "init", "modes", "words"]


def test_a_boot_that_never_reaches_the_probe_times_out(tmp_path):
    """A real kernel whose /init never answers: one clear error within the timeout."""
    _need_vm_tools()
    kernels = sorted(kernels_dir().glob("*/vmlinuz"))
    if not kernels:
        unavailable("no Debian kernel image is cached yet (the verification tests above fetch one)")
    silent = tmp_path / "silent.c"
    silent.write_text("#include <unistd.h>\nint main(void){ for(;;) pause(); }\n")
    exe = tmp_path / "init"
    subprocess.run(["gcc", "-static", "-O2", "-o", str(exe), str(silent)], check=True, capture_output=True)
    initrd = tmp_path / "initrd"
    initrd.write_bytes(vboot.initramfs(exe.read_bytes(), ["root"], [0]))
    with pytest.raises(VerifyError, match="did not finish the probe within 12 s"):
        vboot.boot(kernels[0], initrd, ["root"], 1, accel="tcg", timeout=12)
