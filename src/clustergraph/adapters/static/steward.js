// The steward page: the token lives in sessionStorage (this tab's session), sent as a Bearer header.
(function () {
  "use strict";
  const conf = window.CLUSTERGRAPH_STEWARD;
  const root = conf.root;
  const KEY = "clustergraph.token";
  const $ = (id) => document.getElementById(id);

  function token() { return sessionStorage.getItem(KEY) || ""; }
  function showToken() {
    $("token-state").textContent = token() ? "a token is set for this session" : "no token set";
  }
  $("token-save").addEventListener("click", () => {
    sessionStorage.setItem(KEY, $("token").value.trim());
    $("token").value = "";
    showToken();
    listBatches();
  });
  $("token-forget").addEventListener("click", () => { sessionStorage.removeItem(KEY); showToken(); });
  showToken();
  if (token()) { listBatches(); }

  $("format").addEventListener("change", () => { $("mapping-label").hidden = $("format").value !== "text/csv"; });
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (!file) return;
    $("text").value = await file.text();
    const name = file.name.toLowerCase();
    const byExt = {".ttl": "text/turtle", ".trig": "application/trig", ".jsonld": "application/ld+json",
                   ".json": "application/ld+json", ".nt": "application/n-triples", ".nq": "application/n-quads",
                   ".csv": "text/csv"};
    for (const [ext, media] of Object.entries(byExt)) {
      if (name.endsWith(ext)) { $("format").value = media; }
    }
    $("format").dispatchEvent(new Event("change"));
  });

  function fileName() {
    const file = $("file").files[0];
    return file ? file.name : "pasted text";
  }

  async function call(method, path, params, body, type) {
    const url = new URL(root + path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) { if (v) url.searchParams.set(k, v); }
    const headers = {"Accept": "application/json"};
    if (token()) headers["Authorization"] = "Bearer " + token();
    if (type) headers["Content-Type"] = type;
    const answer = await fetch(url, {method, headers, body});
    let data = null;
    try { data = await answer.json(); } catch (e) { data = {error: "the server answered " + answer.status}; }
    return {status: answer.status, data};
  }

  function say(text, kind) {
    $("message").textContent = text;
    $("message").className = kind || "";
  }

  function localHref(iri) {
    for (const [path, ns] of Object.entries(conf.namespaces)) {
      if (iri.startsWith(ns) && iri.length > ns.length) {
        return root + "/" + path + "/" + iri.slice(ns.length).split("/").map(encodeURIComponent).join("/");
      }
    }
    return iri;
  }

  function termCell(nt) {
    const td = document.createElement("td");
    if (nt && nt.startsWith("<") && nt.endsWith(">")) {
      const iri = nt.slice(1, -1);
      const a = document.createElement("a");
      a.href = localHref(iri);
      a.textContent = iri;
      td.appendChild(a);
    } else {
      td.textContent = nt || "";
    }
    return td;
  }

  function resultTable(title, id, results) {
    const section = document.createElement("section");
    section.id = id;
    const h = document.createElement("h3");
    h.textContent = title + " (" + results.length + ")";
    section.appendChild(h);
    if (!results.length) return section;
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    for (const name of ["Severity", "Focus node", "Path", "Value", "Message"]) {
      const th = document.createElement("th"); th.textContent = name; head.appendChild(th);
    }
    const body = table.createTBody();
    for (const r of results) {
      const row = body.insertRow();
      const sev = document.createElement("td"); sev.textContent = r.severity; row.appendChild(sev);
      row.appendChild(termCell(r.focus_node));
      const path = document.createElement("td"); path.textContent = r.path || ""; row.appendChild(path);
      row.appendChild(termCell(r.value));
      const msg = document.createElement("td"); msg.textContent = r.message || ""; row.appendChild(msg);
    }
    section.appendChild(table);
    return section;
  }

  function showReport(report) {
    const box = $("report");
    box.replaceChildren();
    const summary = document.createElement("p");
    summary.id = "summary";
    summary.textContent = (report.conforms ? "Conforms" : "Does not conform") + " (" + (report.summary || "") + ")";
    box.appendChild(summary);
    const results = report.results || [];
    box.appendChild(resultTable("Introduced by this change", "introduced",
                                results.filter((r) => r.origin === "introduced")));
    box.appendChild(resultTable("Resolved by this change", "resolved", report.resolved || []));
    box.appendChild(resultTable("Pre-existing", "pre-existing",
                                results.filter((r) => r.origin !== "introduced")));
  }

  function bodyParams(extra) {
    const params = Object.assign({name: fileName()}, extra);
    if ($("format").value === "text/csv") params.mapping = $("mapping").value.trim();
    return params;
  }

  $("check").addEventListener("click", async () => {
    say("checking ...");
    const answer = await call("POST", "/api/validate", bodyParams({}), $("text").value, $("format").value);
    if (answer.status !== 200) { say(answer.data.error || ("refused: " + answer.status), "error"); return; }
    say(answer.data.conforms ? "The file conforms." : "The file does not conform.", answer.data.conforms ? "ok" : "error");
    showReport(answer.data);
  });

  $("ingest").addEventListener("click", async () => {
    say("ingesting ...");
    const params = bodyParams({by: $("by").value.trim(), source: $("source").value.trim()});
    const answer = await call("POST", "/api/ingest", params, $("text").value, $("format").value);
    if (answer.status === 201) {
      say("Ingested as batch " + answer.data.batch.id + " (" + answer.data.batch.triples + " triples).", "ok");
      showReport(answer.data.report);
      await listBatches();
    } else if (answer.status === 422) {
      say("Refused: the file breaks the shapes; nothing was written.", "error");
      showReport(answer.data);
    } else {
      say(answer.data.error || ("refused: " + answer.status), "error");
    }
  });

  async function listBatches() {
    const answer = await call("GET", "/api/batches", {}, undefined, undefined);
    const body = $("batches").tBodies[0];
    body.replaceChildren();
    if (answer.status !== 200) { say(answer.data.error || ("refused: " + answer.status), "error"); return; }
    for (const b of answer.data.batches) {
      const row = body.insertRow();
      row.dataset.batch = b.id;
      for (const value of [b.id, b.agent, b.started, b.file, b.source || "", String(b.triples)]) {
        const td = row.insertCell(); td.textContent = value;
      }
      const cell = row.insertCell();
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Retract";
      button.addEventListener("click", () => retract(b.id));
      cell.appendChild(button);
    }
  }
  $("refresh").addEventListener("click", listBatches);

  async function retract(id) {
    if (!window.confirm("Retract batch " + id + "?")) return;
    const answer = await call("POST", "/api/retract", {batch: id, force: $("force").checked ? "true" : ""});
    if (answer.status === 200) {
      say("Retracted batch " + id + ".", "ok");
      showReport(answer.data.report);
    } else if (answer.status === 422) {
      say("Retracting batch " + id + " was refused; nothing changed.", "error");
      showReport(answer.data);
    } else {
      say(answer.data.error || ("refused: " + answer.status), "error");
    }
    await listBatches();
  }
})();
