// The two tables of the Then and now tab, one script for both (the `kind` trait):
//  guards: the aligned error checks of two versions (then | status | now);
//  rules:  the rules of clone() that changed (`rules A --compare B`):
//          condition | then: outcome, where | now: outcome, where | combinations.
// Every text goes in through textContent: conditions are kernel source and never
// become markup.  The words come translated from Python (the `words` trait); none
// is made here.  A click on a row tells Python which row the reader picked.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function th(text, span, cls) {
  const h = el("th", cls || "", text);
  if (span) h.colSpan = span;
  return h;
}

// One guard of one version: line | condition (with its function when not the pane's) | errno.
function guardSide(tr, g, fn, shown) {
  if (!g) {
    const td = el("td", "fx-tn-none", "\u2014");
    td.colSpan = 3;
    tr.appendChild(td);
    return;
  }
  tr.appendChild(el("td", "fx-tn-ln", String(g.line)));
  const cond = el("td", "fx-tn-cond");
  if (fn && fn !== shown) cond.appendChild(el("span", "fx-tn-fn", fn + "()"));
  cond.appendChild(document.createTextNode(g.condition));
  tr.appendChild(cond);
  tr.appendChild(el("td", "fx-tn-errno", "-" + g.errno));
}

// One version's outcome under a rule: ok / -ERRNO | where it is decided (and that version's own rule).
function ruleSide(tr, s, words) {
  tr.appendChild(el("td", "fx-tn-word " + (s.outcome === "ok" ? "fx-out-ok" : "fx-out-err"),
                    s.outcome === "ok" ? words.ok : s.outcome === "unknown" ? words.unknown : "-" + s.outcome));
  const where = el("td", "fx-tn-where", s.function ? s.function + "():" + s.line : "");
  if (s.rule) where.appendChild(el("div", "fx-tn-own", (words.its_rule || "{rule}").replace("{rule}", () => s.rule)));
  tr.appendChild(where);
}

const KINDS = {
  guards: {
    table: "fx-tn-table",
    empty: (model, words) => words.none,
    head: (words, la, lb) => [th(la, 3, "fx-tn-head"), th("", 0, "fx-tn-head"), th(lb, 3, "fx-tn-head")],
    row(tr, r, words, model) {
      const [fa, fb] = model.get("functions") || ["", ""];
      tr.classList.add("fx-tn-" + r.status);
      tr.dataset.status = r.status;
      guardSide(tr, r.a, r.function_a, fa);
      tr.appendChild(el("td", "fx-tn-status", r.status === "same" ? "=" : (words[r.status] || r.status)));
      guardSide(tr, r.b, r.function_b, fb);
    },
    also: ["functions"],
  },
  rules: {
    table: "fx-tn-table fx-tn-rules-table",
    empty: (model) => model.get("empty"),
    head: (words, la, lb) => [th(words.when), th(la, 2), th(lb, 2), th(words.combinations, 0, "fx-tn-n")],
    row(tr, r, words) {
      tr.classList.add("fx-tn-rule");
      tr.appendChild(el("td", "fx-tn-cond", r.text));
      ruleSide(tr, r.a, words);
      ruleSide(tr, r.b, words);
      tr.appendChild(el("td", "fx-tn-n", String(r.combinations)));
      tr.title = words.click || "";
    },
    also: ["empty"],
  },
};

function render({ model, el: root }) {
  const name = model.get("kind");
  const kind = KINDS[name];
  root.classList.add("fx-tn-" + name);
  const box = el("div", "fx-tn-" + name + "-box");
  root.appendChild(box);
  let trs = [];

  function load() {
    box.textContent = "";
    const rows = model.get("rows") || [];
    const [la, lb] = model.get("labels") || ["", ""];
    const words = model.get("words") || {};
    root.dataset.rows = String(rows.length);
    trs = [];
    if (!rows.length) {
      box.appendChild(el("div", "fx-hint", kind.empty(model, words) || ""));
      return;
    }
    const table = el("table", kind.table);
    const head = el("tr");
    head.append(...kind.head(words, la, lb));
    table.appendChild(head);
    trs = rows.map((r, i) => {
      const tr = el("tr", "fx-tn-row");
      tr.dataset.i = String(i);
      if (r.a) tr.dataset.lineA = String(r.a.line);
      if (r.b) tr.dataset.lineB = String(r.b.line);
      kind.row(tr, r, words, model);
      table.appendChild(tr);
      return tr;
    });
    box.appendChild(table);
    mark();
  }

  // the picked row is marked and brought into sight in the table's own scroll
  function mark() {
    const on = model.get("selected");
    trs.forEach((tr, i) => tr.classList.toggle("fx-tn-on", i === on));
    const tr = trs[on];
    if (tr) {
      const r = tr.getBoundingClientRect(), s = box.getBoundingClientRect();
      if (r.top < s.top || r.bottom > s.bottom) box.scrollTop += r.top - s.top - box.clientHeight / 3;
    }
    root.dataset.selected = String(on);
  }

  box.addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr[data-i]");
    if (!tr) return;
    model.set("picked", { i: +tr.dataset.i, n: Date.now() });
    model.save_changes();
  });
  for (const trait of ["rows", "labels", "words", ...kind.also]) model.on("change:" + trait, load);
  model.on("change:selected", mark);
  load();
  root.dataset.ready = "1";
}

export default { render };
