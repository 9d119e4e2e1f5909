// Shopping pages: the cart's quantity steppers and the bank transfer's copy buttons.
// Both work without JavaScript (a form per cart line; the bank details are selectable text); this adds
// in-place updates and one-tap copying. No inline code: the page's CSP forbids it.
(function () {
  "use strict";

  // ---- Cart: − / + and typed quantities are sent in the background; the cart comes back as HTML in JSON.
  var body = document.getElementById("cart-body");
  var status = document.getElementById("cart-status");

  function focusAfter(productId, role) {
    var form = body.querySelector('form[data-cart-line="' + productId + '"]');
    if (!form) return;
    var target = role === "input" ? form.querySelector(".stepper-input")
      : form.querySelector('.stepper-button[data-step="' + role + '"]');
    if (target && target.disabled) target = form.querySelector(".stepper-input");
    if (target) target.focus();
  }

  function updateCount(count) {
    var badge = document.querySelector(".nav-cart .cart-count");
    if (badge) badge.textContent = count;
  }

  function send(form, quantity, role) {
    // Enter in the box fires both "change" and "submit": send one request per value.
    if (form.getAttribute("data-pending") === String(quantity)) return null;
    form.setAttribute("data-pending", String(quantity));
    var data = new FormData(form);
    data.set("quantity", String(quantity));
    data.delete("step");
    form.classList.add("is-busy");
    return fetch(form.getAttribute("action"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token ? form.elements.csrf_token.value : "" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { form.submit(); return null; }
      return response.json();
    }).then(function (answer) {
      if (!answer) return;
      var productId = form.getAttribute("data-cart-line");
      body.innerHTML = answer.html;
      updateCount(answer.count);
      if (status) status.textContent = answer.ok ? answer.message : answer.error;
      focusAfter(productId, role);
    }).catch(function () { form.submit(); });
  }

  if (body) {
    body.classList.add("has-script");
    body.addEventListener("click", function (event) {
      var button = event.target.closest(".stepper-button");
      if (!button || !body.contains(button)) return;
      event.preventDefault();
      var form = button.form;
      var input = form.querySelector(".stepper-input");
      var current = parseInt(input.value, 10);
      if (isNaN(current)) current = 1;
      var step = parseInt(button.getAttribute("data-step"), 10);
      var next = Math.max(1, current + step);
      input.value = next;
      send(form, next, button.getAttribute("data-step"));
    });
    body.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-cart-line")) return;
      event.preventDefault();
      send(form, form.querySelector(".stepper-input").value, "input");
    });
    body.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.classList || !input.classList.contains("stepper-input")) return;
      send(input.form, input.value, "input");
    });
  }

  // ---- Bank transfer: copy the account number, the amount (digits only) and the transfer note.
  var copyStatus = document.querySelector(".copy-status");
  Array.prototype.forEach.call(document.querySelectorAll(".copy-button[data-copy-target]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source || !navigator.clipboard || !navigator.clipboard.writeText) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var text = source.getAttribute("data-copy-text") || source.textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = button.getAttribute("data-copied");
        if (copyStatus) copyStatus.textContent = button.getAttribute("data-copied") + ": " + text;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        // Copying was refused: select the text so the shopper can copy it by hand.
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    });
  });
})();
