"""No commentary is lost: the annotation store under random edits, crashes and
concurrent writers.

* A Hypothesis state machine drives random add / edit / delete / notes import /
  PO import / reload sequences and checks after every step that every note ever
  written is live (with its latest text in every language) or in the archive,
  that every text ever written (also ones an edit or a translation replaced)
  is live or archived, and that every file on disk parses.
* Fault injection: the writer is killed (os._exit in a child process) or fails
  (an OSError raised in-process) at every filesystem step of a save; the
  previous file must be intact, or the new one whole.
* Two processes save the same file at once: both changes land, or one gets a
  clear ConflictError; never a half-written file.

The fixture C is our own (tests/fixtures/robustness_store.c); stores live in
temporary directories.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, assume, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule)

import explorer
from conftest import statement_nodes
from explorer.annotations import Store, clean_text
from explorer.annotations.store import load_bytes
from explorer.errors import AnnotationError, ConflictError, ExplorerError, NoteError
from explorer.notes import import_note, parse_note, write_into
from explorer.translate import build_po, import_po

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "robustness_store.c"
LABEL = "robust-store"
REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def fixture_module():
    return explorer.parse_source(FIXTURE.read_bytes(), label=LABEL)


def statements(module):
    return statement_nodes(module.tree.root_node)


MODULE = fixture_module()
NODES = statements(MODULE)


def new_store(root) -> Store:
    return Store(root, known_versions={LABEL})


def all_texts(store: Store) -> tuple[dict, dict]:
    live = {a.id: dict(a.text) for a in store.list()}
    archived: dict[str, list[dict]] = {}
    for a in store.archived():
        archived.setdefault(a.id, []).append(dict(a.text))
    return live, archived


# Text a reader might type: any printable Unicode, Japanese, line breaks,
# YAML-looking punctuation.  clean_text is what the store promises to keep.
note_text = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)),
                       st.sampled_from(list("ー日本語のフォーク: #-|>&*!%@`'\"{}[]\n\t"))),
    min_size=1, max_size=60).filter(lambda t: clean_text(t).strip() != "")


# -- the state machine ----------------------------------------------------------------

class StoreMachine(RuleBasedStateMachine):
    ids = Bundle("ids")

    def __init__(self):
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory(prefix="fx-store-")
        self.root = Path(self.tmp.name)
        self.store = new_store(self.root)
        # id -> {lang: text} the user last wrote; deleted ids move to self.deleted
        self.model: dict[str, dict[str, str]] = {}
        self.source_lang: dict[str, str] = {}
        self.deleted: dict[str, dict[str, str]] = {}
        self.written: set[tuple[str, str, str]] = set()   # every (id, lang, text) ever written
        self.counter = 0

    def _wrote(self, rid, lang, text):
        self.written.add((rid, lang, text))

    def teardown(self):
        self.tmp.cleanup()

    @rule(target=ids, node=st.integers(0, len(NODES) - 1), text=note_text,
          lang=st.sampled_from(["ja", "en"]))
    def add(self, node, text, lang):
        self.counter += 1
        rid = f"prop.note-{self.counter}"
        ann = self.store.add(MODULE, NODES[node], {lang: text}, source_lang=lang, id=rid)
        assert ann.text[lang] == clean_text(text)
        self.model[rid] = {lang: clean_text(text)}
        self.source_lang[rid] = lang
        self._wrote(rid, lang, clean_text(text))
        return rid

    @rule(rid=ids, text=note_text, lang=st.sampled_from(["ja", "en", "fr"]))
    def edit(self, rid, text, lang):
        assume(rid in self.model)
        self.store.edit_text(rid, lang, text)
        self.model[rid][lang] = clean_text(text)
        self._wrote(rid, lang, clean_text(text))

    @rule(rid=consumes(ids))
    def delete(self, rid):
        assume(rid in self.model)
        self.store.delete(rid, reason="property test")
        self.deleted[rid] = self.model.pop(rid)

    @rule(node=st.integers(0, len(NODES) - 1), prose=note_text)
    def notes_import(self, node, prose):
        """A Markdown note quoting one statement of the fixture, with prose before it."""
        n = NODES[node]
        code = MODULE.source_text(n)
        prose_line = " ".join(clean_text(prose).split()) or "note"
        md = f"# reading\n\n{prose_line}\n\n```c\n{code}\n```\n"
        note = parse_note(md, path="prop.md")
        try:
            result = import_note(note, modules=[MODULE])
        except NoteError:
            # prose in a script the detector does not know (Devanagari, say):
            # the importer asks for --lang instead of guessing, so give one
            result = import_note(note, modules=[MODULE], lang="hi")
        before = set(self.model) | set(self.deleted)
        write_into(result, self.store)
        event(f"notes import: {len(result.drafts) - len(result.skipped)} drafts written")
        for d in result.drafts:
            if d.id in result.skipped or d.id in before:
                continue
            live = self.store.get(d.id)
            self.model[d.id] = dict(live.text)
            self.source_lang[d.id] = live.source_lang
            for lang, text in live.text.items():
                self._wrote(d.id, lang, text)
            assert clean_text(d.text) == live.text[d.lang]

    @rule(data=st.data())
    def po_import(self, data):
        """Export to a language, translate some entries (some fuzzy), import."""
        if not self.model:
            return
        to = data.draw(st.sampled_from(["en", "ja"]), label="to")
        po, _ = build_po(self.store, to=to)
        applied = {}
        for entry in po:
            if entry.obsolete or entry.msgctxt not in self.model:
                continue
            if self.source_lang[entry.msgctxt] == to:
                continue
            choice = data.draw(st.sampled_from(["skip", "translate", "fuzzy"]), label=entry.msgctxt)
            if choice == "skip":
                continue
            entry.msgstr = data.draw(note_text, label="msgstr")
            if choice == "fuzzy":
                entry.flags.append("fuzzy")
            else:
                applied[entry.msgctxt] = entry.msgstr
        po.metadata["Language"] = to
        path = self.root.parent / f"{self.root.name}-{to}.po"
        po.save(str(path))
        report = import_po(self.store, path)
        path.unlink()
        assert set(report.fuzzy).isdisjoint(report.applied), "a fuzzy entry was applied"
        event(f"po import: applied {'some' if report.applied else 'none'}, "
              f"fuzzy {'some' if report.fuzzy else 'none'}")
        for rid in report.applied:
            assert rid in applied, f"{rid} applied without a translation"
            self.model[rid][to] = clean_text(applied[rid])
            self._wrote(rid, to, clean_text(applied[rid]))

    @rule()
    def reload(self):
        self.store = new_store(self.root)

    @rule()
    def reload_in_place(self):
        self.store.reload()

    @invariant()
    def nothing_lost(self):
        fresh = new_store(self.root)
        assert fresh.problems() == [], [str(p) for p in fresh.problems()]
        live, archived = all_texts(fresh)
        assert set(live) == set(self.model)
        for rid, texts in self.model.items():
            for lang, text in texts.items():
                assert live[rid].get(lang) == text, (rid, lang)
        for rid, texts in self.deleted.items():
            assert rid not in live
            assert texts in archived.get(rid, []), f"{rid} deleted but not archived with its text"
        for rid, lang, text in self.written:
            kept = live.get(rid, {}).get(lang) == text or any(t.get(lang) == text for t in archived.get(rid, []))
            assert kept, f"the {lang} text once written to {rid} is neither live nor archived: {text!r}"

    @invariant()
    def no_temporary_files_left(self):
        leftovers = [p.name for p in self.root.rglob("*.tmp")]
        assert leftovers == []


StoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=12, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.filter_too_much])
test_store_state_machine = StoreMachine.TestCase


# -- fault injection --------------------------------------------------------------------

def seeded_root(tmp_path: Path) -> tuple[Path, bytes]:
    """A store with two notes in demo_clone.yaml; returns (root, that file's bytes)."""
    root = tmp_path / "ann"
    root.mkdir()
    store = new_store(root)
    store.add(MODULE, NODES[8], {"en": "first note"}, source_lang="en", id="fault.one")
    store.add(MODULE, NODES[11], {"ja": "二つ目の注釈"}, source_lang="ja", id="fault.two")
    path = root / "demo_clone.yaml"
    return root, path.read_bytes()


# The writer's operations, each run in a fresh child.  {root} is the store.
OPERATIONS = {
    "edit": "store.edit_text('fault.one', 'en', 'edited text')",
    "translate": "store.edit_text('fault.two', 'en', 'second note')",
    "add": "store.add(module, nodes[14], {'en': 'third'}, source_lang='en', id='fault.three')",
    "delete": "store.delete('fault.one', reason='fault test')",
    "tags": "store.set_tags('fault.two', ['x', 'y'])",
}

# A child that counts every filesystem step of the save and dies (os._exit,
# no cleanup, like a kill -9 or a power cut) at step N.  A write step first
# writes half of its buffer, so the torn temporary file is on disk too.
KILLER = textwrap.dedent(r"""
    import os, sys, tempfile
    sys.path.insert(0, {repo!r})
    import explorer
    from explorer.annotations import Store
    from explorer.anchors.selectors import STATEMENT_KINDS
    module = explorer.parse_source(open({fixture!r}, 'rb').read(), label={label!r})
    nodes = []
    def walk(n):
        if n.type in STATEMENT_KINDS: nodes.append(n)
        for c in n.named_children: walk(c)
    walk(module.tree.root_node)
    store = Store({root!r}, known_versions={{{label!r}}})
    KILL_AT = {n}
    step = [0]
    def tick(what):
        step[0] += 1
        if step[0] == KILL_AT:
            sys.stdout.write('killed at ' + what + '\n'); sys.stdout.flush()
            os._exit(137)
    real = {{}}
    def wrap(mod, name):
        f = getattr(mod, name); real[name] = f
        def g(*a, **k):
            tick(name)
            return f(*a, **k)
        setattr(mod, name, g)
    for name in ('open', 'fsync', 'replace', 'rename', 'unlink', 'close'):
        wrap(os, name)
    real_fdopen = os.fdopen
    class Torn:
        def __init__(self, f): self.f = f
        def write(self, data):
            step[0] += 1
            if step[0] == KILL_AT:
                self.f.write(data[: len(data) // 2]); self.f.flush(); os.fsync(self.f.fileno())
                sys.stdout.write('killed at write\n'); sys.stdout.flush()
                os._exit(137)
            return self.f.write(data)
        def __getattr__(self, k): return getattr(self.f, k)
        def __enter__(self): return self
        def __exit__(self, *a): return self.f.__exit__(*a)
    def fdopen(*a, **k):
        tick('fdopen')
        return Torn(real_fdopen(*a, **k))
    os.fdopen = fdopen
    real_mkstemp = tempfile.mkstemp
    def mkstemp(*a, **k):
        tick('mkstemp')
        return real_mkstemp(*a, **k)
    tempfile.mkstemp = mkstemp
    {operation}
    sys.stdout.write('completed after %d steps\n' % step[0])
""")


def run_killed(root: Path, operation: str, n: int) -> str:
    code = KILLER.format(repo=str(REPO), fixture=str(FIXTURE), label=LABEL, root=str(root), n=n,
                         operation=operation)
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 137), p.stderr[-2000:]
    return p.stdout.strip()


