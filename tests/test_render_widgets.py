"""The widgets' Python side on real files: what the front end is sent, what the
editor writes through the store, how the version picker reports a fetch."""
from __future__ import annotations

import pytest

from explorer.annotations import Store
from explorer.widgets import App, SourceView, VersionPicker
from explorer.widgets.annotation_editor import AnnotationEditor

from test_render import HOSTILE_EN, HOSTILE_JA, guard_line, parse_rows


def test_source_view_sends_rows_spans_and_trace(mod612):
    view = SourceView(mod612, "copy_process")
    fn = mod612.function("copy_process")
    rows = parse_rows(view.table).rows
    assert min(rows) == fn.start_line and max(rows) == fn.end_line
    line = guard_line(mod612)
    idx = int(rows[line]["node"])
    assert view.spans[idx][1] == "if_statement" and view.spans[idx][2] == line
    rev = view.trace_rev
    view.set_trace([line, line + 1, line], decided=line + 1)
    assert view.executed == [line, line + 1] and view.decided == line + 1 and view.trace_rev == rev + 1
    view.select(line)
    assert view.selected_line == line and mod612.node_by_id(view.selected_node).start_point[0] + 1 == line
    view.show(mod612)  # whole file: trace and selection cleared
    assert view.executed == [] and view.selected_line == 0 and len(parse_rows(view.table).rows) == mod612.line_count


def test_editor_adds_then_edits_through_the_store(mod612, mod61, tmp_path):
    store = Store(tmp_path)
    view = SourceView()
    editor = AnnotationEditor(view, store)
    view.show(mod612)
    editor.set_module(mod612)
    line = guard_line(mod612)
    view.select(line)
    assert editor.editing is None and not editor.save_button.disabled
    editor.ja.value, editor.en.value = HOSTILE_JA, HOSTILE_EN
    rid = editor.save()
    assert rid and "saved" in editor.message.value
    ann = store.get(rid)
    assert ann.text == {"ja": HOSTILE_JA, "en": HOSTILE_EN} and ann.written_against == "debian-6.12"
    assert [n["line"] for n in view.notes] == [line] and view.notes[0]["ja"] == HOSTILE_JA
    yaml_text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.yaml"))
    assert "悪意" in yaml_text
    # selecting the same line again edits that note instead of adding another
    view.select(line + 1)
    view.select(line)
    assert editor.editing == rid and editor.ja.value == HOSTILE_JA
    editor.en.value = "Threads share their signal handlers."
    assert editor.save() == rid
    assert Store(tmp_path).get(rid).text["en"] == "Threads share their signal handlers."
    assert len(Store(tmp_path).list()) == 1
    # the status summary is escaped and follows the version
    view.show(mod61)
    editor.set_module(mod61)
    assert "exact 1" in editor.summary.value or "moved 1" in editor.summary.value
    assert "<script>" not in editor.summary.value
    assert [n["line"] for n in view.notes] == [guard_line(mod61)]


def test_editor_refuses_empty_text(mod612, tmp_path):
    view = SourceView(mod612)
    editor = AnnotationEditor(view, Store(tmp_path))
    editor.set_module(mod612)
    view.select(guard_line(mod612))
    assert editor.save() is None and "Write some text" in editor.message.value
    assert not list(tmp_path.rglob("*.yaml"))


def test_version_picker_lists_versions_and_reports_a_failed_fetch(mod612, tmp_path, monkeypatch):
    picker = VersionPicker("debian-6.12")
    labels = [v for _, v in picker.dropdown.options]
    assert "debian-6.12" in labels and "debian-6.1" in labels
    assert labels.index("debian-6.1") < labels.index("debian-6.12")   # release order
    assert picker.fetch_button.layout.display == "none"
    missing = [lb for lb in labels if lb not in picker.available]
    if not missing:
        pytest.skip("every known version is fetched")
    # a version that cannot be fetched offline: every provider refused -> a message, not a traceback
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path))
    monkeypatch.setenv("FORK_EXPLORER_CGIT_BASE", "http://127.0.0.1:9/none")
    monkeypatch.setenv("FORK_EXPLORER_LINUX_GIT", str(tmp_path / "no-git"))
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(tmp_path / "no-src"))
    label = next((lb for lb in missing if lb.startswith("v")), missing[0])
    picked = []
    picker.on_pick(picked.append)
    picker.dropdown.value = label
    assert picker.fetch_button.layout.display == "" and "not fetched" in picker.status.value
    picker.fetch(label, wait=True)
    assert picked == [] and "could not fetch" in picker.status.value
    assert picker.progress.bar_style == "danger"


def test_app_loads_the_newest_debian_version(mod612):
    app = App()
    assert app.module is not None and app.module.label == "debian-6.12"
    assert 'data-label="debian-6.12"' in app.ready.value
    assert len(parse_rows(app.view.table).rows) == mod612.line_count


