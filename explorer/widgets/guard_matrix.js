// Guard history matrix: the table comes escaped from explorer.render.matrix;
// a click on a cell tells Python which version and line to open.  The table
// scrolls inside its box (both ways), so 100+ versions never widen the page;
// the checkbox unfolds the columns of versions where nothing changed.
function render({ model, el }) {
  el.classList.add("fx-matrix-view");
  const fold = document.createElement("label");
  fold.className = "fx-matrix-fold";
  const check = document.createElement("input");
  check.type = "checkbox";
  const words = document.createElement("span");
  fold.append(check, " ", words);
  const box = document.createElement("div");
  box.className = "fx-matrix-box";
  el.append(fold, box);
  const load = () => {
    box.innerHTML = model.get("html");
    const table = box.querySelector("table.fx-matrix");
    // the switch only matters where versions share columns (or were unfolded)
    fold.style.display = table && (model.get("unfold") ||
      +table.dataset.columns < +table.dataset.versions) ? "" : "none";
    check.checked = model.get("unfold");
    words.textContent = model.get("unfold_label");
  };
  check.addEventListener("change", () => { model.set("unfold", check.checked); model.save_changes(); });
  box.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-line]");
    if (!a) return;
    ev.preventDefault();
    model.set("picked", { label: a.dataset.label, line: +a.dataset.line, n: Date.now() });
    model.save_changes();
  });
  model.on("change:html", load);
  model.on("change:unfold", load);
  model.on("change:unfold_label", load);
  load();
}
export default { render };
