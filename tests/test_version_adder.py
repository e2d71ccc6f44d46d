"""The version picker's "Add a version": a fork.c or kernel tarball uploaded in
the app (a reading group that is offline), or a path on the explorer's
machine, goes through the same checks as `fork-explorer sources add`; the new
version is listed and picked.  Bad input is one clear line in the widget."""
from __future__ import annotations

import io
import tarfile
from datetime import datetime, timezone

import pytest

from explorer import sources
from explorer.widgets import VersionPicker

from conftest import make_home, shared_path


@pytest.fixture
def picker(tmp_path, monkeypatch):
    home = make_home(tmp_path / "home", debian=())
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(tmp_path / "no-sources"))
    monkeypatch.setenv("FORK_EXPLORER_LINUX_GIT", str(tmp_path / "no-git"))
    p = VersionPicker()
    p.picked = []
    p.on_pick(p.picked.append)
    return p


def upload(p: VersionPicker, name: str, data: bytes) -> None:
    """What the browser's FileUpload hands Python when a reader chooses a file."""
    p.adder.upload.value = ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
                             "last_modified": datetime.now(timezone.utc)},)


def said(p: VersionPicker) -> str:
    return p.adder.message.value


def test_an_uploaded_fork_c_is_checked_added_and_picked(picker):
    data = shared_path("testdata/v2.6.32.69/fork.c").read_bytes()
    picker.add_toggle.value = True
    assert picker.adder.layout.display == ""
    picker.adder.label.value = "v2.6.32.69"          # the manifest's label (it pins no blob for it)
    upload(picker, "fork.c", data)
    assert "fork.c" in said(picker) and f"{len(data):,} bytes" in said(picker)
    picker.adder.add_button.click()
    assert picker.picked == ["v2.6.32.69"] and picker.dropdown.value == "v2.6.32.69"
    assert "v2.6.32.69" in picker.available and sources.get("v2.6.32.69").data == data
    assert "Added v2.6.32.69" in said(picker) and "do_fork form" in said(picker) and "2.6.32" in said(picker)
    assert picker.adder.upload.value == () and picker.adder.label.value == ""      # ready for the next one


def test_an_uploaded_tarball_and_a_local_path_go_the_same_way(picker, tmp_path):
    data = shared_path("testdata/v2.6.32.69/fork.c").read_bytes()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("linux-2.6.32.69/kernel/fork.c")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    picker.adder.label.value = "old-group-copy"
    picker.adder.kernel_version.value = "2.6.32"
    upload(picker, "linux-2.6.32.69.tar.gz", buf.getvalue())
    picker.adder.add_button.click()
    assert picker.picked == ["old-group-copy"] and sources.get("old-group-copy").data == data
    assert sources.get("old-group-copy").meta["kernel_version"] == "2.6.32"
    five = shared_path("testdata/v5.4/fork.c")
    picker.adder.label.value = "v5.4"
    picker.adder.kernel_version.value = ""
    picker.adder.path.value = str(five)
    picker.adder.add_button.click()
    assert picker.picked[-1] == "v5.4" and sources.get("v5.4").data == five.read_bytes()
    assert "_do_fork form" in said(picker) and "5.4" in said(picker)
    # versions sort by release in the list
    labels = [lb for _, lb in picker.dropdown.options]
    assert labels.index("old-group-copy") < labels.index("v5.4")


@pytest.mark.parametrize("case", ["not fork.c", "blob mismatch", "no label", "bad label", "nothing chosen",
                                  "missing path", "broken tarball", "bad release"])
def test_bad_input_is_one_clear_line_in_the_widget(picker, case):
    data = shared_path("testdata/v2.6.32.69/fork.c").read_bytes()
    a = picker.adder
    a.label.value = "mine"
    if case == "not fork.c":
        upload(picker, "notes.c", b"int main(void) { return 0; }\n")
        want = "uploaded notes.c does not look like kernel/fork.c"      # named as the reader knows it
    elif case == "blob mismatch":
        a.label.value = "debian-6.12"                  # the manifest pins 6.12's blob: 2.6.32 is refused
        upload(picker, "fork.c", data)
        want = "manifest expects"
    elif case == "no label":
        a.label.value = "  "
        upload(picker, "fork.c", data)
        want = "label"
    elif case == "bad label":
        a.label.value = "../escape"
        upload(picker, "fork.c", data)
        want = "label"
    elif case == "nothing chosen":
        want = "choose a fork.c"
    elif case == "missing path":
        a.path.value = "/nonexistent/fork.c"
        want = "/nonexistent/fork.c"
    elif case == "broken tarball":
        upload(picker, "linux.tar.xz", b"\xfd7zXZ\x00 not really")
        want = "tar"
    else:
        a.kernel_version.value = "two point six"
        upload(picker, "fork.c", data)
        want = "two point six"
    before = list(picker.dropdown.options)
    assert a.add() is None
    text = said(picker)
    assert "Not added" in text and want.lower() in text.lower(), text
    assert "Traceback" not in text and "\n" not in text and "/downloads/" not in text
    assert picker.picked == [] and list(picker.dropdown.options) == before
