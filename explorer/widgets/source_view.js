// Source view front end (anywidget).  The table HTML comes escaped from
// explorer.render; everything this module writes itself goes through
// textContent, so annotation text can never become markup.
// Trace updates only toggle classes on the rows that change: the file is
// rendered once per version, not once per click.

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function missingText(lang) {
  const base = lang.split(/[-_]/)[0];
  return base === "ja" ? "(未翻訳)" : base === "zh" ? "(未翻译)" : "(untranslated)";
}

function render({ model, el: root }) {
  root.classList.add("fx-view");
  const bar = el("div", "fx-bar");
  const title = el("span", "fx-title");
  const langBox = el("span", "fx-langs");
  // The switch offers the languages present (Python sends [value, label] pairs:
  // "both" first, then ja, en and whatever language a note is written in).
  function buildLangs() {
    langBox.textContent = "";
    for (const [v, t] of (model.get("langs") || [])) {
      const b = el("button", "fx-langbtn", t);
      b.dataset.lang = v;
      b.classList.toggle("fx-on", v === model.get("lang"));
      b.addEventListener("click", () => { model.set("lang", v); model.save_changes(); });
      langBox.appendChild(b);
    }
  }
  buildLangs();
  // says the switch is the commentary's language (the interface has its own, explorer.i18n)
  const langLabel = el("span", "fx-langlabel", (model.get("ui") || {}).notes || "Commentary:");
  model.on("change:ui", () => { langLabel.textContent = (model.get("ui") || {}).notes || "Commentary:"; });
  bar.append(title, langLabel, langBox);
  const body = el("div", "fx-body");
  const resized = new ResizeObserver(() => { if (pendingJump && scroller.clientHeight > 0) applyJump(); });
  // The pane on show.  Each version kept (below) has a pane of its own, all stacked in
  // the same grid cell; the others are only invisible, so they keep their layout and
  // their scroll position, and showing one again costs no layout of 3,000+ rows.
  let scroller = newPane();
  const panel = el("div", "fx-panel");
  panel.setAttribute("aria-live", "polite");
  body.append(scroller, panel);
  root.append(bar, body);

  let rows = new Map();        // line -> <tr>
  let spans = [];
  let marked = [];             // rows carrying trace classes now
  let hovered = [];
  let selected = null;

  // Pointer and click on a pane (only the pane on show gets them: the kept ones are
  // invisible and let the pointer through).
  function wire(pane) {
    pane.addEventListener("mouseover", (ev) => {
      const tr = ev.target.closest("tr[data-line]");
      for (const r of hovered) r.classList.remove("fx-hov", "fx-hov-top", "fx-hov-bot");
      hovered = [];
      if (!tr || tr.dataset.node === undefined) return;
      const sp = spans[+tr.dataset.node];
      if (!sp) return;
      hovered = rowsOf(sp[2], sp[3]);
      for (const r of hovered) r.classList.add("fx-hov");
      if (hovered.length) { hovered[0].classList.add("fx-hov-top"); hovered[hovered.length - 1].classList.add("fx-hov-bot"); }
      root.dataset.hoverNode = sp[0];
    });
    pane.addEventListener("mouseleave", () => {
      for (const r of hovered) r.classList.remove("fx-hov", "fx-hov-top", "fx-hov-bot");
      hovered = [];
    });
    pane.addEventListener("click", (ev) => {
      if (ev.target.closest("a")) ev.preventDefault();
      const tr = ev.target.closest("tr[data-line]");
      if (!tr) return;
      const line = +tr.dataset.line;
      let idx = tr.dataset.node !== undefined ? +tr.dataset.node : -1;
      // Clicking the selected line again climbs to the enclosing statement: a reader can
      // select the whole `if`, its block, the loop around it...
      const cur = spans.findIndex(x => x[0] === model.get("selected_node"));
      if (line === model.get("selected_line") && cur >= 0) {
        const up = parentOf(cur);
        idx = up >= 0 ? up : cur;
      }
      model.set("selected_line", line);
      model.set("selected_node", idx >= 0 ? spans[idx][0] : "");
      model.save_changes();
      applySelection(false);
    });
  }

  function rowsOf(s, e) {
    const out = [];
    for (let ln = s; ln <= e; ln++) { const r = rows.get(ln); if (r) out.push(r); }
    return out;
  }

  // Panes kept by version (table_key), most recent last: the ones that left the screen,
  // and the ones Python sent ahead (prefetch: text until the page is idle, then parsed
  // into a pane laid out while nobody waits).  A kept pane's rows carry no id or
  // data-line (one version's rows answer #L123 at a time).
  const kept = new Map();
  const KEEP = 4;
  const TRACE_CLASSES = ["fx-x", "fx-decide", "fx-step", "fx-cause", "fx-sel", "fx-seln", "fx-seln-top",
                         "fx-seln-bot", "fx-hov", "fx-hov-top", "fx-hov-bot", "fx-jump", "fx-noted"];
  function newPane(table) {
    const pane = el("div", "fx-scroll");
    if (table) pane.appendChild(table);
    wire(pane);
    resized.observe(pane);
    return pane;
  }
  function park(pane) {
    // A kept pane is no .fx-scroll (that is the one on show), keeps the shown one's
    // height (so the cell does not grow) and its width (the grid column's: its rows'
    // layout stays valid).
    pane.style.height = (scroller && scroller.offsetHeight ? scroller.offsetHeight : pane.offsetHeight) + "px";
    pane.classList.replace("fx-scroll", "fx-kept");
    for (const tr of pane.querySelectorAll("tr[data-line]")) {
      tr.dataset.kept = tr.dataset.line;
      tr.removeAttribute("data-line");
      tr.removeAttribute("id");
    }
  }
  function unpark(pane) {
    for (const tr of pane.querySelectorAll("tr[data-kept]")) {
      tr.dataset.line = tr.dataset.kept;
      tr.id = "L" + tr.dataset.kept;
      tr.removeAttribute("data-kept");
      if (tr.classList.length) {
        if (tr.classList.contains("fx-noted") && tr.cells[1]) tr.cells[1].textContent = "";
        tr.classList.remove(...TRACE_CLASSES);
      }
    }
    pane.classList.replace("fx-kept", "fx-scroll");
    pane.style.height = "";
  }
  function keep(key, pane) {
    if (!key || !pane) return;
    kept.delete(key);
    kept.set(key, pane);
    while (kept.size > KEEP) {
      const [oldest, gone] = kept.entries().next().value;
      kept.delete(oldest);
      if (typeof gone !== "string") gone.remove();
    }
  }
  function parse(html) {
    // Trusted: built by explorer.render.source_table, every text escaped there.
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    return tpl.content.firstElementChild;
  }
  function mountParked(html) {
    const pane = newPane(parse(html));
    park(pane);
    body.insertBefore(pane, panel);
    return pane;
  }
  const idle = (fn) => (window.requestIdleCallback ? requestIdleCallback(fn, { timeout: 2000 }) : setTimeout(fn, 200));
  model.on("msg:custom", (msg) => {
    if (!msg || !msg.prefetch || kept.has(msg.prefetch) || msg.prefetch === scroller.dataset.key) return;
    keep(msg.prefetch, msg.table);
    idle(() => {
      const t = kept.get(msg.prefetch);
      if (typeof t === "string") kept.set(msg.prefetch, mountParked(t));
    });
  });

  function loadTable() {
    const t0 = performance.now();
    root.dataset.tableAt = String(Math.round(t0));     // when the table arrived (for the benchmark's breakdown)
    const key = model.get("table_key") || "";
    let pane = key && key !== scroller.dataset.key ? kept.get(key) : null;
    if (typeof pane === "string") pane = mountParked(pane);
    if (pane) {
      kept.delete(key);
      unpark(pane);
      root.dataset.tableFrom = "kept";
    } else if (key && key === scroller.dataset.key) {
      pane = scroller;                                  // the same version, a new table: redraw it here
      pane.replaceChildren(...(model.get("table") ? [parse(model.get("table"))] : []));
      root.dataset.tableFrom = "parse";
    } else {
      const table = model.get("table") ? parse(model.get("table")) : null;
      pane = newPane(table);
      body.insertBefore(pane, panel);
      root.dataset.tableFrom = "parse";
    }
    if (pane !== scroller) {
      const leaving = scroller;
      if (leaving.dataset.key) { park(leaving); keep(leaving.dataset.key, leaving); } else leaving.remove();
      scroller = pane;
    }
    scroller.dataset.key = key;
    root.dataset.tableMs = String(Math.round(performance.now() - t0));
    if (!root.dataset.firstDrawnAt && model.get("table")) {
      // when the first table was in the DOM, in the page's own clock (for benchmarks)
      requestAnimationFrame(() => { root.dataset.firstDrawnAt = String(Math.round(performance.now())); });
    }
    rows = new Map();
    for (const tr of scroller.querySelectorAll("tr[data-line]")) rows.set(+tr.dataset.line, tr);
    spans = model.get("spans") || [];
    marked = []; hovered = []; selected = null; selNode = [];
    title.textContent = model.get("title");
    jumped = null;
    // A new table: the trace is marked without scrolling to it, then the jump (the
    // first view is the fork entry, not wherever the trace happened to decide).
    applyNotes(); applyTrace(false); applySelection(false); applyJump();
    // a line chosen before the view was drawn (a shared ?line= URL): bring it into sight once laid out
    if (selected) requestAnimationFrame(() => { if (selected) scrollIntoViewIfNeeded(selected); });
  }

  // Voila keeps the cells hidden (display: none) until every one has run, and a
  // hidden pane cannot scroll: a jump asked for then waits until the pane has a size.
  let jumped = null, pendingJump = false;
  function applyJump() {
    const line = model.get("jump_line");
    if (jumped) jumped.classList.remove("fx-jump");
    jumped = line ? (rows.get(line) || null) : null;
    if (!jumped) return;
    jumped.classList.add("fx-jump");
    if (scroller.clientHeight === 0) { pendingJump = true; return; }
    pendingJump = false;
    const r = jumped.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    scroller.scrollTop += r.top - s.top - Math.round(scroller.clientHeight / 4);
    root.dataset.jumpLine = String(line);
    root.dataset.jumpRev = String(model.get("jump_rev"));
    root.dataset.jumpedAt = String(performance.now());
  }

  function applyNotes() {
    for (const tr of scroller.querySelectorAll("tr.fx-noted")) {
      tr.classList.remove("fx-noted");
      if (tr.cells[1]) tr.cells[1].textContent = "";
    }
    const said = (model.get("ui") || {}).status || {};     // the status words in the interface language
    for (const n of model.get("notes") || []) {
      const tr = rows.get(n.line);
      if (!tr) continue;
      const m = el("span", "fx-mark fx-" + (n.status || "exact"), "\u25CF");
      m.title = said[n.status || "exact"] || n.status || "exact";
      tr.cells[1].appendChild(m);
      tr.classList.add("fx-noted");
    }
    showPanel();
  }

  function applyTrace(scroll = true) {
    for (const tr of marked) tr.classList.remove("fx-x", "fx-decide", "fx-step", "fx-cause");
    marked = [];
    for (const ln of model.get("executed") || []) {
      const tr = rows.get(ln);
      if (tr) { tr.classList.add("fx-x"); marked.push(tr); }
    }
    const d = rows.get(model.get("decided"));
    if (d) { d.classList.add("fx-decide"); marked.push(d); }
    const c = rows.get(model.get("cause"));
    if (c) { c.classList.add("fx-cause"); marked.push(c); }
    const st = rows.get(model.get("step_line"));
    if (st) { st.classList.add("fx-step"); marked.push(st); }
    const focus = st || d;
    if (focus && scroll) scrollIntoViewIfNeeded(focus);
    // Readiness signal for tests and the in-page benchmark.
    root.dataset.traceRev = String(model.get("trace_rev"));
  }

  function scrollIntoViewIfNeeded(tr) {
    if (scroller.clientHeight === 0) return;      // hidden: nothing to scroll yet
    const r = tr.getBoundingClientRect(), s = scroller.getBoundingClientRect();
    if (r.top < s.top || r.bottom > s.bottom) {
      scroller.scrollTop += r.top - s.top - scroller.clientHeight / 3;
    }
  }

  function applySelection(scroll) {
    if (selected) selected.classList.remove("fx-sel");
    selected = rows.get(model.get("selected_line")) || null;
    outlineSelected();
    if (selected) {
      selected.classList.add("fx-sel");
      if (scroll) scrollIntoViewIfNeeded(selected);
    }
    showPanel();
  }

  function showPanel() {
    panel.textContent = "";
    const lang = model.get("lang");
    root.dataset.lang = lang;
    for (const b of langBox.children) b.classList.toggle("fx-on", b.dataset.lang === lang);
    const line = model.get("selected_line");
    const ui = model.get("ui") || {};     // the interface's words in its language (explorer.i18n)
    if (!line) { panel.appendChild(el("div", "fx-hint", ui.click || "Click a line to read its commentary.")); return; }
    const node = model.get("selected_node");
    const where = el("div", "fx-where", (ui.line || "line {line}").replace("{line}", line) + (node ? ` · ${node}` : ""));
    const base = model.get("link_base");
    if (base) {   // a hub room: a link that opens this line in whichever member's server opens it
      const a = el("a", "fx-share-link", ui.link || "link to this line");
      a.href = `${base}&line=${line}`;
      a.target = "_blank";
      a.title = ui.link_title || "members who open this link land on this line";
      where.appendChild(a);
    }
    panel.appendChild(where);
    const here = (model.get("notes") || []).filter(n => n.line <= line && line <= (n.end_line || n.line)
                                                       && (n.line === line || n.node_id === node));
    if (!here.length) { panel.appendChild(el("div", "fx-hint", ui.none || "No commentary on this line yet.")); return; }
    for (const n of here) {
      const box = el("div", "fx-note-view" + (lang === "both" ? " fx-side" : ""));
      box.dataset.key = n.key || "";
      const other = n.other || {};
      // ja and en always (the shipped pair); another language when the note has it, or when it is
      // the one language chosen (then a note without it says so instead of an empty box)
      const shown = ["ja", "en", ...Object.keys(other)];
      if (lang !== "both" && !shown.includes(lang)) shown.push(lang);
      for (const l of shown) {
        if (lang !== "both" && lang !== l) continue;
        const t = (l === "ja" || l === "en") ? (n[l] || "") : (other[l] || "");
        const d = el("div", "fx-tx fx-" + l.replace(/[^A-Za-z0-9-]/g, "-") + (t ? "" : " fx-missing"),
                     t || missingText(l));
        d.lang = l;
        box.appendChild(d);
      }
      if (n.status && n.status !== "exact") box.appendChild(el("div", "fx-status", (ui.status || {})[n.status] || n.status));
      if (n.author) box.appendChild(el("div", "fx-author", `— ${n.author}`));   // who wrote it, in a shared room
      panel.appendChild(box);
    }
  }

  // The statement enclosing span i (the smallest one strictly containing it), or -1.
  function parentOf(i) {
    const [, , s, e] = spans[i];
    let best = -1;
    spans.forEach((sp, j) => {
      if (j === i || sp[2] > s || sp[3] < e || (sp[2] === s && sp[3] === e && sp[0].length >= spans[i][0].length)) return;
      if (best < 0 || sp[3] - sp[2] < spans[best][3] - spans[best][2]
          || (sp[3] - sp[2] === spans[best][3] - spans[best][2] && sp[0].length > spans[best][0].length)) best = j;
    });
    return best;
  }

  let selNode = [];
  function outlineSelected() {
    for (const r of selNode) r.classList.remove("fx-seln", "fx-seln-top", "fx-seln-bot");
    selNode = [];
    const id = model.get("selected_node");
    const sp = spans.find(x => x[0] === id);
    if (!sp) return;
    selNode = rowsOf(sp[2], sp[3]);
    for (const r of selNode) r.classList.add("fx-seln");
    if (selNode.length) { selNode[0].classList.add("fx-seln-top"); selNode[selNode.length - 1].classList.add("fx-seln-bot"); }
    root.dataset.selectedKind = sp[1];
  }

  model.on("change:table", loadTable);
  model.on("change:notes", applyNotes);
  model.on("change:trace_rev", () => applyTrace(model.get("follow")));
  model.on("change:jump_rev", applyJump);
  model.on("change:selected_line", () => applySelection(true));
  model.on("change:selected_node", () => { outlineSelected(); showPanel(); });
  model.on("change:lang", showPanel);
  model.on("change:link_base", showPanel);
  model.on("change:ui", applyNotes);          // the marks' titles, then the panel
  model.on("change:langs", () => { buildLangs(); showPanel(); });
  model.on("change:title", () => { title.textContent = model.get("title"); });
  loadTable();
  root.dataset.ready = "1";
  idle(() => model.send({ drawn: true }));    // the page is drawn and idle: Python may send tables ahead
}

export default { render };
