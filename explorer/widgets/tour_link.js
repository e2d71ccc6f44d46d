// The tour panel's link to the page's address (anywidget).  It tells Python the
// query the page was opened with (?tour=ID&stop=N, a leader's shared link), and
// shows the link to the current stop, keeping the address bar on it so that a
// reload or a copied address lands on the same stop.  Python decides every
// stop; this only reads and writes the address.
function render({ model, el }) {
  el.classList.add("fx-tour-link");
  const label = document.createElement("span");
  label.className = "fx-tour-link-label";
  const link = document.createElement("a");
  link.className = "fx-tour-share";
  const copy = document.createElement("button");
  copy.className = "fx-tour-copy";
  copy.type = "button";
  el.append(label, link, copy);

  function base() {
    return window.location.origin + window.location.pathname;
  }
  // the link another reader opens: in a JupyterHub room through the hub's user-redirect
  // (this page's /user/NAME/ path is this member's own server), else this page's address
  function shareBase() {
    const hub = model.get("base");
    return hub ? window.location.origin + hub : base();
  }
  function draw() {
    const share = model.get("share");
    label.textContent = model.get("label_text");
    copy.textContent = model.get("copy_text");
    el.style.display = share ? "" : "none";
    if (!share) return;
    const url = base() + share;
    link.href = shareBase() + share;
    link.textContent = link.href;
    el.dataset.share = share;
    if (window.location.search !== share) {
      try { window.history.replaceState(null, "", url); } catch (e) { /* a sandboxed frame */ }
    }
  }
  copy.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(link.href); copy.dataset.copied = "1"; } catch (e) { link.focus(); }
  });
  // A stop shown (a link opened, Next, Previous): bring the panel to the top of
  // the window, so its note and the source pane under it are both in view.
  function reveal(always) {
    if (!always && !model.get("share")) return;
    const panel = el.closest(".fx-tour");
    if (panel) requestAnimationFrame(() => panel.scrollIntoView({ block: "start" }));
  }
  model.on("change:share", () => { draw(); reveal(false); });
  // Python asks to be seen: a link named a tour or stop that is not there.
  model.on("change:attention", () => reveal(true));
  model.on("change:label_text", draw);
  model.on("change:base", draw);
  draw();
  reveal(model.get("attention") > 0);
  // Report the address the page was opened with, once per page.
  if (!model.get("query")) {
    model.set("query", window.location.search || "?");
    model.save_changes();
  }
}
export default { render };
