/* Hexalign's browser side: shrink selections to cell ids, repaint only changed cells,
   keyboard shortcuts. No state here beyond what the page shows. */
(function () {
  "use strict";

  function mapDiv() {
    var host = document.getElementById("map");
    return host ? host.querySelector(".js-plotly-plot") : null;
  }

  function reduceSelection(selected, clicked, view) {
    var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    var source = trigger.indexOf("clickData") >= 0 ? clicked : selected;
    if (!source || !source.points || !view) { return window.dash_clientside.no_update; }
    var units = [];
    for (var i = 0; i < source.points.length; i++) {
      var p = source.points[i];
      if (p.curveNumber === 0 && p.location !== undefined) { units.push(p.location); }
    }
    if (!units.length) { return window.dash_clientside.no_update; }
    return {units: units, level: view.level, t: Date.now()};
  }

  /* plotly.js internals we rely on (pinned plotly 7.1 / plotly.js 4.1.1; tests/browser fail if they move):
     the choropleth trace's gl object at calcdata[0][0].trace._glTrace, its MapLibre source "source-<uid>",
     fill layer "plotly-trace-layer-<uid>-fill", colour from each feature's "fc" property. */
  function glTrace(gd) {
    var cd = gd.calcdata && gd.calcdata[0];
    return cd && cd[0] && cd[0].trace && cd[0].trace._glTrace;
  }

  /* Selecting would re-tile every polygon just to dim the unselected ones (seconds at 50k cells);
     a selection moves cells at once, so the highlight is switched off. */
  function quietSelection(gd) {
    var gl = glTrace(gd);
    if (gl && !gl._hexalignQuiet) { gl.updateOnSelect = function () {}; gl._hexalignQuiet = true; }
  }

  function fastPaint(gd, msg) {
    var gl = glTrace(gd);
    var map = gd._fullLayout.map._subplot.map;
    var layer = "plotly-trace-layer-" + gl.uid + "-fill";
    if (!map.getLayer(layer) || !map.getSource(gl.sourceId)) { throw new Error("layout moved"); }
    var cd = gd.calcdata[0];
    for (var i = 0; i < msg.idx.length; i++) {
      var point = cd[msg.idx[i]];
      if (point && point.fOut) {
        point.fOut.properties.fc = msg.fc[i];  // kept by any later re-tile
        point.z = msg.z[i];
        map.setFeatureState({source: gl.sourceId, id: point.fOut.id}, {fc: msg.fc[i]});
      }
    }
    var paintNow = ["coalesce", ["feature-state", "fc"], ["get", "fc"]];
    if (JSON.stringify(map.getPaintProperty(layer, "fill-color")) !== JSON.stringify(paintNow)) {
      map.setPaintProperty(layer, "fill-color", paintNow);
    }
  }

  /* Recolour only the changed cells and keep the trace's data in step for hover and later redraws. */
  function paint(msg) {
    var gd = mapDiv();
    if (!msg || !gd || !gd.data || !gd.data.length) { return window.dash_clientside.no_update; }
    var trace = gd.data[0];
    var keys = document.getElementById("rep-keys");
    var labels = keys ? JSON.parse(keys.dataset.labels) : [];
    var cd = trace.customdata;
    for (var i = 0; i < msg.idx.length; i++) {
      var k = msg.idx[i];
      trace.z[k] = msg.z[i];
      if (cd && cd[k]) {
        cd[k][6] = msg.work[i];
        cd[k][7] = msg.owner[i] < 0 ? "Unassigned" : labels[msg.owner[i]];
        cd[k][8] = msg.locked[i] ? " (locked)" : "";
      }
    }
    var t0 = performance.now();
    var done = function (mode) {
      window.hexalignLastPaint = {version: msg.version, ms: performance.now() - t0, mode: mode, n: msg.idx.length};
      gd.setAttribute("data-painted-version", String(msg.version));
    };
    if (msg.fc) {
      try {
        fastPaint(gd, msg);
        var map = gd._fullLayout.map._subplot.map;
        map.once("idle", function () { done("feature-state"); });
        map.triggerRepaint();
        return msg.version;
      } catch (err) {
        console.warn("hexalign: feature-state paint failed, redrawing", err);
      }
    }
    window.Plotly.restyle(gd, {z: [trace.z.slice()]}, [0]).then(function () { done("restyle"); });
    return msg.version;
  }

  function watchMap() {
    var gd = mapDiv();
    if (!gd || gd._hexalignWatched || !gd.on) { return; }
    gd._hexalignWatched = true;
    gd.on("plotly_afterplot", function () { quietSelection(gd); });
    quietSelection(gd);
  }
  new MutationObserver(watchMap).observe(document.documentElement, {childList: true, subtree: true});

  function onKey(event) {
    var target = event.target || {};
    var typing = target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable;
    var setProps = window.dash_clientside && window.dash_clientside.set_props;
    if (!setProps) { return; }
    var ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && !typing && (event.key === "z" || event.key === "Z") && !event.shiftKey) {
      setProps("key-command", {data: {cmd: "undo", t: Date.now()}});
      event.preventDefault();
      return;
    }
    if (ctrl && !typing && (event.key === "y" || event.key === "Y" || ((event.key === "z" || event.key === "Z") && event.shiftKey))) {
      setProps("key-command", {data: {cmd: "redo", t: Date.now()}});
      event.preventDefault();
      return;
    }
    if (typing || ctrl || event.altKey) { return; }
    var keys = document.getElementById("rep-keys");
    if (!keys) { return; }
    var reps = JSON.parse(keys.dataset.reps);
    var picker = window.hexalignRep || reps[0];
    var next = null;
    if (/^[1-9]$/.test(event.key) && Number(event.key) <= reps.length - 1) {
      next = reps[Number(event.key) - 1];
    } else if (event.key === "0") {
      next = reps[reps.length - 1];
    } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      var at = Math.max(0, reps.indexOf(picker));
      var step = event.key === "ArrowRight" ? 1 : reps.length - 1;
      next = reps[(at + step) % reps.length];
    }
    if (next !== null) {
      window.hexalignRep = next;
      setProps("rep-picker", {value: next});
      event.preventDefault();
    }
  }

  document.addEventListener("keydown", onKey);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    hexalign: {
      reduceSelection: reduceSelection,
      paint: paint,
      trackRep: function (value) { window.hexalignRep = value; return window.dash_clientside.no_update; }
    }
  });
})();
