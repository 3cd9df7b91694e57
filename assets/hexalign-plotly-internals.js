/* Every use of plotly.js internals in Hexalign, and nowhere else (pinned plotly 7.1 / plotly.js 4.1.1).

   Why: Plotly.react/restyle re-tile every polygon (seconds at 50k cells). A move therefore repaints
   only its cells through MapLibre feature-state, and the selection highlight is silenced. Both reach
   under plotly.js's public API:
     - the choropleth trace's GL object, calcdata[0][0].trace._glTrace (uid, sourceId, updateOnSelect);
     - the MapLibre map, _fullLayout.map._subplot.map;
     - its GeoJSON source "source-<uid>" and fill layer "plotly-trace-layer-<uid>-fill";
     - the colour of each feature in its "fc" property (calcdata[i].fOut.properties.fc, feature id set),
       which the fill layer reads;
     - the trace module's styleOnSelect, which re-tiles through _glTrace.updateOnSelect (the hook we
       silence), and the scattermap module's styleOnSelect (the rep homes: silenced, issue 18).
   The offline basemap (assets/hexalign-labels.js) also reaches under the API, here only:
     - the layout layers' MapLibre ids, "plotly-layout-layer-<subplot uid>-<index>" (_subplot.uid),
       to show or hide them with setLayoutProperty (a relayout of map.layers would re-tile the cells)
       and to count their rendered features (queryRenderedFeatures, for the browser test);
     - the map's "move" event and project(), to place the HTML labels.
   selfCheck() also records window.hexalign.basemap = {layers: found, missing: [...]} for the layers
   that layout.meta.hexalign.basemapLayers lists (separate from the paint path's "missing").
   selfCheck() runs at the end of every draw of the map (the first one is start-up) and before each
   fast paint, checks each of these and records in window.hexalign which path is in use, so a browser
   test fails when a plotly upgrade moves one (tests/browser/test_paint_path_browser.py):
     paintPath      "feature-state" (fast) | "restyle" (Plotly.restyle, slow) | null before the first draw
     selectionPath  "quiet" (highlight silenced) | "plotly" (Plotly re-tiles on selection) | null
     missing        names of the internals not found (empty when both fast paths are in use)
     checks         how many times it ran
   A missing internal falls back to the slow path and, if still missing a moment later, says so once
   with console.warn. */