def check_whole(root: Path, before: bytes, expect_new) -> str:
    """The live file is the old bytes, or a whole new file that passes expect_new."""
    path = root / "demo_clone.yaml"
    data = path.read_bytes()
    store = new_store(root)
    assert store.problems() == [], [str(p) for p in store.problems()]
    if data == before:
        return "old"
    load_bytes(data)
    expect_new(store)
    return "new"


def _expect(operation):
    def edit(store):
        assert store.get("fault.one").text["en"] == "edited text"

    def translate(store):
        assert store.get("fault.two").text == {"ja": "二つ目の注釈", "en": "second note"}

    def add(store):
        assert store.get("fault.three").text == {"en": "third"}

    def delete(store):
        assert "fault.one" not in {a.id for a in store.list()}

    def tags(store):
        assert store.get("fault.two").tags == ["x", "y"]
    return {"edit": edit, "translate": translate, "add": add, "delete": delete, "tags": tags}[operation]



@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_killed_at_every_step_of_a_save_leaves_a_whole_file(tmp_path, operation):
    """Kill the writer at step 1, 2, ... of the save until it completes; after
    each kill the file is the old one or the whole new one, both notes keep
    their text (a delete keeps it in the archive), no note is in neither place."""
    seen = set()
    n = 1
    while True:
        case = tmp_path / f"n{n}"
        case.mkdir()
        root, before = seeded_root(case)
        out = run_killed(root, OPERATIONS[operation], n)
        state = check_whole(root, before, _expect(operation))
        store = new_store(root)
        texts = {a.id: a.text for a in store.list()} | {a.id: a.text for a in store.archived()}
        assert texts.get("fault.one", {}).get("en") in ("first note", "edited text"), (n, out)
        assert texts.get("fault.two", {}).get("ja") == "二つ目の注釈", (n, out)
        seen.add(state)
        if out.startswith("completed"):
            break
        n += 1
        assert n < 60, "the save never completed"
    assert n > 3, f"only {n} steps counted: the fault injection did not reach the save"
    assert seen == {"old", "new"}, seen
    print(f"{operation}: {n - 1} kills")


