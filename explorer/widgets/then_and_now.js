// Aligned guards of two versions (then | status | now).  Every text goes in
// through textContent: conditions are kernel source and never become markup.
// A click on a row tells Python which pair of guards the reader picked.
// The words come translated from Python (the `words` trait); none is made here.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function render({ model, el: root }) {
  root.classList.add("fx-tn-guards");
  const box = el("div", "fx-tn-guards-box");
  root.appendChild(box);
  let trs = [];

  function side(tr, g, fn, shown) {
    if (!g) {
      const td = el("td", "fx-tn-none", "\u2014");
      td.colSpan = 3;
      tr.appendChild(td);
      return;
    }
    tr.appendChild(el("td", "fx-tn-ln", String(g.line)));
    const cond = el("td", "fx-tn-cond");
    // a check that lives in another function than the pane shows says where
    if (fn && fn !== shown) cond.appendChild(el("span", "fx-tn-fn", fn + "()"));
    cond.appendChild(document.createTextNode(g.condition));
    tr.appendChild(cond);
    tr.appendChild(el("td", "fx-tn-errno", "-" + g.errno));
  }

  function load() {
    box.textContent = "";
    const rows = model.get("rows") || [];
    const [la, lb] = model.get("labels") || ["", ""];
    const [fa, fb] = model.get("functions") || ["", ""];
    const words = model.get("words") || {};
    if (!rows.length) {
      box.appendChild(el("div", "fx-hint", words.none || ""));
      trs = [];
      return;
    }
    const table = el("table", "fx-tn-table");
    const head = el("tr");
    const ha = el("th", "fx-tn-head", la); ha.colSpan = 3;
    const hb = el("th", "fx-tn-head", lb); hb.colSpan = 3;
    head.append(ha, el("th", "fx-tn-head", ""), hb);
    table.appendChild(head);
    trs = rows.map((r, i) => {
      const tr = el("tr", "fx-tn-row fx-tn-" + r.status);
      tr.dataset.i = String(i);
      tr.dataset.status = r.status;
      if (r.a) tr.dataset.lineA = String(r.a.line);
      if (r.b) tr.dataset.lineB = String(r.b.line);
      side(tr, r.a, r.function_a, fa);
      tr.appendChild(el("td", "fx-tn-status", r.status === "same" ? "=" : (words[r.status] || r.status)));
      side(tr, r.b, r.function_b, fb);
      table.appendChild(tr);
      return tr;
    });
    box.appendChild(table);
    mark();
  }

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
  model.on("change:rows", load);
  model.on("change:labels", load);
  model.on("change:functions", load);
  model.on("change:words", load);
  model.on("change:selected", mark);
  load();
  root.dataset.ready = "1";
}

export default { render };
