"""The HTML renderer on real fork.c files and on a hostile fixture of our own."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

import explorer
from explorer.errors import LookupFailure
from explorer.render import LineNote, render_lines, source_table, spans_data
from explorer.static_export import page_html

from conftest import REPO, fixture_bytes, guard_line

HOSTILE_JA = "悪意<script>alert('ja')</script>"
HOSTILE_EN = '<img src=x onerror="alert(1)"> & </td></tr>'


class Rows(HTMLParser):
    """Collects each table row's id, classes, and the text of its code cell; counts scripts/imgs."""

    def __init__(self):
        super().__init__()
        self.rows: dict[int, dict] = {}
        self.cur = None
        self.cell = None
        self.tags: dict[str, int] = {}
        self.handlers = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.handlers += sum(1 for k in a if k.startswith("on"))
        if tag == "tr" and (a.get("id") or "").startswith("L"):
            self.cur = {"id": a["id"], "class": a.get("class") or "", "code": "", "notes": "",
                        "node": a.get("data-node")}
            self.rows[int(a["data-line"])] = self.cur
        elif tag == "td" and self.cur is not None:
            self.cell = a.get("class")

    def handle_endtag(self, tag):
        if tag == "td":
            self.cell = None
        if tag == "tr":
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None and self.cell in ("code", "notes"):
            self.cur[self.cell] += data


def parse_rows(markup: str) -> Rows:
    p = Rows()
    p.feed(markup)
    p.close()
    return p


def test_every_line_of_a_real_file_is_rendered_verbatim(modern):
    rendered = render_lines(modern)
    rows = parse_rows(source_table(rendered)).rows
    assert len(rows) == modern.line_count
    assert sorted(rows) == list(range(1, modern.line_count + 1))
    for n, row in rows.items():
        assert row["code"] == modern.lines[n - 1], f"line {n} differs"
        assert row["id"] == f"L{n}"
    # pygments coloured keywords and comments (not just plain text)
    body = "".join(rendered.lines)
    assert '<span class="k">return</span>' in body or '<span class="k">if</span>' in body
    assert 'class="c' in body or 'class="cm"' in body


