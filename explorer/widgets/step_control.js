// Step replay slider (anywidget).  The browser never writes the step itself:
// it asks for one, naming the run it was looking at ({run, step}); Python
// ignores an ask for a run that is no longer current.  So a value the page
// still holds from an earlier trace (Run All changes the flags twice in a row)
// can never move a newer trace.
function render({ model, el }) {
  el.classList.add("fx-step-control");
  const label = document.createElement("span");
  label.className = "fx-step-label";
  const input = document.createElement("input");
  input.type = "range";
  input.min = "0";
  input.step = "1";
  input.className = "fx-step-range";
  const readout = document.createElement("span");
  readout.className = "fx-step-readout";
  el.append(label, input, readout);

  function words() {
    const w = model.get("labels") || {};
    label.textContent = w.step || "Step";
    input.setAttribute("aria-label", w.aria || "trace step");
  }
  words();
  model.on("change:labels", words);

  let dragging = false;
  function draw(force) {
    const max = model.get("max"), value = model.get("value");
    input.max = String(max);
    // While the reader drags, the thumb follows the hand, not the (later) answers.
    if (force || !dragging) input.value = String(value);
    readout.textContent = `${value + 1} / ${max + 1}`;   // 1-based, as the step text below it
    el.dataset.run = String(model.get("run"));
    el.dataset.value = String(value);
  }
  function ask() { model.send({ run: model.get("run"), step: +input.value }); }
  input.addEventListener("input", ask);
  input.addEventListener("pointerdown", () => { dragging = true; });
  const release = () => { if (dragging) { dragging = false; draw(true); } };
  input.addEventListener("pointerup", release);
  input.addEventListener("change", release);
  model.on("change:value", () => draw(false));
  model.on("change:max", () => draw(true));
  model.on("change:run", () => { dragging = false; draw(true); });
  draw(true);
}
export default { render };
