"""What JupyterLab's session writes to the tour notebooks: the contents manager
that `./dev.sh explore --lab` and binder/start configure (explorer/lab), on the
real notebooks copied to a temporary folder."""
from __future__ import annotations

import asyncio
import shutil

import pytest

from conftest import REPO

pytest.importorskip("jupytext")

from explorer.lab import CONFIG_DIR, text_header_without_versions  # noqa: E402
from explorer.lab.__main__ import lab_argv, lab_env  # noqa: E402
from explorer.lab.contents import TourContentsManager  # noqa: E402

NB = "04_flag_playground"


@pytest.fixture
def tour(tmp_path):
    for ext in ("ipynb", "md"):
        shutil.copy(REPO / "notebooks" / f"{NB}.{ext}", tmp_path)
    return tmp_path


def run(coro):
    return asyncio.run(coro)


def test_a_saved_run_leaves_the_tour_files_as_git_has_them(tour):
    before = {p.name: p.read_bytes() for p in tour.iterdir() if p.is_file()}
    cm = TourContentsManager(root_dir=str(tour))
    model = run(cm.get(f"{NB}.ipynb"))
    nb = model["content"]
    # what the page holds after Run All: outputs, counts, the kernel's info, widget state
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for i, cell in enumerate(code, 1):
        cell["execution_count"] = i
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert "language_info" in nb["metadata"]
    run(cm.save({"type": "notebook", "content": nb}, f"{NB}.ipynb"))
    after = {p.name: p.read_bytes() for p in tour.iterdir() if p.is_file()}
    assert after == before


def test_an_edit_to_the_tour_is_still_saved_in_both_twins(tour):
    cm = TourContentsManager(root_dir=str(tour))
    nb = run(cm.get(f"{NB}.ipynb"))["content"]
    nb["cells"][0]["source"] += "\n\nA reading group's own remark."
    run(cm.save({"type": "notebook", "content": nb}, f"{NB}.ipynb"))
    for ext in ("ipynb", "md"):
        assert "reading group's own remark" in (tour / f"{NB}.{ext}").read_text(encoding="utf-8")
    assert "jupytext_version" not in (tour / f"{NB}.md").read_text(encoding="utf-8")


def test_the_page_gets_the_kernels_language_info_so_opening_is_not_a_change(tour):
    from ipykernel.ipkernel import IPythonKernel

    cm = TourContentsManager(root_dir=str(tour))
    for name in (f"{NB}.ipynb", f"{NB}.md"):
        meta = run(cm.get(name))["content"]["metadata"]
        assert meta["language_info"]["version"] == IPythonKernel.language_info["version"]
    assert "language_info" not in (tour / f"{NB}.ipynb").read_text(encoding="utf-8")


def test_an_unpaired_notebook_is_saved_as_the_reader_left_it(tour):
    cm = TourContentsManager(root_dir=str(tour))
    nb = run(cm.get(f"{NB}.ipynb"))["content"]
    nb["metadata"].pop("jupytext")
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "mine\n"}]
    run(cm.save({"type": "notebook", "content": nb}, "scratch.ipynb"))
    assert "mine" in (tour / "scratch.ipynb").read_text(encoding="utf-8")


def test_version_stamps_leave_only_the_twins_header():
    text = ("---\njupyter:\n  jupytext:\n    formats: ipynb,md\n    text_representation:\n"
            "      extension: .md\n      format_name: markdown\n      format_version: '1.3'\n"
            "      jupytext_version: 1.19.7\n---\n\n    jupytext_version: 9 stays in the body\n")
    out = text_header_without_versions(text)
    assert "format_version" not in out and "jupytext_version: 1.19.7" not in out
    assert out.endswith("    jupytext_version: 9 stays in the body\n")
    assert text_header_without_versions("# not a twin\n") == "# not a twin\n"


def test_the_lab_command_adds_the_settings_and_allow_root_only_as_root(monkeypatch):
    env = lab_env({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(":") == [str(CONFIG_DIR), "/elsewhere"]
    assert (CONFIG_DIR / "labconfig" / "default_setting_overrides.json").is_file()
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert lab_argv(["notebooks/"])[-1] == "--allow-root"
    assert lab_argv(["notebooks/", "--allow-root"]).count("--allow-root") == 1
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert "--allow-root" not in lab_argv(["notebooks/"])
