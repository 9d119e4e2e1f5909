// Offers the old provinces (before July 2025) that merged into the province chosen on the sign-up form,
// from the JSON list in the old-province select's data-old-provinces. Without JavaScript the form's
// "show the communes" button re-shows the page with them.
(function () {
  "use strict";
  var province = document.getElementById("province_code"), old = document.getElementById("old_province_code");
  if (!province || !old) return;
  var parts;
  try { parts = JSON.parse(old.getAttribute("data-old-provinces") || "{}"); } catch (e) { return; }
  var prompt = old.getAttribute("data-choose") || old.options[0].textContent;
  province.addEventListener("change", function () {
    var found = parts[province.value] || [];
    old.innerHTML = "";
    var first = document.createElement("option");
    first.value = "";
    first.textContent = prompt;
    old.appendChild(first);
    found.forEach(function (part) {
      var option = document.createElement("option");
      option.value = part[0];
      option.textContent = part[1];
      old.appendChild(option);
    });
    if (found.length === 1) old.value = String(found[0][0]);
  });
})();