(function () {
  "use strict";

  var LAYER_PREFIX = "plotly-trace-layer-";
  var LAYOUT_LAYER_PREFIX = "plotly-layout-layer-";
  var SOURCE_PREFIX = "source-";
  var COLOUR = "fc";
  var PAINT_WITH_STATE = ["coalesce", ["feature-state", COLOUR], ["get", COLOUR]];
  var NEEDED = {
    glTrace: "calcdata[0][0].trace._glTrace",
    mapLibre: "_fullLayout.map._subplot.map",
    mapApi: "MapLibre getSource/getLayer/setFeatureState/getPaintProperty/setPaintProperty/once/triggerRepaint",
    source: "GeoJSON source " + SOURCE_PREFIX + "<uid> (_glTrace.sourceId)",
    layer: "fill layer " + LAYER_PREFIX + "<uid>-fill",
    colour: "fill colour from feature property " + COLOUR,
    features: "calcdata[i].fOut (feature with id and properties." + COLOUR + ")",
    selectHook: "_glTrace.updateOnSelect",
    selectCall: "choroplethmap styleOnSelect calls _glTrace.updateOnSelect"
  };

  var state = window.hexalign = window.hexalign || {};
  state.paintPath = null;
  state.selectionPath = null;
  state.missing = [];
  state.checks = 0;
  state.basemap = {layers: 0, missing: []};
  var RECHECK_MS = 800;
  var warned = "";
  var watched = null;

  function glTrace(gd) {
    var cd = gd && gd.calcdata && gd.calcdata[0];
    return cd && cd[0] && cd[0].trace && cd[0].trace._glTrace;
  }

  function mapOf(gd) {
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub && sub.map;
  }

  function fillLayer(gl) { return LAYER_PREFIX + gl.uid + "-fill"; }

  function hasApi(map) {
    var names = ["getSource", "getLayer", "setFeatureState", "getPaintProperty", "setPaintProperty",
                 "once", "triggerRepaint"];
    for (var i = 0; i < names.length; i++) {
      if (typeof map[names[i]] !== "function") { return false; }
    }
    return true;
  }

  function readsColour(map, layer) {
    var paint = map.getPaintProperty(layer, "fill-color");
    if (paint && paint.type === "identity" && paint.property === COLOUR) { return true; }  // plotly's own
    return JSON.stringify(paint) === JSON.stringify(PAINT_WITH_STATE);  // ours, after a fast paint
  }

  function featuresCarryColour(gd) {
    var cd = gd.calcdata[0];
    for (var i = 0; i < cd.length; i++) {
      var f = cd[i].fOut;
      if (f) { return f.id !== undefined && f.id !== null && !!f.properties && f.properties[COLOUR] !== undefined; }
    }
    return false;
  }

  function selectCallsHook(gd) {
    var trace = gd._fullData && gd._fullData[0];
    var hook = trace && trace._module && trace._module.styleOnSelect;
    return typeof hook === "function" && String(hook).indexOf("updateOnSelect") >= 0;
  }

  /* The choropleth is drawn (an empty first figure or a redraw in progress is not checked). */
  function drawn(gd) {
    var trace = gd && gd._fullData && gd._fullData[0];
    return !!(trace && trace.type === "choroplethmap" && gd.calcdata && gd.calcdata[0] && gd.calcdata[0].length);
  }

  /* Selecting would re-tile every polygon just to dim the unselected ones (seconds at 50k cells);
     a selection moves cells at once, so the highlight is switched off. */
  function silenceSelection(gl, gd) {
    if (!gl._hexalignQuiet) { gl.updateOnSelect = function () {}; gl._hexalignQuiet = true; }
    silenceMarkerSelection(gd);
  }

  /* Issue 18: the rep homes (a scattermap trace) are restyled at every step of a lasso: their
     module's styleOnSelect rebuilds the trace's MapLibre source and layers (_glTrace.update), and
     each rebuild re-renders the whole map (100-200 ms a frame with software WebGL), which ran on
     after mouseup and held back the move's request. Their highlight is switched off too: a no-op
     (not deleted: plotly falls back to the module's style). Shared by every scattermap trace. */
  function silenceMarkerSelection(gd) {
    var cds = (gd && gd.calcdata) || [];
    for (var i = 1; i < cds.length; i++) {
      var trace = cds[i] && cds[i][0] && cds[i][0].trace;
      var module = trace && trace._module;
      if (trace && trace.type === "scattermap" && module && !module._hexalignQuiet &&
          typeof module.styleOnSelect === "function") {
        module.styleOnSelect = function () {};
        module._hexalignQuiet = true;
      }
    }
  }

  /* Check every internal, silence the selection when we can, record the paths in window.hexalign.
     Without an argument, checks the plot being watched (tests call it after breaking an internal). */
  function selfCheck(gd) {
    gd = gd || watched;
    if (!drawn(gd)) { return null; }
    var missing = [];
    var need = function (ok, key) { if (!ok) { missing.push(NEEDED[key]); } return ok; };
    var gl = glTrace(gd);
    var map = mapOf(gd);
    var fast = need(!!gl, "glTrace") & need(!!map, "mapLibre");
    fast = fast && need(hasApi(map), "mapApi");
    fast = fast && need(!!gl.sourceId && !!map.getSource(gl.sourceId), "source");
    fast = fast && need(!!map.getLayer(fillLayer(gl)), "layer");
    fast = fast && need(readsColour(map, fillLayer(gl)), "colour");
    fast = fast && need(featuresCarryColour(gd), "features");
    var quiet = !!gl && need(gl._hexalignQuiet || typeof gl.updateOnSelect === "function", "selectHook");
    quiet = need(selectCallsHook(gd), "selectCall") && quiet;
    if (quiet) { silenceSelection(gl, gd); }
    checkBasemap(gd, map);
    state.paintPath = fast ? "feature-state" : "restyle";
    state.selectionPath = quiet ? "quiet" : "plotly";
    state.missing = missing;
    state.checks += 1;
    if (!missing.length) { warned = ""; }
    return {paintPath: state.paintPath, selectionPath: state.selectionPath, missing: missing.slice()};
  }

  /* selfCheck, and when something is missing, look again a moment later: a draw can end while
     plotly.js still finishes the map (first load), so only what is still missing then is warned
     about (once per distinct list). */
  function checkAndWarn(gd) {
    var report = selfCheck(gd);
    if (report && report.missing.length) {
      setTimeout(function () {
        var again = selfCheck(gd);
        var said = again ? again.missing.join("; ") : "";
        if (said && said !== warned) {
          console.warn("hexalign: plotly.js internals missing (" + said + "): paint path " + again.paintPath +
                       ", selection path " + again.selectionPath);
          warned = said;
        }
      }, RECHECK_MS);
    }
    return report;
  }

  /* ---- basemap layers (layout.map.layers listed in layout.meta.hexalign.basemapLayers) ---- */

  function basemapIndexes(gd) {
    var meta = gd && gd.layout && gd.layout.meta && gd.layout.meta.hexalign;
    return (meta && meta.basemapLayers) || [];
  }

  /* MapLibre ids of the basemap's layout layers (those plotly.js has added, or would add). */
  function basemapLayerIds(gd) {
    var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    if (!sub || !sub.uid) { return []; }
    return basemapIndexes(gd).map(function (i) { return LAYOUT_LAYER_PREFIX + sub.uid + "-" + i; });
  }

  function checkBasemap(gd, map) {
    var ids = basemapLayerIds(gd);
    var missing = [];
    var found = 0;
    for (var i = 0; i < ids.length; i++) {
      if (map && typeof map.getLayer === "function" && map.getLayer(ids[i])) { found += 1; } else { missing.push(ids[i]); }
    }
    if (!ids.length && basemapIndexes(gd).length) { missing.push("_fullLayout.map._subplot.uid"); }
    state.basemap = {layers: found, missing: missing};
  }

  /* Show or hide the basemap's layers without a new figure; false if the map is not there. */
  function setBasemapVisible(gd, visible) {
    var map = mapOf(gd);
    if (!map || typeof map.setLayoutProperty !== "function") { return false; }
    var ids = basemapLayerIds(gd).concat(styleLayerIds(gd));
    var want = visible ? "visible" : "none";
    for (var i = 0; i < ids.length; i++) {
      // only a change: setting the same value still has MapLibre redraw (issue 18: after every draw)
      if (map.getLayer(ids[i]) && (map.getLayoutProperty(ids[i], "visibility") || "visible") !== want) {
        map.setLayoutProperty(ids[i], "visibility", want);
      }
    }
    return true;
  }

  /* The layers of a style given as an object (the water as background, layouts/basemap.py
     basemap_style): part of the basemap, shown and hidden with it. */
  function styleLayerIds(gd) {
    var style = gd && gd.layout && gd.layout.map && gd.layout.map.style;
    if (!style || typeof style !== "object" || !style.layers) { return []; }
    return style.layers.map(function (layer) { return layer.id; });
  }

  /* Rendered features per basemap layer, by the layer's name in layout.map.layers (tests read it). */
  function basemapRendered(gd) {
    var map = mapOf(gd);
    var ids = basemapLayerIds(gd);
    var idx = basemapIndexes(gd);
    var out = {};
    for (var i = 0; i < ids.length; i++) {
      var layer = gd.layout.map.layers[idx[i]] || {};
      out[layer.name || String(idx[i])] = map && map.getLayer(ids[i]) ?
        map.queryRenderedFeatures({layers: [ids[i]]}).length : -1;
    }
    return out;
  }

  /* Call fn on every camera move of this plot's map (once per MapLibre map). */
  function onMove(gd, fn) {
    var map = mapOf(gd);
    if (!map || typeof map.on !== "function") { return false; }
    if (map._hexalignMoveFn !== fn) {
      if (map._hexalignMoveFn) { map.off("move", map._hexalignMoveFn); }
      map.on("move", fn);
      map._hexalignMoveFn = fn;
    }
    return true;
  }

  /* The map's container and a projection of lon/lat to pixels within it (null if not drawn). */
  function projector(gd) {
    var map = mapOf(gd);
    if (!map || typeof map.project !== "function") { return null; }
    return {
      container: map.getContainer(),
      project: function (lon, lat) { return map.project([lon, lat]); }
    };
  }

  /* Recolour the listed cells through feature-state; false (after saying why) when the fast path is
     not in use, and the caller redraws with Plotly.restyle. */
  function paintCells(gd, idx, colours, z, done) {
    var report = checkAndWarn(gd);  // decide on the map as it is now, not as it was last drawn
    if (!report || report.paintPath !== "feature-state") { return false; }
    try {
      var gl = glTrace(gd);
      var map = mapOf(gd);
      var layer = fillLayer(gl);
      if (!map.getLayer(layer) || !map.getSource(gl.sourceId)) { throw new Error("layer or source moved"); }
      var cd = gd.calcdata[0];
      for (var i = 0; i < idx.length; i++) {
        var point = cd[idx[i]];
        if (point && point.fOut) {
          point.fOut.properties[COLOUR] = colours[i];  // kept by any later re-tile
          point.z = z[i];
          var paint = {};
          paint[COLOUR] = colours[i];
          map.setFeatureState({source: gl.sourceId, id: point.fOut.id}, paint);
        }
      }
      readColourFromState(map, layer);
      map.once("idle", done);
      map.triggerRepaint();
      return true;
    } catch (err) {
      console.warn("hexalign: feature-state paint failed, redrawing", err);
      state.paintPath = "restyle";
      state.missing = state.missing.concat(["feature-state paint: " + err]);
      return false;
    }
  }

  /* The fill layer reads the feature-state colour (falling back to the feature's own). Switching
     costs a re-evaluation of every drawn polygon (300-400 ms with software WebGL). */
  function readColourFromState(map, layer) {
    if (JSON.stringify(map.getPaintProperty(layer, "fill-color")) !== JSON.stringify(PAINT_WITH_STATE)) {
      map.setPaintProperty(layer, "fill-color", PAINT_WITH_STATE);
    }
  }

  /* Issue 18: make that switch once a drawing has settled (PREPARE_MS after it, when the map is
     idle), so that the first move after every new figure does not pay for it; a move made
     sooner does it itself. The colours look the same either way. */
  var PREPARE_MS = 1500;
  function preparePaint(gd) {
    clearTimeout(gd._hexalignPrepare);
    gd._hexalignPrepare = setTimeout(function () {
      var gl = glTrace(gd);
      var map = mapOf(gd);
      if (!gl || !map || state.paintPath !== "feature-state") { return; }
      var run = function () {
        try {
          if (map.getLayer(fillLayer(gl))) { readColourFromState(map, fillLayer(gl)); }
        } catch (err) { /* the next paint tries again, and falls back if it must */ }
      };
      if (map.loaded()) { run(); } else { map.once("idle", run); }
    }, PREPARE_MS);
  }

  /* Run the check at the end of every draw of this plot (the first one is start-up). Not before:
     mid-draw, the choropleth has its calcdata but not yet its GL object, which would read as missing. */
  function watch(gd) {
    if (!gd || gd._hexalignWatched || !gd.on) { return; }
    gd._hexalignWatched = true;
    watched = gd;
    gd.on("plotly_afterplot", function () { checkAndWarn(gd); preparePaint(gd); });
    if (glTrace(gd)) { checkAndWarn(gd); }  // drawn before we saw it
  }

  /* -- datasets-find: moving the camera and outlining what was found ---------------------------
     plotly.js tells the page about a view change (plotly_relayout with the view's corners, which
     callbacks/map.py draws the level of detail from) only when MapLibre's moveend carries an
     originalEvent, i.e. for the user's own pans and zooms. A move made here passes one, so the
     server learns the new view exactly as if the user had zoomed. */
  var OUTLINE_SOURCE = "hexalign-outline";
  var OUTLINE_LAYERS = [
    {id: "hexalign-outline-halo", paint: {"line-color": "white", "line-width": 6, "line-opacity": 0.9}},
    {id: "hexalign-outline-line", paint: {"line-color": "black", "line-width": 2.5}}
  ];
  var outlined = null;

  /* Centre and zoom at which [west, south, east, north] fit the map as it is drawn now. */
  function cameraFor(gd, bounds, padding) {
    var map = mapOf(gd);
    if (!map || typeof map.cameraForBounds !== "function") { return null; }
    var cam = map.cameraForBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], {padding: padding || 0});
    return cam ? {center: [cam.center.lng, cam.center.lat], zoom: cam.zoom} : null;
  }

  /* Jump there as a user move would (see above); false when the map is not there yet. */
  function moveCamera(gd, center, zoom) {
    var map = mapOf(gd);
    if (!map || typeof map.jumpTo !== "function") { return false; }
    map.jumpTo({center: center, zoom: zoom}, {originalEvent: {type: "hexalign-camera"}});
    return true;
  }

  /* Draw (or, with null, remove) a GeoJSON geometry's outline above the cells. Kept across
     redraws: afterplot puts it back if a new style dropped it. */
  function outline(gd, geometry) {
    var map = mapOf(gd);
    outlined = geometry || null;
    if (!map || typeof map.getSource !== "function") { return false; }
    var data = {type: "FeatureCollection", features: geometry ? [{type: "Feature", properties: {}, geometry: geometry}] : []};
    var source = map.getSource(OUTLINE_SOURCE);
    if (source) {
      source.setData(data);
    } else if (geometry) {
      map.addSource(OUTLINE_SOURCE, {type: "geojson", data: data});
    }
    if (geometry) {
      for (var i = 0; i < OUTLINE_LAYERS.length; i++) {
        var layer = OUTLINE_LAYERS[i];
        if (map.getLayer(layer.id)) { map.moveLayer(layer.id); continue; }
        map.addLayer({id: layer.id, type: "line", source: OUTLINE_SOURCE, paint: layer.paint});
      }
    }
    return true;
  }

  /* After a draw: put the outline back if a new style dropped it, and above the cells plotly.js
     may just have added. */
  function keepOutline(gd) {
    var map = mapOf(gd);
    if (!outlined || !map || typeof map.getSource !== "function") { return; }
    try {
      if (!map.getSource(OUTLINE_SOURCE)) { outline(gd, outlined); return; }
      for (var i = 0; i < OUTLINE_LAYERS.length; i++) {
        if (map.getLayer(OUTLINE_LAYERS[i].id)) { map.moveLayer(OUTLINE_LAYERS[i].id); }
      }
    } catch (err) { console.warn("hexalign: outline lost", err); }
  }
  /* -- end of datasets-find ---------------------------------------------------------------- */

  /* Issue 18: whether the map has drawn everything it asked for (MapLibre's loaded()). */
  function mapLoaded(gd) {
    var map = mapOf(gd);
    return !!(map && typeof map.loaded === "function" && map.loaded());
  }

  /* Call fn after every resize of this plot's map (MapLibre's own event: its size is then the
     new one), once per map object; false when the map is not there yet. */
  function onResize(gd, fn) {
    var map = mapOf(gd);
    if (!map || typeof map.on !== "function") { return false; }
    if (map._hexalignOnResize !== fn) {
      if (map._hexalignOnResize) { map.off("resize", map._hexalignOnResize); }
      map._hexalignOnResize = fn;
      map.on("resize", fn);
    }
    return true;
  }

  /* The map's camera now, as {center: [lon, lat], zoom}. */
  function cameraNow(gd) {
    var map = mapOf(gd);
    if (!map || typeof map.getCenter !== "function") { return null; }
    var c = map.getCenter();
    return {center: [c.lng, c.lat], zoom: map.getZoom()};
  }

  window.HexalignPlotlyInternals = {
    selfCheck: checkAndWarn,
    onResize: onResize,
    cameraNow: cameraNow,
    mapLoaded: mapLoaded,
    paintCells: paintCells,
    watch: watch,
    needed: NEEDED,
    cameraFor: cameraFor,
    moveCamera: moveCamera,
    outline: outline,
    keepOutline: keepOutline,
    setBasemapVisible: setBasemapVisible,
    basemapRendered: basemapRendered,
    onMove: onMove,
    projector: projector
  };
})();
