// Result views beside YASGUI's table: a chart (Vega-Lite through vega-embed), a map (d3-geo, as on
// /map) when the answer has coordinates, and a graph (cytoscape) for CONSTRUCT and DESCRIBE answers.
// The answer is fetched again from this server's endpoint; nothing comes from another host.
(function () {
  "use strict";
  var root = window.CLUSTERGRAPH_ROOT || "";
  var SVG = "http://www.w3.org/2000/svg";
  var POINT = /POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)/i;
  var NUMERIC = /#(integer|int|long|short|decimal|double|float|gYear|nonNegativeInteger|positiveInteger)$/;

  function isGraphQuery(text) {
    var body = text.replace(/#[^\n]*/g, " ").replace(/PREFIX\s+\S*\s*<[^>]*>/gi, " ").replace(/BASE\s*<[^>]*>/gi, " ");
    return /^\s*(CONSTRUCT|DESCRIBE)\b/i.test(body);
  }

  // One N-Triples line: <s> <p> (<o> | _:b | "literal"...) .
  var TRIPLE = /^(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)\s*\.\s*$/;
  function parseNTriples(text) {
    var triples = [];
    text.split("\n").forEach(function (line) {
      var m = TRIPLE.exec(line.trim());
      if (m) { triples.push({ s: m[1].replace(/^<|>$/g, ""), p: m[2], o: m[3] }); }
    });
    return triples;
  }

  function fetchAnswer(endpoint, query) {
    var graph = isGraphQuery(query);
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query",
                 "Accept": graph ? "application/n-triples" : "application/sparql-results+json" },
      body: query,
    }).then(function (r) {
      if (!r.ok) { return r.text().then(function (t) { throw new Error(t); }); }
      return graph ? r.text().then(function (t) { return { triples: parseNTriples(t) }; }) : r.json();
    });
  }

  function short(iri) { return iri.replace(/[/#]$/, "").split(/[/#]/).pop(); }
  function cellValue(b) {
    if (!b) { return null; }
    if (b.type === "literal" && b.datatype && NUMERIC.test(b.datatype)) { return Number(b.value); }
    return b.type === "uri" ? short(b.value) : b.value;
  }

  function drawChart(host, answer, options) {
    var vars = answer.head.vars;
    var rows = answer.results.bindings.map(function (b) {
      var row = {}; vars.forEach(function (v) { row[v] = cellValue(b[v]); }); return row;
    });
    var numeric = vars.filter(function (v) {
      return rows.length && rows.every(function (r) { return r[v] === null || typeof r[v] === "number"; });
    });
    var x = options.column || vars.filter(function (v) { return numeric.indexOf(v) < 0; })[0] || vars[0];
    var y = numeric.filter(function (v) { return v !== x; })[0];
    var spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      data: { values: rows }, width: "container", height: 260,
      mark: { type: options.mark || "bar", tooltip: true },
      encoding: {
        x: { field: x, type: options.mark === "line" && numeric.indexOf(x) >= 0 ? "quantitative" : "nominal", sort: null },
        y: y ? { field: y, type: "quantitative", aggregate: "sum" } : { aggregate: "count", type: "quantitative", title: "rows" },
      },
    };
    host.innerHTML = "";
    var target = document.createElement("div");
    target.className = "view-chart"; target.style.width = "100%";
    host.appendChild(target);
    return vegaEmbed(target, spec, { actions: false, renderer: "svg" }).then(function () { return { x: x, y: y || "rows" }; });
  }

  // Coordinates (a WKT POINT, or lat and long columns), else countries (ISO 3166-1 alpha-2 literals).
  function points(answer, codes) {
    var found = [];
    var vars = answer.head.vars;
    var lat = vars.filter(function (v) { return /^(lat|latitude)$/i.test(v); })[0];
    var lon = vars.filter(function (v) { return /^(lon|long|longitude)$/i.test(v); })[0];
    answer.results.bindings.forEach(function (b) {
      var label = vars.map(function (v) { return b[v] && b[v].type !== "literal" ? short(b[v].value) : null; })
        .filter(Boolean)[0] || "";
      vars.forEach(function (v) {
        var m = b[v] && POINT.exec(b[v].value);
        if (m) { found.push({ lon: Number(m[1]), lat: Number(m[2]), label: label }); }
      });
      if (lat && lon && b[lat] && b[lon]) { found.push({ lon: Number(b[lon].value), lat: Number(b[lat].value), label: label }); }
      vars.forEach(function (v) {
        var c = b[v] && b[v].type === "literal" && /^[A-Z]{2}$/.test(b[v].value) && codes[b[v].value];
        if (c) { found.push({ lon: c.latlng[1], lat: c.latlng[0], label: label + " (" + c.name + ")", country: c.numeric }); }
      });
    });
    return found;
  }

  function drawMap(host, answer) {
    host.innerHTML = "";
    return Promise.all([
      fetch(root + "/static/vendor/countries-110m.json").then(function (r) { return r.json(); }),
      fetch(root + "/static/vendor/country-codes.json").then(function (r) { return r.json(); }),
    ]).then(function (loaded) {
      var world = loaded[0], pts = points(answer, loaded[1]);
      if (!pts.length) {
        host.textContent = "No coordinates or countries in this answer (a WKT POINT, lat and long columns, or ISO alpha-2 codes).";
        return 0;
      }
      var marked = {};
      pts.forEach(function (p) { if (p.country) { marked[p.country] = true; } });
      var width = 960, height = 500;
      var projection = d3.geoNaturalEarth1().fitSize([width, height], { type: "Sphere" });
      var path = d3.geoPath(projection);
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", "0 0 " + width + " " + height); svg.setAttribute("class", "view-map");
      function el(name, attrs) {
        var n = document.createElementNS(SVG, name);
        Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); }); svg.appendChild(n); return n;
      }
      el("path", { d: path({ type: "Sphere" }), class: "sphere" });
      topojson.feature(world, world.objects.countries).features.forEach(function (f) {
        el("path", { d: path(f) || "", class: "country" + (marked[f.id] ? " has-points" : "") });
      });
      pts.forEach(function (p) {
        var xy = projection([p.lon, p.lat]);
        var dot = el("circle", { cx: xy[0], cy: xy[1], r: 5, class: "marker" });
        var title = document.createElementNS(SVG, "title"); title.textContent = p.label; dot.appendChild(title);
      });
      host.appendChild(svg);
      return pts.length;
    });
  }

  function drawGraph(host, answer) {
    host.innerHTML = "";
    var triples = answer.triples || [];
    if (!triples.length) { host.textContent = "The graph view draws CONSTRUCT and DESCRIBE answers."; return Promise.resolve(0); }
    var nodes = {}, elements = [];
    function node(term) {
      var id = term;
      if (!nodes[id]) {
        var literal = term.charAt(0) === '"';
        nodes[id] = true;
        var label = literal ? term.replace(/^"|"(@[\w-]+|\^\^<[^>]*>)?$/g, "") : short(term);
        elements.push({ data: { id: id, label: label.length > 40 ? label.slice(0, 39) + "…" : label }, classes: literal ? "literal" : "resource" });
      }
      return id;
    }
    triples.forEach(function (t, i) {
      var o = t.o.charAt(0) === "<" ? t.o.slice(1, -1) : t.o;
      elements.push({ data: { id: "e" + i, source: node(t.s), target: node(o), label: short(t.p) } });
    });
    var target = document.createElement("div");
    target.className = "view-graph"; host.appendChild(target);
    cytoscape({
      container: target, elements: elements, layout: { name: "cose", animate: false },
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#1b6a8f", width: 14, height: 14 } },
        { selector: "node.literal", style: { shape: "round-rectangle", "background-color": "#a86b00" } },
        { selector: "edge", style: { label: "data(label)", "font-size": 8, "curve-style": "bezier", "target-arrow-shape": "triangle",
                                     width: 1, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1" } },
      ],
    });
    return Promise.resolve(triples.length);
  }

  // A panel of view buttons under `host`; `source()` gives {endpoint, query} of the answer to draw.
  function attach(panel, source) {
    var out = panel.querySelector(".view-output");
    var status = panel.querySelector(".view-status");
    var column = panel.querySelector("select.view-column");
    var mark = panel.querySelector("select.view-mark");
    function run(kind) {
      var s = source();
      status.textContent = "…";
      return fetchAnswer(s.endpoint, s.query).then(function (answer) {
        if (answer.head && column && !column.options.length) {
          answer.head.vars.forEach(function (v) { var o = document.createElement("option"); o.value = o.textContent = v; column.appendChild(o); });
        }
        if (kind === "chart") {
          if (!answer.head) { throw new Error("the chart view draws SELECT answers"); }
          return drawChart(out, answer, { column: column && column.value, mark: mark && mark.value })
            .then(function (axes) { status.textContent = "chart of " + axes.y + " by " + axes.x; });
        }
        if (kind === "map") {
          if (!answer.head) { throw new Error("the map view draws SELECT answers"); }
          return drawMap(out, answer).then(function (n) { status.textContent = n + " points"; });
        }
        return drawGraph(out, answer).then(function (n) { status.textContent = n + " triples"; });
      }).then(function () { panel.setAttribute("data-drawn", kind); })
        .catch(function (e) { status.textContent = "Cannot draw: " + e.message; });
    }
    panel.querySelectorAll("button[data-view]").forEach(function (b) {
      b.addEventListener("click", function () { run(b.getAttribute("data-view")); });
    });
  }

  window.ClusterGraphViews = { attach: attach, isGraphQuery: isGraphQuery, parseNTriples: parseNTriples };
})();
