/* Issue 16: meeting-ready. Presentation mode (P), before/after flip (B), the map's display level
   with + and - (and Plotly's own +/- buttons), one-click section links, the flip's outline.
   Loaded after hexalign.js (file names sort "hexalign.css" < "hexalign.meeting.*"); ids come from
   the page's data-hexalign like the main script's. */
(function () {
  "use strict";

  function settings() {
    var root = document.querySelector("[data-hexalign]");
    return root ? JSON.parse(root.getAttribute("data-hexalign")) : null;
  }
  function byId(name) {
    var c = settings();
    return c && c.ids[name] ? document.getElementById(c.ids[name]) : null;
  }
  function mapDiv() {
    var host = byId("MAP");
    return host ? host.querySelector(".js-plotly-plot") : null;
  }
  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll(".panel-column .js-plotly-plot"));
  }
  window.hexalign = window.hexalign || {};

  /* -- presentation mode: a class on the root; nothing else changes, so leaving restores the
     working view exactly (scenario, camera, colour mode are untouched). -- */
  var CHART_FONT = 18;
  function present(on) {
    var root = document.querySelector(".app");
    if (!root) { return; }
    on = on === undefined ? !root.classList.contains("presenting") : on;
    root.classList.toggle("presenting", on);
    var button = byId("PRESENT");
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Leave presentation" : "Present";
    }
    charts().forEach(function (gd) {
      if (!window.Plotly || !gd.layout) { return; }
      if (on && gd._hexalignFont === undefined) {
        gd._hexalignFont = (gd.layout.font && gd.layout.font.size) || null;
        gd._hexalignHeight = gd.layout.height || null;
      }
      var font = on ? CHART_FONT : gd._hexalignFont;
      var height = on ? Math.max(260, Math.round((window.innerHeight - 260) / 2)) : gd._hexalignHeight;
      window.Plotly.relayout(gd, {"font.size": font, height: height});
      if (!on) { delete gd._hexalignFont; delete gd._hexalignHeight; }
    });
    window.hexalign.presenting = on;
    window.dispatchEvent(new Event("resize"));  // the map fills its new box
  }

  /* -- display level: + and - zoom one step; a zoom that plotly reports without the view's
     corners (its own +/- buttons) is replayed as a camera move that carries them, so the server
     can pick the level (real cells when zoomed in). -- */
  function zoomBy(step) {
    var gd = mapDiv();
    var internals = window.HexalignPlotlyInternals;
    var cam = gd && gd._fullLayout && gd._fullLayout.map;
    if (!cam || !internals) { return false; }
    return internals.moveCamera(gd, {lon: cam.center.lon, lat: cam.center.lat}, cam.zoom + step);
  }
  function watchZoomButtons() {
    var gd = mapDiv();
    if (!gd || gd._hexalignZoomWatched || !gd.on) { return; }
    gd._hexalignZoomWatched = true;
    gd.on("plotly_relayout", function (e) {
      if (e && e["map.zoom"] !== undefined && !e["map._derived"]) {
        setTimeout(function () { zoomBy(0); }, 50);
      }
    });
  }
  /* the compare map (Scenarios tab) fits the changed cells to its real size, once per key */
  function fitCompare(gd) {
    var fit = gd.layout && gd.layout.meta && gd.layout.meta.hexalignFit;
    var internals = window.HexalignPlotlyInternals;
    if (!fit || !internals || gd._hexalignFitted === fit.key) { return; }
    var cam = internals.cameraFor(gd, fit.bounds, fit.padding);
    if (cam && internals.moveCamera(gd, cam.center, cam.zoom)) {
      gd._hexalignFitted = fit.key;
      window.hexalign.compareFitted = {key: fit.key, zoom: cam.zoom};
    }
  }
  function watchCompare() {
    var host = byId("COMPARE_MAP");
    var gd = host ? host.querySelector(".js-plotly-plot") : null;
    if (!gd || gd._hexalignCompareWatched || !gd.on) { return; }
    gd._hexalignCompareWatched = true;
    gd.on("plotly_afterplot", function () { fitCompare(gd); });
  }
  new MutationObserver(watchCompare).observe(document.documentElement, {childList: true, subtree: true});

  new MutationObserver(watchZoomButtons).observe(document.documentElement, {childList: true, subtree: true});

  /* -- one click to a section under the map: open its tab and scroll to it -- */
  function openSection(title) {
    var id = settings().ids.SECTIONS;
    window.dash_clientside.set_props(id, {value: title});
    setTimeout(function () {
      var parent = document.getElementById(id + "-parent") || document.getElementById(id);
      if (parent) { parent.scrollIntoView({block: "start"}); }
    }, 50);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-section]") : null;
    var toggle = event.target.closest ? event.target.closest(".present-toggle") : null;
    if (toggle) { present(); return; }
    if (link) { event.preventDefault(); openSection(link.getAttribute("data-section")); }
  });

  function onKey(event) {
    var target = event.target || {};
    var choice = target.tagName === "INPUT" && /^(radio|checkbox|button|submit)$/.test(target.type || "");
    var typing = (target.tagName === "INPUT" && !choice) || target.tagName === "TEXTAREA" || target.isContentEditable;
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var presenting = document.querySelector(".app.presenting") !== null;
    if (event.key === "p" || event.key === "P") { present(); event.preventDefault(); return; }
    if (event.key === "Escape" && presenting) { present(false); event.preventDefault(); return; }
    if (event.key === "b" || event.key === "B") {
      var flip = byId("FLIP");
      if (flip) { flip.click(); event.preventDefault(); }
      return;
    }
    if (event.key === "+" || event.key === "=") { if (zoomBy(1)) { event.preventDefault(); } return; }
    if (event.key === "-" || event.key === "_") { if (zoomBy(-1)) { event.preventDefault(); } }
  }
  document.addEventListener("keydown", onKey);

  /* the before/after flip's outline: the cells whose owner differs between the two scenarios */
  function flipOutline(msg) {
    var gd = mapDiv();
    var internals = window.HexalignPlotlyInternals;
    if (!gd || !internals) { return window.dash_clientside.no_update; }
    internals.outline(gd, msg && msg.geometry ? msg.geometry : null);
    window.hexalign.flipOutline = msg ? {cells: msg.cells, key: msg.key} : null;
    return msg ? msg.key : null;
  }

  /* locked cells carry a thick dark outline (layouts/map_figure.py locked_lines); a lock or an
     unlock repaints colours cell by cell, so the outlines are restyled here when locks changed */
  function lockLines(msg) {
    var gd = mapDiv();
    var c = settings();
    if (!msg || !msg.locked || !gd || !gd.data || !gd.data.length || !c.lines) { return window.dash_clientside.no_update; }
    var trace = gd.data[0];
    var n = trace.locations ? trace.locations.length : 0;
    var line = (trace.marker && trace.marker.line) || {};
    var widths = Array.isArray(line.width) ? line.width.slice() : new Array(n).fill(c.lines.CELL[0]);
    var colours = Array.isArray(line.color) ? line.color.slice() : new Array(n).fill(c.lines.CELL[1]);
    var changed = false;
    for (var i = 0; i < msg.idx.length; i++) {
      var k = msg.idx[i];
      var want = msg.locked[i] ? c.lines.LOCKED : c.lines.CELL;
      if (widths[k] !== want[0]) { widths[k] = want[0]; colours[k] = want[1]; changed = true; }
    }
    if (changed && window.Plotly) {
      window.Plotly.restyle(gd, {"marker.line.width": [widths], "marker.line.color": [colours]}, [0]);
    }
    return msg.version;
  }

  window.hexalign.present = present;
  window.hexalign.zoomBy = zoomBy;
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    hexalignMeeting: {
      present: function (n) { if (n) { present(); } return window.dash_clientside.no_update; },
      flipOutline: flipOutline,
      lockLines: lockLines
    }
  });
})();
