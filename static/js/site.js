// Search suggestions as you type: one small JSON request per pause, keyboard friendly, no library.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  var timer = null, controller = null, active = -1;

  function clear() { list.hidden = true; list.innerHTML = ""; active = -1; input.setAttribute("aria-expanded", "false"); }

  function render(items) {
    list.innerHTML = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "suggestion-" + index;
      var a = document.createElement("a");
      a.href = item.url;
      var name = document.createElement("span");
      name.textContent = item.name;
      var meta = document.createElement("span");
      meta.className = "count";
      meta.textContent = item.meta || "";
      a.appendChild(name); a.appendChild(meta); li.appendChild(a); list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { clear(); return; }
    timer = setTimeout(function () {
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), { signal: controller.signal, headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { render(data.suggestions || []); })
        .catch(function () {});
    }, 150);
  });

  input.addEventListener("keydown", function (event) {
    var items = list.querySelectorAll("li");
    if (!items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (active >= 0) items[active].removeAttribute("aria-selected");
      active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location = items[active].querySelector("a").href;
    } else if (event.key === "Escape") {
      clear();
    }
  });

  document.addEventListener("click", function (event) { if (!list.contains(event.target) && event.target !== input) clear(); });
})();

// Catalogue: a sort menu submits itself, and the filter panel starts open on wide screens.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var facets = document.querySelector("details[data-open-wide]");
  if (facets && window.matchMedia("(min-width: 900px)").matches) facets.open = true;
})();
