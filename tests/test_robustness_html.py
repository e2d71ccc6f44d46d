"""Every user string that reaches HTML is escaped.

Markup and `javascript:` links are fed through annotations (the store's API),
a Markdown reading note (notes import --into), kernel-like source text (own
fixtures: comments, string literals, a guard condition) and a file name used
as a version label, then through every HTML producer: the static export
(`fork-explorer html`), the diff page (`fork-explorer diff --html`), the guard
matrix, the widgets' data (SourceView table and notes, GuardMatrix html) and
the render functions themselves.

Each page is parsed with html.parser and compared with a baseline page made
from harmless input: the hostile page may hold no element, attribute or
script that the baseline does not, no on* handler, no javascript: URL, and
the payload must still be readable as text (escaped, not dropped).
"""
from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import explorer
from explorer.annotations import Store
from explorer.cli import main
from explorer.cparse import open_version
from explorer.render import LineNote, marker_html, note_html, render_lines, source_table

from conftest import FIXTURES, make_home, statement_nodes

REPO = Path(__file__).resolve().parents[1]
OLD, NEW = FIXTURES / "robustness_html_old.c", FIXTURES / "robustness_html_new.c"

PAYLOADS = [
    "<script>alert('fx1')</script>",
    "\"><img src=x onerror=alert('fx2')>",
    "'><svg/onload=alert('fx3')>",
    "[click me](javascript:alert('fx4'))",
    "<a href=\"javascript:alert('fx5')\">x</a>",
    "</div></td></tr></table><iframe src=\"javascript:alert('fx6')\"></iframe>",
    "' onmouseover='alert(\"fx7\")' x='",
    "&lt;script&gt;alert('fx8')&lt;/script&gt; &amp;",
    "<style>body{display:none}</style><!-- fx9 -->",
]
HOSTILE = "\n".join(PAYLOADS)


class Scan(HTMLParser):
    """Elements, attributes, scripts and text of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[tuple[str, str]] = set()
        self.handlers: list[str] = []
        self.js_urls: list[str] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        for k, v in attrs:
            self.attrs.add((tag, k))
            if k.startswith("on"):
                self.handlers.append(f"<{tag} {k}={v!r}>")
            if v and k in ("href", "src", "action", "formaction", "xlink:href", "data", "poster") \
                    and "javascript:" in v.replace(" ", "").lower():
                self.js_urls.append(f"<{tag} {k}={v!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def assert_inert(html: str, baseline: str, must_show: list[str]) -> Scan:
    page, base = Scan(html), Scan(baseline)
    assert page.handlers == [], f"event handler attributes: {page.handlers[:5]}"
    assert page.js_urls == [], f"javascript: URLs: {page.js_urls[:5]}"
    assert page.tags <= base.tags, f"elements the input created: {sorted(page.tags - base.tags)}"
    assert page.attrs <= base.attrs, f"attributes the input created: {sorted(page.attrs - base.attrs)}"
    assert page.scripts == base.scripts, "a script element was added or changed by the input"
    text = " ".join(page.all_text.split())
    for s in must_show:
        assert " ".join(s.split()) in text, f"{s!r} is not shown as text"
    return page


@pytest.fixture()
def sandbox(tmp_path, monkeypatch):
    home = make_home(tmp_path / "home", debian=("debian-6.12",))
    ann = tmp_path / "ann"
    shutil.copytree(REPO / "kernel-src" / "annotations", ann, ignore=shutil.ignore_patterns("archive"))
    monkeypatch.setenv("FORK_EXPLORER_HOME", str(home))
    monkeypatch.setenv("FORK_EXPLORER_ANNOTATIONS", str(ann))
    return tmp_path


def _cli(argv, capsys) -> str:
    rc = main(argv)
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    return cap.out


def _statements(module, function):
    return statement_nodes(module.function(function).node)


def test_static_export_escapes_annotations_and_notes(sandbox, capsys):
    """`fork-explorer html` with hostile commentary written through the store API
    and through a Markdown note imported with --into."""
    mod = explorer.load("debian-6.12")
    _cli(["html", "debian-6.12", "-o", str(sandbox / "base"), "--function", "copy_process"], capsys)
    baseline = (sandbox / "base" / "index.html").read_text(encoding="utf-8")

    store = Store()
    nodes = _statements(mod, "copy_process")
    # One save for all of them (add_many): each save of copy_process.yaml re-reads
    # the whole file to check it, and nine saves were a third of this test's time.
    store.add_many([dict(module=mod, node=nodes[3 + 2 * i], text={"en": payload, "ja": "注釈 " + payload},
                         source_lang="en", id=f"robust.html-{i}", tags=[payload[:20].replace(" ", "_")])
                    for i, payload in enumerate(PAYLOADS)])
    # A reading note: prose with every payload, quoting real lines of this version
    # (read at run time, never stored in the repo).
    fn = mod.function("copy_process")
    quoted = "\n".join(mod.lines[fn.start_line + 40:fn.start_line + 46])
    note = sandbox / "hostile.md"
    note.write_text(f"# {PAYLOADS[0]}\n\n" + "\n\n".join(f"- {p}" for p in PAYLOADS) +
                    f"\n\n```c\n{quoted}\n```\n\n{PAYLOADS[3]} {PAYLOADS[1]}\n", encoding="utf-8")
    out = _cli(["notes", "import", str(note), "--versions", "debian-6.12", "--into"], capsys)
    assert "written" in out

    _cli(["html", "debian-6.12", "-o", str(sandbox / "hostile"), "--function", "copy_process"], capsys)
    page = (sandbox / "hostile" / "index.html").read_text(encoding="utf-8")
    scan = assert_inert(page, baseline, [p for p in PAYLOADS if "<!--" not in p])
    assert page.count("robust.html-") >= len(PAYLOADS)        # the notes are on the page
    assert "fx9" in scan.all_text


def test_render_functions_escape_every_field():
    """note_html / marker_html / source_table with hostile text in every field a
    store record can set (text, id, status), on our own hostile fixture source."""
    mod = explorer.parse_source(NEW.read_bytes(), label="robust-new")
    calm = explorer.parse_source(OLD.read_bytes(), label="robust-old")
    base_note = LineNote(line=11, ja="注釈", en="a note", key="robust.calm", status="fuzzy")
    baseline = source_table(render_lines(calm), [base_note], note_column=True)
    notes = [LineNote(line=11 + i % 6, ja=p, en=p, key=p, status="fuzzy", node_id=p) for i, p in enumerate(PAYLOADS)]
    html = source_table(render_lines(mod), notes, note_column=True, executed={11, 12}, decided=12)
    assert_inert(html, baseline, PAYLOADS + ["<script>alert('fx-s')</script>", "javascript:alert('fx-j')"])
    for n in notes:
        assert_inert(note_html(n) + marker_html(n), note_html(base_note) + marker_html(base_note), [n.en])


def test_static_export_of_a_hostile_source(sandbox, capsys):
    """Source text (comments, strings) of a user's file stored with sources add."""
    _cli(["sources", "add", "robust-old", str(OLD)], capsys)
    _cli(["sources", "add", "robust-new", str(NEW)], capsys)
    _cli(["html", "robust-old", "-o", str(sandbox / "old")], capsys)
    _cli(["html", "robust-new", "-o", str(sandbox / "new")], capsys)
    assert_inert((sandbox / "new" / "index.html").read_text(encoding="utf-8"),
                 (sandbox / "old" / "index.html").read_text(encoding="utf-8"),
                 ["</td></tr></table><script>alert('fx-c')</script>", "<a href=\"javascript:alert('fx-e')\">"])


