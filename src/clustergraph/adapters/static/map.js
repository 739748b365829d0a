// The map of clusters: country outlines from world-atlas (TopoJSON, bundled), drawn with d3-geo.
// Clusters sit at their coordinates where the data has them, else at their country's centre.
(function () {
  "use strict";
  var root = window.CLUSTERGRAPH_ROOT || "";
  var points = JSON.parse(document.getElementById("map-data").textContent);
  var host = document.getElementById("map");
  var SVG = "http://www.w3.org/2000/svg";
  if (typeof d3 === "undefined" || typeof topojson === "undefined") {
    host.textContent = "The map scripts are not built: run make install.";
    return;
  }
  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  Promise.all([
    fetch(root + "/static/vendor/countries-110m.json").then(function (r) { return r.json(); }),
    fetch(root + "/static/vendor/country-codes.json").then(function (r) { return r.json(); }),
  ]).then(function (loaded) {
    var world = loaded[0], codes = loaded[1];
    var width = 960, height = 500;
    var projection = d3.geoNaturalEarth1().fitSize([width, height], { type: "Sphere" });
    var path = d3.geoPath(projection);
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img", id: "map-svg" }, null);
    el("path", { d: path({ type: "Sphere" }), class: "sphere" }, svg);
    var withClusters = {};
    points.forEach(function (p) { if (p.alpha2 && codes[p.alpha2]) { withClusters[codes[p.alpha2].numeric] = true; } });
    topojson.feature(world, world.objects.countries).features.forEach(function (f) {
      var shape = el("path", { d: path(f) || "", class: "country" + (withClusters[f.id] ? " has-clusters" : "") }, svg);
      var title = el("title", {}, shape);
      title.textContent = f.properties.name;
    });
    var taken = {};
    points.forEach(function (p) {
      var lonlat = null;
      if (p.lat !== null && p.lon !== null) { lonlat = [p.lon, p.lat]; }
      else if (p.alpha2 && codes[p.alpha2]) { lonlat = [codes[p.alpha2].latlng[1], codes[p.alpha2].latlng[0]]; }
      if (!lonlat) { return; }
      var xy = projection(lonlat);
      var key = Math.round(xy[0]) + "," + Math.round(xy[1]);
      var n = taken[key] = (taken[key] || 0) + 1;
      var y = xy[1] + (n - 1) * 14;  // clusters of one country stack downwards
      var link = el("a", { href: p.href, class: "marker-link" }, svg);
      var dot = el("circle", { cx: xy[0], cy: y, r: 5, class: "marker" }, link);
      el("title", {}, dot).textContent = p.label + (p.country ? " (" + p.country + ")" : "");
      var right = xy[0] > width * 0.72;  // near the right edge, the label goes to the left of its dot
      el("text", { x: xy[0] + (right ? -8 : 8), y: y + 4, class: "marker-label",
                   "text-anchor": right ? "end" : "start" }, link).textContent = p.label;
    });
    host.appendChild(svg);
  }).catch(function (error) {
    host.textContent = "The map could not be drawn: " + error;
  });
})();
