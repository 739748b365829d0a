// The SPARQL editor: YASGUI (bundled from @zazuko/yasgui) on this server's endpoint, with the
// query catalogue offered as examples. Nothing is fetched from another host.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var host = document.getElementById("yasgui");
  if (typeof Yasgui === "undefined") {
    host.textContent = "YASGUI is not built: run make install.";
    return;
  }
  // Only completions that need no network (the class/property completers ask an online service).
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  var yasgui = new Yasgui(host, {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
  });
  window.clustergraphYasgui = yasgui;
  var byName = {};
  config.examples.forEach(function (e) { byName[e.name] = e; });

  function load(name) {
    var example = byName[name];
    if (!example) { return; }
    var tab = yasgui.getTab();
    tab.setQuery(example.text);
    var yasqe = tab.getYasqe();
    if (yasqe) { yasqe.setValue(example.text); }
  }
  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () { load(button.getAttribute("data-name")); });
  });
  if (config.chosen) { load(config.chosen); }
  var views = document.getElementById("editor-views");
  if (views && window.ClusterGraphViews) {
    ClusterGraphViews.attach(views, function () { return { endpoint: config.endpoint, query: yasgui.getTab().getQuery() }; });
  }
})();
