/* Issue 18 point 1: plotly.js is evaluated while the page waits for its layout, not after.

   Dash's graph asks for plotly.js only once it mounts, i.e. after the layout has arrived (and the
   layout now carries the first map, built on the server while the browser waits). Evaluating
   plotly.js takes 0.6-1 s of the main thread; done then, it comes on top of that wait. Here the
   file (preloaded by the page's head, app.py FIRST_MAP_SCRIPTS) is run as soon as the page's own
   scripts have run, while the layout is on its way. Until it has run, window.Plotly is a promise
   of it: Dash's graph takes a promise there as "loading" and waits for it (dcc's loader calls
   Promise.resolve(window.Plotly || <its own script tag>)), so plotly.js is never run twice. */
(function () {
  "use strict";
  var link = document.querySelector('link[rel="preload"][href$="/plotly.min.js"]');
  if (!link || window.Plotly) { return; }
  var url = link.href;
  window.Plotly = new Promise(function (resolve, reject) {
    function load() {
      var script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = function () { resolve(window.Plotly); };
      script.onerror = function (err) { window.Plotly = undefined; reject(err); };
      document.head.appendChild(script);
    }
    // after Dash's renderer has started (and asked for the layout): its scripts come first
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { setTimeout(load, 0); });
    } else {
      setTimeout(load, 0);
    }
  });
})();
