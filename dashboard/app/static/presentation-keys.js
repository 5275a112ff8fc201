/* Keyboard and clicker navigation of the presentation mode (no network, no CDN).
 *
 * Inlined by dashboard/app/presentation.py into a zero-height component. The handler is
 * installed once in the app's own document (not in the component's iframe, which each
 * rerun replaces) and acts only while the presentation's buttons are on the page:
 *   → PageDown Space : next screen      ← PageUp : previous screen
 *   Home / End       : first / last      Escape : leave the presentation mode
 * Clickers send PageDown / PageUp (some send arrows): both work.
 */
function territoiresPresentationKeys() {
  var KEYS = {
    "ArrowRight": "next", "PageDown": "next", " ": "next", "Spacebar": "next",
    "ArrowLeft": "prev", "PageUp": "prev", "Home": "first", "End": "last", "Escape": "quit"
  };
  function button(key) {
    return document.querySelector(".st-key-" + key + " button");
  }
  function onKey(event) {
    var action = KEYS[event.key];
    if (!action || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (!button("next")) { return; }  /* not on the presentation page */
    var target = event.target || {};
    var tag = (target.tagName || "").toUpperCase();
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    var el = button(action);  /* « quit » too: its button switches to the home page */
    if (el && !el.disabled) { el.click(); }
    if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
  }
  document.addEventListener("keydown", onKey, true);
}

(function () {
  var doc = window.parent.document;
  if (doc.getElementById("territoires-presentation-keys")) { return; }
  var script = doc.createElement("script");
  script.id = "territoires-presentation-keys";
  script.textContent = "(" + territoiresPresentationKeys.toString() + ")();";
  doc.head.appendChild(script);
})();