def test_diff_html_escapes_source_and_file_name(sandbox, capsys):
    """`fork-explorer diff --html` between our fixtures, the newer one under a
    file name that is itself markup (it becomes the version label)."""
    evil_dir = sandbox / "evil"
    evil_dir.mkdir()
    evil = evil_dir / "x\"><img src=x onerror=alert('fxname')>.c"
    shutil.copy(NEW, evil)
    calm = evil_dir / "calm.c"
    shutil.copy(OLD, calm)
    calm2 = evil_dir / "calm2.c"
    calm2.write_bytes(OLD.read_bytes().replace(b"<b>old</b>", b"older"))
    _cli(["diff", str(calm), str(calm2), "--function", "kernel_clone", "--html", str(sandbox / "base.html")], capsys)
    _cli(["diff", str(calm), str(evil), "--function", "kernel_clone", "--html", str(sandbox / "d.html")], capsys)
    page = (sandbox / "d.html").read_text(encoding="utf-8")
    baseline = (sandbox / "base.html").read_text(encoding="utf-8")
    assert_inert(page, baseline, ["onerror=alert('fx-g')", "javascript:alert('fx-j')"])
    # whole-file mode too
    _cli(["diff", str(calm), str(calm2), "--html", str(sandbox / "fbase.html")], capsys)
    _cli(["diff", str(calm), str(evil), "--html", str(sandbox / "f.html")], capsys)
    assert_inert((sandbox / "f.html").read_text(encoding="utf-8"),
                 (sandbox / "fbase.html").read_text(encoding="utf-8"), [])


def test_guard_matrix_and_widgets_escape(sandbox):
    """The guard matrix (render.matrix via GuardMatrix's html trait) and the
    SourceView widget's table and notes data."""
    from explorer.diff import history
    from explorer.render.matrix import matrix_html
    from explorer.widgets.source_view import SourceView

    old, new = open_version(str(OLD)), open_version(str(NEW))
    calm_new = explorer.parse_source(OLD.read_bytes().replace(b"<b>old</b>", b"older"), label="calm-new")
    baseline = matrix_html(history("kernel_clone", [old, calm_new]).as_dict())
    data = history("kernel_clone", [old, new]).as_dict()
    assert any("onerror" in (c.get("condition") or "") for g in data["guards"] for c in g["present"].values()), \
        "the hostile guard should be in the history (else this test checks nothing)"
    assert_inert(matrix_html(data), baseline, ["javascript:alert('fx-j')"])

    calm_view = SourceView(old, notes=[LineNote(line=11, ja="注釈", en="note", key="k")])
    view = SourceView(new, notes=[LineNote(line=11, ja=p, en=p, key=p) for p in PAYLOADS])
    assert_inert(view.table, calm_view.table, ["<script>alert('fx-s')</script>"])
    # Notes travel as data; the front end writes them with textContent.
    assert [n["en"] for n in view.notes] == PAYLOADS
    js = Path(explorer.widgets.source_view.__file__).with_name("source_view.js").read_text(encoding="utf-8")
    note_writes = [ln for ln in js.splitlines() if ".ja" in ln or ".en" in ln or "n.text" in ln]
    assert not any("innerHTML" in ln for ln in note_writes), note_writes
