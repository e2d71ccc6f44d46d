// The rules of clone() that changed between two versions (explorer's
// `rules A --compare B`): condition | then: outcome, where | now: outcome, where.
// Every text goes in through textContent.  A click tells Python which rule the
// reader picked; Python sets a combination of it in the playground.
// The words come translated from Python (the `words` trait); none is made here.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function render({ model, el: root }) {
  root.classList.add("fx-tn-rules");
  const box = el("div", "fx-tn-rules-box");
  root.appendChild(box);
  let trs = [];

  function side(tr, s, words) {
    tr.appendChild(el("td", "fx-tn-word " + (s.outcome === "ok" ? "fx-out-ok" : "fx-out-err"),
                      s.outcome === "ok" ? words.ok : s.outcome === "unknown" ? words.unknown : "-" + s.outcome));
    const where = el("td", "fx-tn-where", s.function ? s.function + "():" + s.line : "");
    // the rule of that version this combination falls under, read top to bottom
    if (s.rule) where.appendChild(el("div", "fx-tn-own", (words.its_rule || "{rule}").replace("{rule}", () => s.rule)));
    tr.appendChild(where);
  }

  function load() {
    box.textContent = "";
    const rows = model.get("rows") || [];
    const [la, lb] = model.get("labels") || ["", ""];
    const words = model.get("words") || {};
    if (!rows.length) {
      box.appendChild(el("div", "fx-hint", model.get("empty") || ""));
      trs = [];
      root.dataset.rows = "0";
      return;
    }
    const table = el("table", "fx-tn-table fx-tn-rules-table");
    const head = el("tr");
    head.appendChild(el("th", "", words.when));
    const ha = el("th", "", la); ha.colSpan = 2;
    const hb = el("th", "", lb); hb.colSpan = 2;
    head.append(ha, hb, el("th", "fx-tn-n", words.combinations));
    table.appendChild(head);
    trs = rows.map((r, i) => {
      const tr = el("tr", "fx-tn-row fx-tn-rule");
      tr.dataset.i = String(i);
      tr.dataset.lineA = String(r.a.line);
      tr.dataset.lineB = String(r.b.line);
      tr.appendChild(el("td", "fx-tn-cond", r.text));
      side(tr, r.a, words);
      side(tr, r.b, words);
      tr.appendChild(el("td", "fx-tn-n", String(r.combinations)));
      tr.title = words.click || "";
      table.appendChild(tr);
      return tr;
    });
    box.appendChild(table);
    root.dataset.rows = String(rows.length);
    mark();
  }

  function mark() {
    const on = model.get("selected");
    trs.forEach((tr, i) => tr.classList.toggle("fx-tn-on", i === on));
    root.dataset.selected = String(on);
  }

  box.addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr[data-i]");
    if (!tr) return;
    model.set("picked", { i: +tr.dataset.i, n: Date.now() });
    model.save_changes();
  });
  model.on("change:rows", load);
  model.on("change:labels", load);
  model.on("change:empty", load);
  model.on("change:words", load);
  model.on("change:selected", mark);
  load();
  root.dataset.ready = "1";
}

export default { render };