FS_CALLS = ("open", "fsync", "replace", "unlink", "close")


class Boom:
    """Patch os.<name> so that the Nth call among FS_CALLS (and file writes) raises ENOSPC."""

    def __init__(self, monkeypatch, n):
        self.n, self.count, self.fired = n, 0, None
        import tempfile as _tf
        for name in FS_CALLS:
            real = getattr(os, name)
            monkeypatch.setattr(os, name, self._wrap(name, real))
        real_fdopen = os.fdopen
        boom = self

        class Writer:
            def __init__(self, f):
                self.f = f

            def write(self, data):
                boom.tick("write")
                return self.f.write(data)

            def __getattr__(self, k):
                return getattr(self.f, k)

            def __enter__(self):
                return self

            def __exit__(self, *a):
                return self.f.__exit__(*a)
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Writer(real_fdopen(*a, **k)))
        real_mkstemp = _tf.mkstemp

        def mkstemp(*a, **k):
            self.tick("mkstemp")
            return real_mkstemp(*a, **k)
        monkeypatch.setattr(_tf, "mkstemp", mkstemp)

    def tick(self, what):
        self.count += 1
        if self.count == self.n:
            self.fired = what
            raise OSError(errno.ENOSPC, "No space left on device (injected)")

    def _wrap(self, name, real):
        def g(*a, **k):
            self.tick(name)
            return real(*a, **k)
        return g


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_failing_filesystem_at_every_step_keeps_store_usable(tmp_path, monkeypatch, operation):
    """Disk full (ENOSPC) at each step: the old file or the new one is whole,
    no temporary file is left, and the same Store can retry and succeed."""
    n = 1
    while True:
        case = tmp_path / f"n{n}"
        case.mkdir()
        root, before = seeded_root(case)
        store = new_store(root)
        env = {"store": store, "module": MODULE, "nodes": NODES}
        with monkeypatch.context() as m:
            boom = Boom(m, n)
            try:
                exec(OPERATIONS[operation], env)
            except ExplorerError:
                assert boom.fired, "an error that was not injected"
        check_whole(root, before, _expect(operation))
        assert [p.name for p in root.rglob("*.tmp")] == []
        if boom.fired is None:
            break
        # The store that saw the failure must still work: reload if it says so.
        try:
            exec(OPERATIONS[operation].replace("fault.three", "fault.four"), env)
        except (ConflictError, AnnotationError):
            store.reload()
        except ExplorerError:
            pass
        n += 1
        assert n < 80
    assert n > 3
    print(f"{operation}: {n - 1} faults")