def test_diff_view_aligns_the_two_versions_guards(mod61, mod612):
    from explorer.widgets.diff_view import DiffView

    view = DiffView()
    view.set_module(mod612)
    assert (view.a.value, view.b.value) == ("debian-6.1", "debian-6.12")
    assert view.function.value == ("copy_process", "copy_process")
    assert ("kernel_clone", "kernel_clone") in [v for _, v in view.function.options]
    out = view.output.value
    # the guard's row carries both real line numbers side by side
    g61, g612 = guard_line(mod61), guard_line(mod612)
    row = next(r for r in out.split("<tr ")[1:] if f'<td class="ln">{g61}</td>' in r)
    assert f'<td class="ln">{g612}</td>' in row
    view.function.value = ("kernel_clone", "kernel_clone")
    assert "kernel_clone" in view.output.value.split("</caption>")[0]


def test_playground_runs_the_executor_and_marks_the_guard(modern):
    from explorer.widgets.playground import FlagPlayground

    view = SourceView(modern)
    pg = FlagPlayground(view)
    pg.set_module(modern)
    assert "CLONE_THREAD" in pg.flag_boxes and "CLONE_PIDFD" in pg.flag_boxes   # 5.2+ flag, from the version
    assert pg.entry.value == modern.fork_entry.name
    line = guard_line(modern)
    pg.flag_boxes["CLONE_THREAD"].value = True
    assert "-EINVAL" in pg.outcome.value and "copy_process" in pg.outcome.value
    assert view.cause == line and line in view.executed
    assert view.decided > line and "EINVAL" in modern.lines[view.decided - 1]
    assert f"line {line}" in pg.outcome.value            # the why names the guard
    pg.flag_boxes["CLONE_SIGHAND"].value = True
    pg.flag_boxes["CLONE_VM"].value = True
    assert "success: pid" in pg.outcome.value and view.cause == 0 and line in view.executed
    # replay: the first step highlights only the entry's first lines
    n = len(pg.trace.steps)
    pg.first.click()
    assert pg.slider.value == 0 and view.step_line == pg.trace.steps[0].line
    assert view.executed == FlagPlayground.executed_lines(pg.trace, 0)
    pg.forward.click()
    assert pg.slider.value == 1 and f"step 2/{n}" in pg.step_info.value
    pg.last.click()
    assert view.decided == pg.trace.outcome.line
    # a callee outside the file, failed from the World, changes the outcome through the executor
    assert "alloc_pid" in [value for _label, value in pg.fail_callee.options]
    pg.fail_errno.value = "ENOMEM"
    pg.fail_callee.value = "alloc_pid"
    assert "-ENOMEM" in pg.outcome.value and pg.trace.outcome.function == "copy_process"
    pg.fail_callee.value = ""
    assert "success: pid" in pg.outcome.value


def test_guard_matrix_links_each_version_to_its_guard_line(mod61, mod612):
    from explorer.widgets.guard_matrix import GuardMatrix

    m = GuardMatrix()
    data = m.show("copy_process", ["debian-6.1", "debian-6.12"])
    assert data["versions"] == ["debian-6.1", "debian-6.12"]
    row = next(r for r in m.html.split("<tr ")[1:] if "CLONE_SIGHAND" in r and "CLONE_THREAD" in r)
    for mod in (mod61, mod612):
        assert f'data-label="{mod.label}" data-line="{guard_line(mod)}"' in row
    assert 'class="same"' in row
    assert "&amp;" in row and "& " not in row.split("</code>")[0]     # conditions are escaped


def test_app_opens_a_matrix_cell_in_the_source_view(mod61, mod612):
    app = App("debian-6.12")
    app.tabs.selected_index = 1
    assert "copy_process" in app.diff.history.html
    app.diff.history.picked = {"label": "debian-6.1", "line": guard_line(mod61), "n": 1}
    assert app.module.label == "debian-6.1" and app.view.selected_line == guard_line(mod61)
    assert app.tabs.selected_index == 0


def test_app_without_any_fetched_version_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path))
    app = App()
    assert app.module is None and "No version of kernel/fork.c is fetched yet" in app.message.value
    assert "sources sync" in app.message.value and app.ready.value == ""
    assert app.picker.fetch_button.layout.display == ""      # the picker offers to fetch


def test_app_go_to_selects_a_function_start(mod612):
    app = App("debian-6.12")
    names = [v for _, v in app.goto.options]
    assert names[1] == "kernel_clone" and "copy_process" in names and "dup_task_struct" in names
    app.goto.value = "copy_process"
    assert app.view.selected_line == mod612.function("copy_process").start_line