def test_the_page_table_in_chunks_holds_every_line_once_in_order(mod612):
    """The app's table comes in chunks of 200 lines (the page lays out only the
    chunks in sight): the same rows, in file order, each chunk a whole table."""
    from explorer.widgets.source_view import CHUNK_LINES, plain_table
    html = plain_table(mod612, None)
    whole = parse_rows(source_table(render_lines(mod612))).rows
    rows = parse_rows(html).rows
    assert rows == whole
    assert [int(n) for n in re.findall(r'<tr id="L(\d+)"', html)] == list(range(1, mod612.line_count + 1))
    chunks = html.split('<div class="fx-chunk">')[1:]
    assert len(chunks) == -(-mod612.line_count // CHUNK_LINES)
    assert all(c.count("<tr ") == CHUNK_LINES for c in chunks[:-1])
    assert all(c.count("<table") == 1 and c.count("</table>") == 1 for c in chunks)
    # the static page's notes span rows, so its table is never cut
    assert "fx-chunk" not in source_table(render_lines(mod612), note_column=True, chunk=CHUNK_LINES)


def test_one_function_keeps_real_line_numbers(mod612):
    fn = mod612.function("copy_process")
    rows = parse_rows(source_table(render_lines(mod612, "copy_process"))).rows
    assert min(rows) == fn.start_line and max(rows) == fn.end_line
    assert "copy_process(" in rows[min(r for r in rows if "copy_process(" in rows[r]["code"])]["code"]
    with pytest.raises(LookupFailure):
        render_lines(mod612, "no_such_function")


def test_pointer_on_a_guard_line_means_its_if_statement(modern):
    rendered = render_lines(modern, "copy_process")
    line = guard_line(modern)
    span = rendered.spans[rendered.line_node[line]]
    assert span.kind == "if_statement"
    assert span.start_line == line and span.end_line >= line
    node = modern.node_by_id(span.node_id)
    assert node.start_point[0] + 1 == line and node.type == "if_statement"
    data = json.loads(json.dumps(spans_data(rendered)))
    assert data["spans"][data["line_node"][str(line)]][0] == span.node_id


def test_trace_classes_mark_executed_and_deciding_lines(mod612):
    rendered = render_lines(mod612, "copy_process")
    line = guard_line(mod612)
    executed = {rendered.first_line, line, line + 1}
    rows = parse_rows(source_table(rendered, executed=executed, decided=line + 1)).rows
    assert "fx-x" in rows[line]["class"] and "fx-decide" in rows[line + 1]["class"]
    assert "fx-x" not in rows[line + 2]["class"]


def test_markup_in_source_and_in_notes_is_shown_as_text():
    mod = explorer.parse_source(fixture_bytes("render_hostile.c"), label="hostile")
    notes = [LineNote(line=8, ja=HOSTILE_JA, en=HOSTILE_EN, key='k"1'), LineNote(line=4, en="plain", status="fuzzy")]
    markup = source_table(render_lines(mod), notes, note_column=True)
    p = parse_rows(markup)
    assert p.tags.get("script", 0) == 0 and p.tags.get("img", 0) == 0 and p.handlers == 0
    assert p.rows[2]["code"] == mod.lines[1]                  # "</td></tr><script>" is text
    assert p.rows[4]["code"] == mod.lines[3]
    assert HOSTILE_JA in p.rows[8]["notes"] and HOSTILE_EN in p.rows[8]["notes"]
    assert "fx-noted" in p.rows[8]["class"] and "fuzzy" in p.rows[4]["notes"]


def test_static_page_is_self_contained_with_notes_beside_lines(mod612):
    line = guard_line(mod612)
    notes = [LineNote(line=line, ja="スレッドはシグナルハンドラを共有する" + HOSTILE_JA, en="Threads share handlers" + HOSTILE_EN)]
    page = page_html(mod612, notes)
    p = parse_rows(page)
    assert p.tags.get("script") == 1 and p.tags.get("img", 0) == 0 and p.handlers == 0
    assert "スレッドはシグナルハンドラを共有する" in p.rows[line]["notes"]
    assert "Threads share handlers" in p.rows[line]["notes"]
    assert not p.rows[line - 1]["notes"]
    # Docco-style: the note's cell spans its line and every line up to the end (no later note),
    # and the lines before it share one empty cell
    assert f'<td class="notes" rowspan="{mod612.line_count + 1 - line}">' in page
    assert page.count('<td class="notes"') == 2 and f'<td class="notes" rowspan="{line - 1}"></td>' in page
    # no network: no external URL is loaded by any tag, and a CSP forbids it anyway
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', page)
    assert "default-src 'none'" in page
    assert 'name="fx-lang" value="ja"' in page and 'name="fx-lang" value="en"' in page
    assert f'href="#L{mod612.function("copy_process").start_line}"' in page


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)