def test_disk_full_is_a_typed_error(tmp_path, monkeypatch):
    """Disk full at a save is an AnnotationError naming the file (one line in the CLI, a message in the editor)."""
    root, _ = seeded_root(tmp_path)
    store = new_store(root)
    with monkeypatch.context() as m:
        Boom(m, 3)
        with pytest.raises(AnnotationError, match="demo_clone.yaml"):
            store.edit_text("fault.one", "en", "edited text")


# -- two writers at once --------------------------------------------------------------------

RACER = textwrap.dedent(r"""
    import os, sys, time
    sys.path.insert(0, {repo!r})
    from explorer.annotations import Store
    from explorer.errors import ConflictError
    store = Store({root!r}, known_versions={{{label!r}}})
    while not os.path.exists({go!r}):
        time.sleep(0.001)
    try:
        store.edit_text({rid!r}, 'en', {text!r})
    except ConflictError as e:
        print('conflict', e)
        sys.exit(3)
    print('saved')
""")


def test_two_processes_saving_at_once(tmp_path):
    """Both edits land, or the loser gets a ConflictError naming the file; the
    file always parses and never holds a change that was refused."""
    outcomes = {"both": 0, "one refused": 0}
    for rnd in range(8):
        case = tmp_path / f"r{rnd}"
        case.mkdir()
        root, _ = seeded_root(case)
        go = case / "go"
        procs = []
        for rid, text in (("fault.one", f"from A {rnd}"), ("fault.two", f"from B {rnd}")):
            code = RACER.format(repo=str(REPO), root=str(root), label=LABEL, go=str(go), rid=rid, text=text)
            procs.append((rid, text, subprocess.Popen([PYTHON, "-c", code], stdout=subprocess.PIPE,
                                                      stderr=subprocess.PIPE, text=True)))
        time.sleep(1.5)            # both children have loaded the store
        go.touch()
        store = None
        results = []
        for rid, text, p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode in (0, 3), err[-2000:]
            results.append((rid, text, p.returncode, out))
        store = new_store(root)
        assert store.problems() == []
        for rid, text, rc, out in results:
            got = store.get(rid).text.get("en")
            if rc == 0:
                assert got == text, (rid, out)
            else:
                assert "changed on disk" in out and "demo_clone.yaml" in out
                assert got != text
        refused = sum(rc == 3 for *_, rc, _ in results)
        assert refused <= 1
        outcomes["both" if refused == 0 else "one refused"] += 1
    print(outcomes)