def test_playground_config_toggle_changes_the_executed_lines(mod612):
    from explorer.widgets.playground import FlagPlayground

    view = SourceView(mod612)
    pg = FlagPlayground(view)
    pg.set_module(mod612)
    assert "CONFIG_MMU" in pg.config_boxes and pg.config_boxes["CONFIG_MMU"].value is True
    before = set(view.executed)
    pg.config_boxes["CONFIG_MMU"].value = False
    after = set(view.executed)
    assert before != after and pg.config()["CONFIG_MMU"] is False
    # the lines that ran only with CONFIG_MMU come after an #if that tests it
    only_with = before - after
    assert only_with
    assert any(mod612.lines[n - 1].lstrip().startswith("#if") and "CONFIG_MMU" in mod612.lines[n - 1]
               for n in range(1, min(only_with)))


def test_version_picker_fetches_with_a_progress_bar(mod612, tmp_path, monkeypatch):
    """A tarball provider fetch (a tarball built here from Debian's cached 6.12 file)
    drives the widget's progress bar and then picks the new version."""
    import io
    import tarfile

    src = tmp_path / "src"
    src.mkdir()
    data = mod612.source
    with tarfile.open(src / "linux-6.12.tar.xz", "w:xz") as tar:
        info = tarfile.TarInfo("linux-6.12/kernel/fork.c")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FORK_EXPLORER_SOURCE_DIRS", str(src))
    monkeypatch.setenv("FORK_EXPLORER_LINUX_GIT", str(tmp_path / "no-git"))
    picker = VersionPicker()
    assert "v6.12" not in picker.available
    seen = []
    picker.progress.observe(lambda c: seen.append((c["new"], picker.progress.max)), names="value")
    picked = []
    picker.on_pick(picked.append)
    picker.dropdown.value = "v6.12"
    assert picker.fetch_button.layout.display == ""
    picker.fetch("v6.12", wait=True)
    assert picked == ["v6.12"] and "v6.12" in picker.available
    assert "fetched from tarball" in picker.status.value and picker.progress.bar_style == "success"
    assert any(0 < v < m for v, m in seen), seen        # partial progress was shown on the way
    assert picker.fetch_button.layout.display == "none"


def test_editor_annotates_an_enclosing_statement_apart_from_the_line(mod612, tmp_path):
    store = Store(tmp_path)
    view = SourceView(mod612)
    editor = AnnotationEditor(view, store)
    editor.set_module(mod612)
    line = guard_line(mod612)
    view.select(line)
    editor.ja.value = "行の注釈"
    first = editor.save()
    # climb to the statement that holds the guard (what a second click does) and annotate it
    node = mod612.node_by_id(view.selected_node).parent
    view.select(line, mod612.node_id(node))
    assert editor.editing is None and editor.ja.value == ""
    editor.en.value = "the block around the guard"
    second = editor.save()
    assert second and second != first
    # a block is not anchorable by itself: the store pins the note to the statement owning it
    from explorer.anchors import anchorable
    assert store.get(second).anchor.kind == anchorable(mod612, node).type != "if_statement"
    view.select(line)
    assert editor.editing == first


def test_a_zh_note_is_offered_in_chinese_and_translated_in_one_save(mod612, tmp_path):
    """A note imported from Chinese: the view's language switch offers 中文, the
    editor shows the Chinese to translate from, and ja + en land in one update."""
    store = Store(tmp_path)
    view = SourceView()
    editor = AnnotationEditor(view, store)
    view.show(mod612)
    editor.set_module(mod612)
    line = guard_line(mod612)
    row = line - 1
    col = len(mod612.lines[row]) - len(mod612.lines[row].lstrip())
    zh = "线程必须共享信号处理函数 <b>不是粗体</b>"
    rid = store.add(mod612, mod612.tree.root_node.descendant_for_point_range((row, col), (row, col)),
                    {"zh": zh}, source_lang="zh").id
    editor.refresh()
    assert [v for v, _ in view.langs] == ["both", "ja", "en", "zh"] and dict(view.langs)["zh"] == "中文"
    assert view.notes[0]["other"] == {"zh": zh}
    view.select(line)
    assert editor.editing == rid and "<b>不是粗体</b>" not in editor.where.value and "线程必须共享" in editor.where.value
    editor.ja.value, editor.en.value = "スレッドはハンドラを共有する", "Threads share their handlers."
    assert editor.save() == rid
    ann = Store(tmp_path).get(rid)
    assert ann.source_lang == "zh" and set(ann.text) == {"zh", "ja", "en"}
    assert ann.provenance["ja"]["source"] == ann.provenance["en"]["source"] == ann.provenance["zh"]["source"]
    # a version whose notes are all ja/en offers only the shipped pair
    store.delete(rid)
    editor.refresh()
    assert [v for v, _ in view.langs] == ["both", "ja", "en"]
