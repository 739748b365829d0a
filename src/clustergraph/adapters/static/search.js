// The header's search box: completes labels as you type (entity search), Enter runs a full search.
(function () {
  const form = document.getElementById("header-search");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector(".completions");
  const api = form.dataset.complete;
  let pending = null;
  let active = -1;

  function clear() { list.innerHTML = ""; list.hidden = true; active = -1; }

  function show(hits) {
    list.innerHTML = "";
    for (const hit of hits) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = hit.href;
      link.textContent = hit.label;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      link.appendChild(kind);
      item.appendChild(link);
      list.appendChild(item);
    }
    list.hidden = hits.length === 0;
    active = -1;
  }

  input.addEventListener("input", function () {
    const words = input.value.trim();
    if (pending) pending.abort();
    if (words.length < 2) { clear(); return; }
    pending = new AbortController();
    fetch(api + "?q=" + encodeURIComponent(words), { signal: pending.signal })
      .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
      .then(function (body) { show(body.hits); })
      .catch(function () { /* aborted by the next keystroke */ });
  });

  input.addEventListener("keydown", function (event) {
    const items = list.querySelectorAll("a");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach(function (a, i) { a.classList.toggle("active", i === active); });
    } else if (event.key === "Enter" && active >= 0 && items[active]) {
      event.preventDefault();
      window.location.href = items[active].href;
    } else if (event.key === "Escape") {
      clear();
    }
  });

  document.addEventListener("click", function (event) { if (!form.contains(event.target)) clear(); });
})();
