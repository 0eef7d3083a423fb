/* The book's explorers: switch between precomputed frames as the controls move.
 * Each explorer is a <div class="rnn-explorer"> written by helpers/explorer.py; its controls carry
 * data-size (number of values) and data-labels, and the frames are in grid order, last control
 * fastest. No kernel and no network: everything the explorer shows is already in the page. */
(function () {
  "use strict";
  function setup(root) {
    if (root.hasAttribute("data-ready")) { return; }
    root.setAttribute("data-ready", "1");
    var controls = Array.prototype.slice.call(root.querySelectorAll("[data-param]"));
    var frames = root.querySelectorAll(".rnn-explorer-frame");
    var status = root.querySelector(".rnn-explorer-status");
    function update(announce) {
      var index = 0, said = [];
      controls.forEach(function (c) {
        var n = parseInt(c.getAttribute("data-size"), 10), i = parseInt(c.value, 10);
        var labels = JSON.parse(c.getAttribute("data-labels"));
        index = index * n + i;
        var out = root.querySelector('output[for="' + c.id + '"]');
        if (out) { out.textContent = labels[i]; }
        if (c.type === "range") { c.setAttribute("aria-valuetext", labels[i]); }  // a slider says its value
        said.push(c.getAttribute("data-param") + " = " + labels[i]);
      });
      for (var k = 0; k < frames.length; k++) { frames[k].hidden = (k !== index); }
      root.setAttribute("data-index", String(index));
      if (status && announce) { status.textContent = said.join(", "); }
    }
    controls.forEach(function (c) {
      c.addEventListener("input", function () { update(true); });
      c.addEventListener("change", function () { update(true); });
    });
    update(false);
  }
  function setupAll() { document.querySelectorAll("div.rnn-explorer").forEach(setup); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
