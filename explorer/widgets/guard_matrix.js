// Guard history matrix: the table comes escaped from explorer.render.matrix;
// a click on a cell tells Python which version and line to open.
function render({ model, el }) {
  el.classList.add("fx-matrix-view");
  const box = document.createElement("div");
  box.className = "fx-matrix-box";
  el.appendChild(box);
  const load = () => { box.innerHTML = model.get("html"); };
  box.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-line]");
    if (!a) return;
    ev.preventDefault();
    model.set("picked", { label: a.dataset.label, line: +a.dataset.line, n: Date.now() });
    model.save_changes();
  });
  model.on("change:html", load);
  load();
}
export default { render };
