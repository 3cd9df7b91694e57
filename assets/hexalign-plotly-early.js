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

  /* A figure asking to be fitted (layout.meta.hexalignFit, layouts/map_figure.py with_fit) gets
     the camera that fits its bounds into the graph's real size before plotly.js draws it: the
     server could only guess the size, and the refit after the draw (hexalign.js fitOnce) then
     moved the camera of a map already loading, which had MapLibre cut and draw every layer
     again (1-3 s with software WebGL). fitOnce still runs; it then finds the camera in place.
     Web Mercator with 512 px tiles and the same padding, as camera_for_bounds in Python. */
  var MAX_FIT_ZOOM = 14;
  function mercatorY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); }
  function fittedLayout(gd, layout) {
    var fit = layout && layout.meta && layout.meta.hexalignFit;
    var width = gd && gd.clientWidth;
    var height = gd && gd.clientHeight;
    if (!fit || !layout.map || !width || !height || gd._hexalignPrefit === fit.key) { return layout; }
    var b = fit.bounds;
    var pad = fit.padding || 0;
    var ySouth = mercatorY(b[1]);
    var yNorth = mercatorY(b[3]);
    var spanX = Math.max(b[2] - b[0], 1e-6) / 360;
    var spanY = Math.max(yNorth - ySouth, 1e-6) / (2 * Math.PI);
    var zoom = Math.log2(Math.min(Math.max(width - 2 * pad, 1) / (spanX * 512),
                                  Math.max(height - 2 * pad, 1) / (spanY * 512)));
    var lat = Math.atan(Math.sinh((ySouth + yNorth) / 2)) * 180 / Math.PI;
    gd._hexalignPrefit = fit.key;
    var map = Object.assign({}, layout.map, {center: {lon: (b[0] + b[2]) / 2, lat: lat},
                                              zoom: Math.min(zoom, MAX_FIT_ZOOM)});
    return Object.assign({}, layout, {map: map});
  }
  function fitFirst(Plotly) {
    ["react", "newPlot"].forEach(function (name) {
      var draw = Plotly && Plotly[name];
      if (typeof draw !== "function") { return; }
      Plotly[name] = function (gd, a, b, c) {
        var div = typeof gd === "string" ? document.getElementById(gd) : gd;
        try {
          if (a && !Array.isArray(a) && a.layout) {  // (gd, {data, layout, config, frames})
            a = Object.assign({}, a, {layout: fittedLayout(div, a.layout)});
          } else if (b) {  // (gd, data, layout, config)
            b = fittedLayout(div, b);
          }
        } catch (err) { console.warn("hexalign: first fit skipped", err); }
        return draw.call(this, gd, a, b, c);
      };
    });
  }

  /* The scenario this browser remembers goes with the layout request (a cookie, app.py
     remembered_scenario): the layout's first map is then that scenario's, not the landing one's
     replaced a moment later. */
  try {
    var meta = document.querySelector('meta[name="hexalign-first"]');
    var names = meta ? JSON.parse(meta.getAttribute("content")) : null;
    var kept = names ? JSON.parse(window.localStorage.getItem(names.store) || "null") : null;
    var id = kept && Number(kept.id);
    if (names) {
      document.cookie = names.cookie + "=" + (id > 0 ? String(id) : "") + "; path=/; SameSite=Strict" +
        (id > 0 ? "" : "; max-age=0");
    }
  } catch (err) { console.warn("hexalign: remembered scenario not sent", err); }

  /* The first map's cell polygons (/geo/...) and basemap layers and towns (/basemap/...) were
     asked for only once plotly.js drew and MapLibre had loaded, and then waited on the server's
     two workers behind the page's load callbacks (0.7-0.8 s at 1M accounts). The layout's answer
     names them in a header (app.py, layouts/first_page.py fetched_urls): they are asked for as
     soon as that answer starts, ahead of the callbacks. The answers may be cached forever (the
     URLs name their content), so plotly.js and MapLibre find them in the browser's cache (or
     wait for the one request in flight). */
  var PREFETCH_HEADER = "X-Hexalign-Prefetch";
  function prefetch(paths) {
    var seen = {};
    paths.forEach(function (path) {
      if (!path || path.charAt(0) !== "/" || seen[path]) { return; }
      seen[path] = true;
      window.fetch(path, {credentials: "same-origin"}).catch(function () {});
    });
    window.hexalign = window.hexalign || {};
    window.hexalign.prefetched = Object.keys(seen);
  }
  if (window.fetch && !window.fetch._hexalignPrefetch) {
    var fetchFirst = window.fetch;
    var prefetching = function (input) {
      var promise = fetchFirst.apply(this, arguments);
      var target = typeof input === "string" ? input : (input && input.url) || "";
      if (/\/_dash-layout$/.test(target.split("?")[0])) {
        promise.then(function (response) {
          var named = response.headers.get(PREFETCH_HEADER);
          if (named) { prefetch(named.split(" ")); }
        }).catch(function () { /* Dash reports a failed layout itself */ });
      }
      return promise;
    };
    prefetching._hexalignPrefetch = true;
    window.fetch = prefetching;
  }

  /* The file is Hexalign's partial plotly.js (app.py PLOTLY_BUNDLE, scripts/build_plotly_bundle.sh:
     core, bar, choroplethmap, scattermap), not Dash's full plotly.min.js: 2.9 MB to evaluate, not
     4.8 MB. As window.Plotly is set before any graph mounts, Dash never fetches plotly.min.js. */
  var link = document.querySelector('link[rel="preload"][href$="/plotly-partial.min.js"]');
  if (!link || window.Plotly) { return; }
  var url = link.href;
  window.Plotly = new Promise(function (resolve, reject) {
    function load(src, fallBack) {
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = function () { fitFirst(window.Plotly); resolve(window.Plotly); };
      script.onerror = function (err) {
        // the partial bundle did not come: Dash's full plotly.min.js (its renderer names it)
        var full = window._dashPlotlyJSURL;
        if (fallBack && full) {
          console.warn("hexalign: " + src + " not loaded; loading " + full);
          load(full, false);
          return;
        }
        window.Plotly = undefined;
        reject(err);
      };
      document.head.appendChild(script);
    }
    function start() { load(url, true); }
    // after Dash's renderer has started (and asked for the layout): its scripts come first
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { setTimeout(start, 0); });
    } else {
      setTimeout(start, 0);
    }
  });
})();
