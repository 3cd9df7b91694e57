/* Town and rep names over the map, as HTML, and the basemap switch.

   Why HTML: MapLibre draws text only with font glyphs fetched from a server, and no request may
   leave the app. Each label is a <div> placed with the map's projection, recomputed on every camera
   move. Rep homes are labelled first (with the rep's name, from the homes trace's customdata), then
   the towns of the figure's towns URL (layout.meta.hexalign.towns, served by the app, largest
   first): a town is skipped when its label would overlap one already placed, so zooming in shows
   more and smaller towns. The switch (toolbar "Map shows") hides the basemap's MapLibre layers and
   the town labels without a new figure. plotly.js internals are reached only through
   window.HexalignPlotlyInternals (hexalign-plotly-internals.js).

   window.hexalign.labels = {towns: n, reps: n, names: [...]} after each placement (tests read it). */
(function () {
  "use strict";

  var MAX_TOWNS = 60;          // at most this many town labels at once
  var TOWN_PX = 14;            // readable from the back of a room at 1920x1080
  var CITY_PX = 16;            // towns of a million people or more
  var REP_PX = 15;
  var CITY_POPULATION = 1000000;
  var MAJOR_POPULATION = 500000;   // named before the reps' homes, so a rep does not hide them
  var CHAR_EM = 0.6;           // average glyph width of the label font, in em (collision boxes)
  var GAP_PX = 4;

  var state = window.hexalign = window.hexalign || {};
  state.labels = {towns: 0, reps: 0, names: []};
  var shown = {land: true, towns: true};
  var towns = {url: null, rows: [], loading: null};
  var pending = false;

  var mapId = null;
  function mapDiv() {
    if (!mapId) {
      var root = document.querySelector("[data-hexalign]");
      if (!root) { return null; }
      mapId = JSON.parse(root.getAttribute("data-hexalign")).ids.MAP;  // layouts.main.browser_config
    }
    var host = document.getElementById(mapId);
    return host ? host.querySelector(".js-plotly-plot") : null;
  }

  function internals() { return window.HexalignPlotlyInternals; }

  function meta(gd) { return (gd && gd.layout && gd.layout.meta && gd.layout.meta.hexalign) || null; }

  function overlay(gd) {
    var host = gd.parentElement;
    var layer = host.querySelector(":scope > .hexalign-labels");
    if (!layer) {
      if (getComputedStyle(host).position === "static") { host.style.position = "relative"; }
      layer = document.createElement("div");
      layer.className = "hexalign-labels";
      layer.setAttribute("aria-hidden", "true");
      host.appendChild(layer);
    }
    return layer;
  }

  function loadTowns(url) {
    if (!url || towns.url === url) { return; }
    towns.url = url;
    towns.rows = [];
    towns.loading = fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (rows) { if (towns.url === url) { towns.rows = rows; schedule(); } })
      .catch(function (err) { console.warn("hexalign: towns not loaded", err); });
  }

  function fits(box, placed) {
    for (var i = 0; i < placed.length; i++) {
      var b = placed[i];
      if (box.x0 < b.x1 && box.x1 > b.x0 && box.y0 < b.y1 && box.y1 > b.y0) { return false; }
    }
    return true;
  }

  /* Place a label unless it overlaps one already placed (or falls off the map); ``force`` places it
     anyway (rep names). A town: dot at p, name to its right. A rep: a dot in the rep's colour at
     the home, the name centred under it, so the town the rep lives in keeps its own label. */
  function place(frag, placed, p, text, px, cls, colour, w, h, force) {
    var rep = cls === "rep";
    var width = text.length * px * CHAR_EM + (rep ? 4 : 12);
    if (p.x < 0 || p.y < 0 || p.x > w || p.y > h) { return false; }
    var box = {x0: p.x - 4, y0: p.y - px * 0.6, x1: p.x + width, y1: p.y + px * 0.6};
    var below = true;
    if (rep) {  // under the home, or above it when a larger town's name is under it
      box = {x0: p.x - width / 2, y0: p.y + 13, x1: p.x + width / 2, y1: p.y + 13 + px * 1.1};
      var above = {x0: box.x0, y0: p.y - 13 - px * 1.1, x1: box.x1, y1: p.y - 13};
      if (!fits(box, placed) && fits(above, placed)) { box = above; below = false; }
    }
    if (!force && (box.x1 > w || !fits(box, placed))) { return false; }
    placed.push({x0: box.x0 - GAP_PX, y0: box.y0 - GAP_PX, x1: box.x1 + GAP_PX, y1: box.y1 + GAP_PX});
    var el = document.createElement("div");
    el.className = "hexalign-label " + cls + (rep && !below ? " above" : "");
    el.style.transform = "translate(" + Math.round(p.x) + "px," + Math.round(p.y) + "px)";
    el.style.fontSize = px + "px";
    var dot = document.createElement("span");
    dot.className = "dot";
    if (colour) { dot.style.background = colour; }
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = text;
    el.appendChild(dot);
    el.appendChild(name);
    frag.appendChild(el);
    return true;
  }

  function draw() {
    pending = false;
    var gd = mapDiv();
    var api = internals();
    if (!gd || !api || !meta(gd)) { return; }
    var proj = api.projector(gd);
    if (!proj) { return; }
    var layer = overlay(gd);
    var frame = proj.container.getBoundingClientRect();
    var host = layer.parentElement.getBoundingClientRect();
    layer.style.left = (frame.left - host.left) + "px";
    layer.style.top = (frame.top - host.top) + "px";
    layer.style.width = frame.width + "px";
    layer.style.height = frame.height + "px";
    var w = frame.width;
    var h = frame.height;
    var placed = [];
    var frag = document.createDocumentFragment();
    var names = [];
    var nReps = 0;
    var nTowns = 0;
    var taken = {};
    function towns_(from, minPopulation) {  // largest first, until the first smaller than minPopulation
      for (var k = from; k < towns.rows.length && nTowns < MAX_TOWNS; k++) {
        var row = towns.rows[k];  // [name, lat, lon, population]
        if (row[3] < minPopulation) { return k; }
        if (taken[k]) { continue; }
        taken[k] = true;
        var q = proj.project(row[2], row[1]);
        var px = row[3] >= CITY_POPULATION ? CITY_PX : TOWN_PX;
        if (place(frag, placed, q, row[0], px, "town" + (px === CITY_PX ? " city" : ""), null, w, h, false)) {
          nTowns += 1;
          names.push(row[0]);
        }
      }
      return towns.rows.length;
    }
    // the largest towns keep their names next to a rep's home; then the reps; then smaller towns
    if (shown.towns) { towns_(0, MAJOR_POPULATION); }
    var homes = (gd.data || []).filter(function (t) { return t.name === "homes"; })[0];
    if (homes && homes.customdata) {
      var colours = (homes.marker && homes.marker.color) || [];
      for (var i = 0; i < homes.customdata.length; i++) {
        var p = proj.project(homes.lon[i], homes.lat[i]);
        if (place(frag, placed, p, String(homes.customdata[i]), REP_PX, "rep",
                  colours[i], w, h, true)) { nReps += 1; }
      }
    }
    if (shown.towns) { towns_(0, 0); }
    layer.replaceChildren(frag);
    state.labels = {towns: nTowns, reps: nReps, names: names};
  }

  function schedule() {
    if (!pending) { pending = true; window.requestAnimationFrame(draw); }
  }

  /* After every draw of the map: the towns URL of this figure, the move hook, the switch's state. */
  function afterPlot(gd) {
    var m = meta(gd);
    if (!m) { return; }
    loadTowns(m.towns);
    var api = internals();
    if (api) {
      api.onMove(gd, schedule);
      api.setBasemapVisible(gd, shown.land);
    }
    schedule();
  }

  function watch() {
    var gd = mapDiv();
    if (!gd || gd._hexalignLabels || !gd.on) { return; }
    gd._hexalignLabels = true;
    gd.on("plotly_afterplot", function () { afterPlot(gd); });
    if (gd.layout) { afterPlot(gd); }
  }
  new MutationObserver(watch).observe(document.documentElement, {childList: true, subtree: true});
  window.addEventListener("resize", schedule);

  /* The toolbar switch (a Dash clientside callback): which of "land" and "towns" are on. */
  function show(value) {
    var on = value || [];
    shown = {land: on.indexOf("land") >= 0, towns: on.indexOf("towns") >= 0};
    var gd = mapDiv();
    if (gd && internals()) { internals().setBasemapVisible(gd, shown.land); }
    schedule();
    return on;
  }

  window.HexalignLabels = {draw: draw, shown: function () { return shown; }};
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    hexalignBasemap: {show: show}
  });
})();
