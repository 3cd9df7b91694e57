/* Hexalign's browser side: shrink selections to cell ids, repaint only changed cells,
   keyboard shortcuts. No state here beyond what the page shows. Ids and customdata slots come from
   the page (data-hexalign); plotly.js internals are touched only in hexalign-plotly-internals.js. */
(function () {
  "use strict";

  /* Ids, customdata slots, attribute names and hover texts: written by Python into the root's
     data-hexalign attribute (layouts/main.py browser_config, from layouts/ids.py). */
  var config = null;
  function settings() {
    if (!config) {
      var root = document.querySelector("[data-hexalign]");
      if (!root) { return null; }
      config = JSON.parse(root.getAttribute("data-hexalign"));
      window.hexalign = window.hexalign || {};
      window.hexalign.config = config;
    }
    return config;
  }

  function byId(name) {
    var c = settings();
    return c ? document.getElementById(c.ids[name]) : null;
  }

  function repKeys(attr) {
    var keys = byId("REP_KEYS");
    return keys ? JSON.parse(keys.getAttribute(settings().attrs[attr])) : null;
  }

  function mapDiv() {
    var host = byId("MAP");
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

  /* Recolour only the changed cells and keep the trace's data in step for hover and later redraws. */
  function paint(msg) {
    var gd = mapDiv();
    if (!msg || !gd || !gd.data || !gd.data.length) { return window.dash_clientside.no_update; }
    var c = settings();
    var slot = c.customdata;
    var trace = gd.data[0];
    var labels = repKeys("REP_KEYS_LABELS") || [];
    var cd = trace.customdata;
    for (var i = 0; i < msg.idx.length; i++) {
      var k = msg.idx[i];
      trace.z[k] = msg.z[i];
      if (cd && cd[k]) {
        cd[k][slot.WORKLOAD] = msg.work[i];
        cd[k][slot.OWNER] = msg.owner[i] < 0 ? c.texts.UNASSIGNED : labels[msg.owner[i]];
        cd[k][slot.LOCK_NOTE] = msg.locked[i] ? c.texts.LOCKED : "";
      }
    }
    var t0 = performance.now();
    var done = function (mode) {
      var last = {version: msg.version, ms: performance.now() - t0, mode: mode, n: msg.idx.length};
      window.hexalignLastPaint = window.hexalign.lastPaint = last;
      gd.setAttribute(c.attrs.PAINTED_VERSION, String(msg.version));
    };
    var internals = window.HexalignPlotlyInternals;
    if (msg.fc && internals.paintCells(gd, msg.idx, msg.fc, msg.z, function () { done("feature-state"); })) {
      return msg.version;
    }
    window.Plotly.restyle(gd, {z: [trace.z.slice()]}, [0]).then(function () { done("restyle"); });
    return msg.version;
  }

  /* Issue 18: pass the version on once the map has painted it (the paint store holds that
     version: a move, an undo, a redo), at once otherwise (a switch, a stale answer);
     never later than SETTLE_MAX_MS. The second output goes only while a section is open.
     The page's first version (the layout's, issue 18 point 1) waits until the first map is
     drawn (MapLibre loaded), never longer than FIRST_MAP_MAX_MS: what follows (the ledger,
     the suggestions) neither delays nor competes with the first map. */
  var SETTLE_MAX_MS = 1500;
  var FIRST_MAP_MAX_MS = 6000;
  var firstSettled = false;
  function settleVersion(version, paint, section) {
    var noUpdate = window.dash_clientside.no_update;
    var answer = function () { return [version, section ? version : noUpdate]; };
    var wanted = version && paint && paint.version === version.version ? paint.version : null;
    if (!version && !firstSettled) { return [noUpdate, noUpdate]; }  // no first version yet
    var first = !firstSettled;
    firstSettled = true;
    var start = performance.now();
    return new Promise(function (resolve) {
      var check = function () {
        var gd = mapDiv();
        var c = settings();
        if (first && !window.HexalignPlotlyInternals.mapLoaded(gd) &&
            performance.now() - start <= FIRST_MAP_MAX_MS) {
          setTimeout(check, 50);
          return;
        }
        var painted = gd && c ? Number(gd.getAttribute(c.attrs.PAINTED_VERSION) || 0) : 0;
        if (wanted === null || painted >= wanted || performance.now() - start > SETTLE_MAX_MS) {
          resolve(answer());
          return;
        }
        setTimeout(check, 15);
      };
      setTimeout(check, 0);
    });
  }

  /* -- datasets-find: fit a fresh view to the map's real size; centre on what was found -------
     A figure for a new page or another data set carries layout.meta.hexalignFit (the planning
     area's bounds, layouts/map_figure.py with_fit); the server could only guess the map's size,
     so once drawn the camera is moved to fit the bounds exactly, once per fit key. */
  function fitOnce(gd) {
    var internals = window.HexalignPlotlyInternals;
    internals.keepOutline(gd);
    var fit = gd.layout && gd.layout.meta && gd.layout.meta.hexalignFit;
    if (!fit || gd._hexalignFitted === fit.key) { return; }
    if (applyFit(gd, fit)) {
      internals.outline(gd, null);  // a fresh view of (maybe other) data: the last find is stale
      internals.onResize(gd, function () { refitIfUntouched(gd); });
    }
  }

  /* The same view to well under a pixel (a pixel is about 0.04 degrees at the demo's zoom). */
  function sameCamera(a, b) {
    return !!(a && b) && Math.abs(a.zoom - b.zoom) < 1e-3 &&
      Math.abs(a.center[0] - b.center[0]) < 1e-5 && Math.abs(a.center[1] - b.center[1]) < 1e-5;
  }

  /* The page may still settle after the first fit (the panel filling in, a scrollbar, fonts):
     the map then shrinks or grows and would cut the area's edges. While the view is still the
     fitted one (the user has not panned or zoomed), fit it again to the map's new size. */
  function refitIfUntouched(gd) {
    var internals = window.HexalignPlotlyInternals;
    var fit = gd.layout && gd.layout.meta && gd.layout.meta.hexalignFit;
    var last = gd._hexalignFitCamera;
    if (!fit || gd._hexalignFitted !== fit.key || !sameCamera(internals.cameraNow(gd), last)) { return; }
    applyFit(gd, fit);
  }

  /* Move the camera so that the fit's bounds fill the map as drawn now; false if not drawn yet. */
  function applyFit(gd, fit) {
    var internals = window.HexalignPlotlyInternals;
    var cam = internals.cameraFor(gd, fit.bounds, fit.padding);
    // the first view is fitted before it is drawn (hexalign-plotly-early.js): the camera is then
    // already there, and moving it again would redraw the map and ask the server for the view
    if (cam && (sameCamera(internals.cameraNow(gd), cam) || internals.moveCamera(gd, cam.center, cam.zoom))) {
      gd._hexalignFitted = fit.key;
      gd._hexalignFitCamera = internals.cameraNow(gd);
      /* issue 18 point 1: the camera store holds the view as drawn (a first view fitted before
         it was drawn sends no relayout, and the store kept the server's guess) */
      if (gd === mapDiv() && window.dash_clientside.set_props) {
        window.dash_clientside.set_props(settings().ids.CAMERA, {
          data: {center: {lat: cam.center[1], lon: cam.center[0]}, zoom: cam.zoom}});
      }
      window.hexalign.fitted = {key: fit.key, bounds: fit.bounds, zoom: cam.zoom, center: cam.center};
      return true;
    }
    return false;
  }

  /* The server's answer to a search (callbacks/find.py): centre there at a zoom that shows the
     bounds, and outline the cell or territory. */
  function focus(msg) {
    var gd = mapDiv();
    var internals = window.HexalignPlotlyInternals;
    if (!msg || !gd) { return window.dash_clientside.no_update; }
    if (msg.clear) { internals.outline(gd, null); return msg.key || null; }
    var cam = internals.cameraFor(gd, msg.bounds, 24);
    var zoom = cam ? cam.zoom : null;
    if (zoom !== null && msg.max_zoom !== undefined) { zoom = Math.min(zoom, msg.max_zoom); }
    var center = msg.center || (cam && cam.center);  // a territory: the centre of its bounds
    if (zoom !== null && center) { internals.moveCamera(gd, center, zoom); }
    internals.outline(gd, msg.outline || null);
    var box = byId("FIND");
    if (box && document.activeElement === box) { box.blur(); }  // the keys work the map again
    window.hexalign.focused = {key: msg.key, center: center, zoom: zoom};
    return msg.key;
  }
  /* Escape in the find box or its list empties the list and leaves the box. */
  function closeFind(target) {
    var box = byId("FIND");
    var list = byId("FIND_RESULTS");
    if (!box || !list || (target !== box && !list.contains(target))) { return false; }
    window.dash_clientside.set_props(settings().ids.FIND_RESULTS, {children: []});
    box.blur();
    return true;
  }

  /* Arrow keys from the find box into its list and along it; false when the key is not ours. */
  function walkFind(target, down) {
    var box = byId("FIND");
    var list = byId("FIND_RESULTS");
    if (!box || !list || (target !== box && !list.contains(target))) { return false; }
    var lines = Array.prototype.slice.call(list.querySelectorAll("button"));
    if (!lines.length) { return false; }
    var at = lines.indexOf(target);
    var next = at < 0 ? (down ? 0 : lines.length - 1) : at + (down ? 1 : -1);
    if (next < 0) { box.focus(); return true; }
    lines[Math.min(next, lines.length - 1)].focus();
    return true;
  }
  /* -- end of datasets-find -------------------------------------------------------------------- */

  function watchMap() {
    var gd = mapDiv();
    if (gd) { window.HexalignPlotlyInternals.watch(gd); }
    if (gd && !gd._hexalignFitWatched && gd.on) {
      gd._hexalignFitWatched = true;
      gd.on("plotly_afterplot", function () { fitOnce(gd); });
      if (gd.layout) { fitOnce(gd); }
    }
  }
  new MutationObserver(watchMap).observe(document.documentElement, {childList: true, subtree: true});

  /* -- issue 16 point 4 (h16b): the keys' help, the rep picker's search, the other keys ------ */
  function helpBox() { return byId("HELP"); }
  function showHelp(show) {
    var box = helpBox();
    if (!box) { return false; }
    var open = show === undefined ? box.hidden : show;
    box.hidden = !open;
    if (open) {
      box._hexalignReturn = document.activeElement;
      var close = byId("HELP_CLOSE");
      if (close) { close.focus(); }
    } else if (box._hexalignReturn && box._hexalignReturn.focus) {
      box._hexalignReturn.focus();
    }
    window.hexalign.helpOpen = open;
    return true;
  }
  document.addEventListener("click", function (event) {
    var close = byId("HELP_CLOSE");
    var box = helpBox();
    if (box && !box.hidden && (event.target === close || event.target === box)) { showHelp(false); }
  });

  /* An opened dropdown takes typing at once: focus its search field (Dash 4 focuses the
     selected option, where typing a name does nothing). */
  function searchField() {
    var fields = Array.prototype.slice.call(document.querySelectorAll(".dash-dropdown-search"));
    var shown = fields.filter(function (f) { return f.offsetParent !== null; });
    return shown.length ? shown[shown.length - 1] : null;
  }
  function focusSearchSoon(tries) {
    var field = searchField();
    if (field) {
      if (document.activeElement !== field) { field.focus(); }
      if (tries > 0) { setTimeout(function () { focusSearchSoon(tries - 1); }, 60); }  // keep it
      return;
    }
    if (tries > 0) { setTimeout(function () { focusSearchSoon(tries - 1); }, 40); }
  }
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var el = records[i].target;
      if (el.classList && el.classList.contains("dash-dropdown") && el.getAttribute("aria-expanded") === "true") {
        focusSearchSoon(3);
        return;
      }
    }
  }).observe(document.documentElement, {attributes: true, attributeFilter: ["aria-expanded"], subtree: true});

  /* -- issue 16 point 5 (h16b): what Dash 4's widgets leave out for screen readers ------------
     Radio and check lists come as role=listbox of role=option labels around real inputs (an
     interactive control inside another, without a name): they become a named radiogroup/group
     of plain labels. A dropdown is reached by Tab through an aria-hidden input: the visible
     button, which has a name and opens the list on Enter, takes the Tab stop instead. */
  function groupName(group) {
    var label = group.closest("label");
    var text = "";
    if (label) {
      for (var n = label.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3 || (n.nodeType === 1 && !n.contains(group) && n.tagName !== "DIV")) { text += n.textContent; }
      }
    }
    if (!text.trim() && group.previousElementSibling) { text = group.previousElementSibling.textContent; }
    return text.trim();
  }
  function fixAria() {
    var lists = document.querySelectorAll(".dash-radioitems, .dash-checklist");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var role = list.classList.contains("dash-radioitems") ? "radiogroup" : "group";
      if (list.getAttribute("role") !== role) { list.setAttribute("role", role); }
      if (!list.getAttribute("aria-label")) {
        var name = groupName(list);
        if (name) { list.setAttribute("aria-label", name); }
      }
      var opts = list.querySelectorAll("[role=option], [aria-selected]");
      for (var k = 0; k < opts.length; k++) { opts[k].removeAttribute("role"); opts[k].removeAttribute("aria-selected"); }
    }
    var files = document.querySelectorAll("input[type=file]:not([aria-label])");  // dcc.Upload's input
    for (var f = 0; f < files.length; f++) {
      var text = (files[f].parentNode && files[f].parentNode.textContent || "").trim();
      files[f].setAttribute("aria-label", text || "Upload a file");
    }
    var catchers = document.querySelectorAll(".dash-dropdown-focus-target[tabindex='0']");
    for (var j = 0; j < catchers.length; j++) {
      catchers[j].setAttribute("tabindex", "-1");
      var button = catchers[j].parentNode && catchers[j].parentNode.querySelector("button.dash-dropdown");
      if (button) { button.setAttribute("tabindex", "0"); }
    }
  }
  var ariaPending = false;
  new MutationObserver(function () {
    if (ariaPending) { return; }
    ariaPending = true;
    window.requestAnimationFrame(function () { ariaPending = false; fixAria(); });
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                        attributeFilter: ["role", "aria-selected", "tabindex"]});

  function openPicker() {
    var picker = byId("REP_PICKER");
    if (!picker) { return false; }
    picker.click();
    focusSearchSoon(5);
    return true;
  }

  /* The radio groups (selection tool, colour mode): their values, in page order. */
  function radioValues(name) {
    var group = byId(name);
    if (!group) { return []; }
    return Array.prototype.slice.call(group.querySelectorAll("input[type=radio]")).map(function (r) {
      return {value: r.value, checked: r.checked};
    });
  }
  function nextColourMode() {
    var modes = radioValues("COLOUR_MODE");
    if (!modes.length) { return false; }
    var at = modes.findIndex(function (m) { return m.checked; });
    var next = modes[(at + 1) % modes.length].value;
    window.dash_clientside.set_props(settings().ids.COLOUR_MODE, {value: next});
    window.hexalign.colourMode = next;
    return true;
  }
  var TOOL_KEYS = {m: "move", l: "lock", u: "unlock"};

  var NOT_TYPING = {radio: 1, checkbox: 1, button: 1, submit: 1, range: 1};
  function onKey(event) {
    var target = event.target || {};
    // a focused radio, checkbox or read-only focus catcher takes no text: the keys still work there
    var typing = (target.tagName === "INPUT" && !NOT_TYPING[target.type] && !target.readOnly) ||
      target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable;
    var setProps = window.dash_clientside && window.dash_clientside.set_props;
    if (!setProps || !settings()) { return; }
    var ctrl = event.ctrlKey || event.metaKey;
    var box = helpBox();
    if (box && !box.hidden) {  // the help is modal: Escape or ? closes it, Tab stays inside
      if (event.key === "Escape" || event.key === "?") { showHelp(false); event.preventDefault(); }
      else if (event.key === "Tab") { var close = byId("HELP_CLOSE"); if (close) { close.focus(); } event.preventDefault(); }
      return;
    }
    if (ctrl && !typing && (event.key === "z" || event.key === "Z") && !event.shiftKey) {
      setProps(settings().ids.KEY_COMMAND, {data: {cmd: "undo", t: Date.now()}});
      event.preventDefault();
      return;
    }
    if (ctrl && !typing && (event.key === "y" || event.key === "Y" || ((event.key === "z" || event.key === "Z") && event.shiftKey))) {
      setProps(settings().ids.KEY_COMMAND, {data: {cmd: "redo", t: Date.now()}});
      event.preventDefault();
      return;
    }
    if (event.key === "/" && !typing && !ctrl && !event.altKey) {  // datasets-find: "/" = find
      var find = byId("FIND");
      if (find) { event.preventDefault(); find.focus(); find.select(); return; }
    }
    if (event.key === "Escape" && closeFind(target)) { return; }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && walkFind(target, event.key === "ArrowDown")) {
      event.preventDefault();
      return;
    }
    if (typing || ctrl || event.altKey) { return; }
    /* issue 17: Enter with nothing focused applies the first repair suggestion (a focused
       suggestion button gets Enter as a click from the browser itself) */
    if (event.key === "Enter" && (target === document.body || target === document.documentElement)) {
      var listed = byId("SUGGESTIONS");
      var first = listed ? listed.querySelector("button") : null;
      if (first) { event.preventDefault(); first.click(); return; }
    }
    if (event.key === "?") { if (showHelp(true)) { event.preventDefault(); } return; }
    if (event.key === "r" || event.key === "R") { if (openPicker()) { event.preventDefault(); } return; }
    if (event.key === "c" || event.key === "C") { if (nextColourMode()) { event.preventDefault(); } return; }
    if (TOOL_KEYS[event.key]) {
      setProps(settings().ids.TOOL, {value: TOOL_KEYS[event.key]});
      window.hexalign.tool = TOOL_KEYS[event.key];
      event.preventDefault();
      return;
    }
    if (event.key === "[" || event.key === "]") {
      setProps(settings().ids.SCENARIO_STEP, {data: {step: event.key === "]" ? 1 : -1, t: Date.now()}});
      event.preventDefault();
      return;
    }
    var reps = repKeys("REP_KEYS_REPS");
    if (!reps) { return; }
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
      setProps(settings().ids.REP_PICKER, {value: next});
      event.preventDefault();
    }
  }

  document.addEventListener("keydown", onKey);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    hexalign: {
      reduceSelection: reduceSelection,
      paint: paint,
      settleVersion: settleVersion,  // issue 18
      focus: focus,
      trackRep: function (value) { window.hexalignRep = value; return window.dash_clientside.no_update; }
    }
  });
})();
