// Wishlist hearts, "follow this shop" and the copy-link button. The forms work without JavaScript (a POST
// and a redirect back); with it they are sent in the background and the button changes in place.
(function () {
  "use strict";

  function send(form) {
    // getAttribute: the form has a field named "action", which hides the form's own action property.
    return fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token ? form.elements.csrf_token.value : "" }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var heart = form.hasAttribute("data-heart"), follow = form.hasAttribute("data-follow");
    if (!heart && !follow) return;
    event.preventDefault();
    var button = form.querySelector("button");
    var action = form.elements.action;
    button.disabled = true;
    send(form).then(function (response) {
      if (response.status === 401) {
        return response.json().then(function (data) { window.location = data.login; });
      }
      if (!response.ok) { form.submit(); return; }
      return response.json().then(function (data) {
        var on = heart ? data.saved : data.following;
        button.setAttribute("aria-pressed", on ? "true" : "false");
        if (heart) {
          action.value = on ? "remove" : "add";
          button.setAttribute("aria-label", on ? button.dataset.labelRemove : button.dataset.labelAdd);
          var text = button.querySelector(".heart-text");
          if (text) text.textContent = on ? text.dataset.textRemove : text.dataset.textAdd;
        } else {
          action.value = on ? "unfollow" : "follow";
          button.textContent = on ? button.dataset.textUnfollow : button.dataset.textFollow;
          button.classList.toggle("button-secondary", on);
        }
      });
    }).catch(function () { form.submit(); })
      .finally(function () { button.disabled = false; });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-url]"), function (button) {
    var status = button.parentNode.querySelector(".share-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.dataset.copyUrl;
      var done = function () { if (status) status.textContent = button.dataset.copied; };
      var failed = function () { if (status) status.textContent = button.dataset.failed + ": " + url; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, failed);
      } else {
        failed();
      }
    });
  });
})();
