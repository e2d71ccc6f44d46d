"""A shared room without the browser (issue 16): notes record their author
through the Store, the editor writes the hub member's name, a link's
?version=&line= opens that line, and `fork-explorer hub` refuses bad input in
one line.  The real hub, proxy and members are in tests/browser/test_hub.py."""
from __future__ import annotations

import html
import socket

import pytest

from explorer.annotations import Store
from explorer.cli import main
from explorer.members import current_member
from explorer.widgets import App, SourceView
from explorer.widgets.annotation_editor import AnnotationEditor
from explorer.widgets.app import entry_line
from explorer.widgets.position_link import hub_link, shared_position

from test_render import guard_line


def test_the_hub_member_is_the_author_else_the_named_one_else_none():
    assert current_member({"JUPYTERHUB_USER": "alice", "FORK_EXPLORER_AUTHOR": "me"}) == "alice"
    assert current_member({"FORK_EXPLORER_AUTHOR": "  me "}) == "me"
    assert current_member({"JUPYTERHUB_USER": ""}) is None


def test_a_note_written_in_a_hub_room_names_its_author_on_disk_and_in_the_app(mod612, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    view = SourceView()
    editor = AnnotationEditor(view, Store(tmp_path))
    view.show(mod612)
    editor.set_module(mod612)
    line = guard_line(mod612)
    view.select(line)
    editor.en.value = "Threads must share signal handlers."
    rid = editor.save()
    assert rid and "saved" in editor.message.value
    again = Store(tmp_path)                 # another member's kernel reading the shared folder
    assert again.get(rid).author == "alice"
    assert again.get(rid).as_dict()["author"] == "alice"
    [path] = tmp_path.glob("*.yaml")
    data = path.read_bytes()
    assert b"author: alice" in data
    # the front end is sent the author with the note, and the editor names it
    assert [(n["line"], n["author"]) for n in view.notes] == [(line, "alice")]
    view.select(line + 1)
    view.select(line)
    assert "by alice" in editor.where.value
    # another member's edit keeps the note's author and rewrites nothing else
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    editor.en.value = "Threads share their signal handlers."
    assert editor.save() == rid
    assert Store(tmp_path).get(rid).author == "alice"


def test_outside_a_hub_a_note_has_no_author_and_lists_as_before(mod612, tmp_path, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("FORK_EXPLORER_AUTHOR", raising=False)
    store = Store(tmp_path)
    node = mod612.node_by_id(SourceView(mod612).line_statement(guard_line(mod612)))
    ann = store.add(mod612, node, {"en": "alone"}, source_lang="en", author=current_member())
    assert ann.author is None and "author" not in ann.as_dict()
    assert b"author" not in next(tmp_path.glob("*.yaml")).read_bytes()


def test_a_hand_edited_author_that_is_not_a_name_is_a_problem_at_its_line(mod612, tmp_path):
    store = Store(tmp_path)
    node = mod612.node_by_id(SourceView(mod612).line_statement(guard_line(mod612)))
    store.add(mod612, node, {"en": "a note"}, source_lang="en", author="carol")
    [path] = tmp_path.glob("*.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("author: carol", "author: [carol, dave]"), encoding="utf-8")
    [problem] = Store(tmp_path).problems()
    assert "author must be a name" in problem.message
    assert text.splitlines()[problem.line - 1].strip() == "author: carol"
    with pytest.raises(Exception, match="is not a name"):
        Store(tmp_path / "other").add(mod612, node, {"en": "x"}, source_lang="en", author="two\nlines")


def test_a_link_with_version_and_line_opens_that_line(mod61, monkeypatch):
    line = guard_line(mod61)
    monkeypatch.setenv("QUERY_STRING", f"version=debian-6.1&line={line}")
    app = App()
    assert app.module.label == "debian-6.1" and app.view.selected_line == line
    assert app.message.value == ""


def test_a_link_naming_a_missing_version_or_a_bad_line_says_so(mod612, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "version=v9.99&line=10")
    app = App()
    # the default version opens where every first view does, at its fork entry, not at the link's line
    assert app.module is not None and "v9.99" in app.message.value
    assert app.view.selected_line == entry_line(app.module) != 10
    monkeypatch.setenv("QUERY_STRING", "line=ten")
    assert "not a line number" in App().message.value
    monkeypatch.setenv("QUERY_STRING", "line=999999")
    assert "past the end" in App().message.value


def test_in_a_hub_the_source_offers_a_link_to_the_line_for_every_member(mod612, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    alone = App("debian-6.12")
    assert hub_link({"line": 5}) is None and alone.view.link_base == "" and alone.tour.link.base == ""
    monkeypatch.setenv("JUPYTERHUB_USER", "leader")
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/room/")
    app = App("debian-6.12")
    assert app.view.link_base == "/room/hub/user-redirect/voila/render/app.ipynb?version=debian-6.12"
    # a tour stop's link goes the same way, not to this member's own /user/leader/ server
    assert app.tour.link.base == "/room/hub/user-redirect/voila/render/app.ipynb"
    # what the panel's link opens (link_base + "&line=N") is a position the app reads back
    query = (app.view.link_base + f"&line={guard_line(mod612)}").split("?", 1)[1]
    assert shared_position(query) == ("debian-6.12", guard_line(mod612), "")


@pytest.mark.parametrize("argv, env, says", [
    (["hub", "--port", "70000"], {}, "not a TCP port"),
    (["hub", "--members", "alice,bob smith"], {}, "--members"),
    (["hub"], {"FORK_EXPLORER_HUB_PASSWORD": "short"}, "at least 8"),
    (["hub"], {"FORK_EXPLORER_HUB_PROXY": "/nonexistent/chp"}, "not an executable"),
])
def test_hub_bad_input_is_one_line_exit_2(argv, env, says, capsys, monkeypatch, tmp_path):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    rc = main(argv + ["--no-browser", "--state", str(tmp_path / "s"), "--annotations", str(tmp_path / "a")])
    err = capsys.readouterr().err
    assert rc == 2 and says in err and len(err.strip().splitlines()) == 1


def test_hub_on_a_busy_port_says_so(capsys, tmp_path):
    from explorer.cli.cmd_hub import hub_command, proxy_command
    try:
        hub_command(), proxy_command()
    except Exception as e:
        from conftest import unavailable
        unavailable(str(e))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc = main(["hub", "--port", str(port), "--no-browser", "--state", str(tmp_path / "s"),
                   "--annotations", str(tmp_path / "a")])
    err = capsys.readouterr().err
    assert rc == 2 and "already in use" in err and len(err.strip().splitlines()) == 1


def test_annotations_list_names_the_author_of_a_room_note(mod612, tmp_path, monkeypatch, capsys):
    import json
    store = Store(tmp_path)
    node = mod612.node_by_id(SourceView(mod612).line_statement(guard_line(mod612)))
    store.add(mod612, node, {"en": "from the room"}, source_lang="en", author="alice")
    store.add(mod612, node.parent, {"en": "from alone"}, source_lang="en")
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(tmp_path))
    assert main(["annotations", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["annotations"]
    assert [r.get("author") for r in rows] == ["alice", None]
    assert main(["annotations", "list"]) == 0
    assert [ln.endswith("by alice") for ln in capsys.readouterr().out.splitlines()[:2]] == [True, False]


def test_two_members_editing_one_note_the_second_sees_the_conflict_and_loses_nothing(mod612, tmp_path,
                                                                                      monkeypatch):
    """Two kernels of a room (two Stores on the shared folder) open the same note;
    the first saves; the second's save shows the first's words and keeps its
    own in the boxes; saving again replaces on purpose, and the first's words
    are in the archive."""
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    node = mod612.node_by_id(SourceView(mod612).line_statement(guard_line(mod612)))
    rid = Store(tmp_path).add(mod612, node, {"en": "the first words"}, source_lang="en", author="alice").id
    editors = []
    for _ in range(2):
        view = SourceView(mod612)
        ed = AnnotationEditor(view, Store(tmp_path))
        ed.set_module(mod612)
        view.select(guard_line(mod612))
        assert ed.editing == rid
        editors.append(ed)
    alice, bob = editors
    alice.en.value = "alice's correction"
    assert alice.save() == rid
    bob.en.value = "bob's correction"
    assert bob.save() is None
    assert "conflict" in bob.message.value
    shown = html.unescape(bob.conflict_box.value)
    assert "Someone else saved this note" in shown and "alice's correction" in shown     # theirs, to read
    assert bob.en.value == "bob's correction"                       # nothing lost
    assert Store(tmp_path).get(rid).text["en"] == "alice's correction"
    assert bob.save() == rid                                        # the second Save replaces on purpose
    store = Store(tmp_path)
    assert store.get(rid).text["en"] == "bob's correction" and store.get(rid).author == "alice"
    assert {a.text["en"] for a in store.archived()} >= {"the first words", "alice's correction"}
