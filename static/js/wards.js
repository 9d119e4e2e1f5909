// Fills the commune list when the province changes, from the JSON list at the province select's
// data-wards-url. Without JavaScript the form's "update communes" button does the same on the server.
(function () {
  "use strict";
  var province = document.getElementById("province_code"), ward = document.getElementById("ward_code");
  if (!province || !ward || !window.fetch) return;
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  province.addEventListener("change", function () {
    var url = province.getAttribute("data-wards-url") + "?province=" + encodeURIComponent(province.value);
    ward.disabled = true;
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var first = ward.options[0];
        ward.innerHTML = "";
        ward.appendChild(first);
        (data.wards || []).forEach(function (w) {
          var option = document.createElement("option");
          option.value = w.code;
          option.textContent = w.name;
          ward.appendChild(option);
        });
      })
      .finally(function () { ward.disabled = false; });
  });
})();
