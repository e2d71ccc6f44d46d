// The ja/en toggle.  On first render with no language chosen yet, the page
// reports navigator.languages and Python picks the interface language from it
// (explorer.i18n.ui_language); a click sets the language outright.
function render({ model, el }) {
  el.classList.add("fx-lang-switch");
  function draw() {
    el.textContent = "";
    const lang = model.get("lang");
    document.documentElement.dataset.fxLang = lang || "";
    const label = document.createElement("span");
    label.className = "fx-lang-label";
    label.textContent = model.get("label");
    el.appendChild(label);
    for (const [code, name] of model.get("choices")) {
      const b = document.createElement("button");
      b.type = "button";
      b.lang = code;
      b.dataset.lang = code;
      b.textContent = name;
      b.className = "fx-lang-btn" + (code === lang ? " fx-on" : "");
      b.addEventListener("click", () => { model.set("lang", code); model.save_changes(); });
      el.appendChild(b);
    }
  }
  model.on("change:lang", draw);
  model.on("change:choices", draw);
  model.on("change:label", draw);
  draw();
  if (!model.get("lang")) {
    const langs = Array.from(navigator.languages || [navigator.language || ""]);
    model.set("browser", langs);
    model.save_changes();
  }
}
export default { render };