def test_html_verb_writes_a_page(mod61, tmp_path):
    r = run_cli("html", "debian-6.1", "-o", str(tmp_path / "site"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert out["lines"] == mod61.line_count and out["page"].endswith("index.html")
    assert f'id="L{mod61.line_count}"' in page
    start = mod61.function("kernel_clone").start_line
    assert parse_rows(page).rows[start]["code"] == mod61.lines[start - 1]


def test_html_verb_rejects_bad_input(mod612, tmp_path):
    r = run_cli("html", "no-such-version", "-o", str(tmp_path / "x"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    (tmp_path / "file").write_text("x")
    r = run_cli("html", mod612.label, "-o", str(tmp_path / "file"))
    assert r.returncode == 2 and "not a directory" in r.stderr


def test_html_verb_places_store_annotations_beside_their_lines(mod612, mod61, tmp_path):
    """An annotation written on 6.12's guard shows beside the same guard in 6.1's page too."""
    import os

    from explorer.annotations import Store

    store_dir = tmp_path / "annotations"
    store_dir.mkdir()
    line612 = guard_line(mod612)
    node = mod612.tree.root_node.descendant_for_point_range((line612 - 1, len(mod612.lines[line612 - 1]) - 1),
                                                            (line612 - 1, len(mod612.lines[line612 - 1]) - 1))
    Store(store_dir).add(mod612, node, {"ja": "スレッドはハンドラを共有" + HOSTILE_JA, "en": "Threads share" + HOSTILE_EN},
                         source_lang="ja")
    env = dict(os.environ, FORK_EXPLORER_ANNOTATIONS=str(store_dir))
    for mod in (mod612, mod61):
        out = tmp_path / mod.label
        r = run_cli("html", mod.label, "-o", str(out), "--json", env=env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["notes"] == 1
        p = parse_rows((out / "index.html").read_text(encoding="utf-8"))
        line = guard_line(mod)
        assert "スレッドはハンドラを共有" + HOSTILE_JA in p.rows[line]["notes"]
        assert "Threads share" + HOSTILE_EN in p.rows[line]["notes"]
        assert p.tags.get("img", 0) == 0 and p.tags.get("script") == 1 and p.handlers == 0


def test_serve_rejects_a_bad_port_and_builds_a_local_only_voila_command():
    from explorer.cli.cmd_app import APP_NOTEBOOK, voila_command

    r = run_cli("serve", "--port", "70000", "--no-browser")
    assert r.returncode == 2 and "not a TCP port" in r.stderr and "Traceback" not in r.stderr
    cmd = voila_command(8899, open_browser=False)
    assert str(APP_NOTEBOOK) in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--port=8899" in cmd and APP_NOTEBOOK.exists()
    # the checkout's app notebook runs the same code the fallback writes for an installed package
    import nbformat

    from explorer.cli.cmd_app import APP_CODE
    code = [c.source for c in nbformat.read(APP_NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    assert code == [APP_CODE]


def test_html_verb_one_function(mod612, tmp_path):
    r = run_cli("html", "debian-6.12", "-o", str(tmp_path), "--function", "copy_process")
    assert r.returncode == 0, r.stderr
    rows = parse_rows((tmp_path / "index.html").read_text(encoding="utf-8")).rows
    fn = mod612.function("copy_process")
    assert (min(rows), max(rows)) == (fn.start_line, fn.end_line)
    r = run_cli("html", "debian-6.12", "-o", str(tmp_path), "--function", "no_such_fn")
    assert r.returncode == 2 and "no_such_fn" in r.stderr


def test_html_verb_refuses_a_broken_annotation_file(mod612, tmp_path):
    """A shared page must not silently lack the notes of a file that does not validate."""
    import os

    store_dir = tmp_path / "annotations"
    store_dir.mkdir()
    (store_dir / "zz_broken.yaml").write_text("function: copy_process\nannotations:\n  - id: x\n    text: {ja: [\n")
    env = dict(os.environ, FORK_EXPLORER_ANNOTATIONS=str(store_dir))
    r = run_cli("html", "debian-6.12", "-o", str(tmp_path / "site"), env=env)
    assert r.returncode == 2 and "zz_broken.yaml" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "site" / "index.html").exists()


def test_editor_lists_annotation_file_problems(mod612, tmp_path):
    from explorer.annotations import Store
    from explorer.widgets import SourceView
    from explorer.widgets.annotation_editor import AnnotationEditor

    (tmp_path / "zz_broken.yaml").write_text("- <script>x</script>\n")
    editor = AnnotationEditor(SourceView(mod612), Store(tmp_path))
    editor.set_module(mod612)
    assert "problem(s) in the annotation files" in editor.summary.value and "zz_broken.yaml" in editor.summary.value
    assert "<script>" not in editor.summary.value


def test_html_json_counts_what_the_page_holds(mod612, tmp_path, capsys):
    from explorer.cli import main
    rc = main(["html", mod612.label, "-o", str(tmp_path / "cm"), "--function", "copy_mm", "--json"])
    doc = json.loads(capsys.readouterr().out)
    fn = mod612.function("copy_mm")
    assert rc == 0 and doc["lines"] == fn.end_line - fn.start_line + 1
    page = (tmp_path / "cm" / "index.html").read_text(encoding="utf-8")
    assert f"{doc['notes']} notes · {doc['lines']} lines" in page
    rc = main(["html", mod612.label, "-o", str(tmp_path / "all"), "--json"])
    whole = json.loads(capsys.readouterr().out)
    assert whole["lines"] == mod612.line_count and whole["notes"] > doc["notes"]
