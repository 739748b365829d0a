// Bundle the web UI's front-end assets from npm packages into the Python package (no CDN).
// Run by `make install` after `npm ci`: copies the built files of @zazuko/yasgui, d3-geo, d3-array,
// topojson-client and world-atlas into src/clustergraph/adapters/static/vendor/, and derives a small
// ISO 3166-1 table (alpha-2 -> numeric code, centre, name) from world-countries for the map.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "src", "clustergraph", "adapters", "static", "vendor");
mkdirSync(out, { recursive: true });

const files = {
  "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
  "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
  "d3-array.min.js": "d3-array/dist/d3-array.min.js",
  "d3-geo.min.js": "d3-geo/dist/d3-geo.min.js",
  "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
  "countries-110m.json": "world-atlas/countries-110m.json",
  "vega.min.js": "vega/build/vega.min.js",
  "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
  "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
  "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
};
const versions = {};
for (const [name, source] of Object.entries(files)) {
  const from = join(modules, source);
  if (!existsSync(from)) {
    console.error(`web/build.mjs: ${source} is missing; run 'npm ci' in web/ first`);
    process.exit(1);
  }
  copyFileSync(from, join(out, name));
  const pkg = source.startsWith("@") ? source.split("/").slice(0, 2).join("/") : source.split("/")[0];
  versions[pkg] = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8")).version;
}

const countries = JSON.parse(readFileSync(join(modules, "world-countries", "countries.json"), "utf8"));
const codes = {};
for (const c of countries) {
  if (c.cca2 && c.ccn3) {
    codes[c.cca2] = { numeric: c.ccn3, latlng: c.latlng, name: c.name.common };
  }
}
writeFileSync(join(out, "country-codes.json"), JSON.stringify(codes));
versions["world-countries"] = JSON.parse(readFileSync(join(modules, "world-countries", "package.json"), "utf8")).version;
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`web/build.mjs: ${Object.keys(files).length + 1} files in ${out}`);
