/* The showroom till: basket, payment, and a queue of sales in localStorage that is sent when the network
   returns. Every sale carries an id made here, so sending it twice records it once (the server checks). */
(function () {
  "use strict";
  var root = document.getElementById("pos");
  if (!root) { return; }
  root.hidden = false;
  var T = JSON.parse(root.dataset.texts);
  var CATALOGUE = JSON.parse(root.dataset.catalogue);
  var MAX_Q = parseInt(root.dataset.maxQuantity, 10);
  var MAX_DISCOUNT_BP = parseInt(root.dataset.maxDiscountBp, 10);
  var QUEUE_KEY = "pos-queue-" + root.dataset.showroom;
  var isManager = root.dataset.manager === "yes";
  var $ = function (id) { return document.getElementById(id); };
  var q = $("pos-q"), results = $("pos-results"), message = $("pos-message"), linesBody = $("pos-lines");
  var basket = [];  // {id, name, unit, price, quantity}
  var found = [];
  var online = navigator.onLine;
  var sending = false;

  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " \u20ab"; }
  function sub(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k] === undefined ? "" : values[k]; });
  }
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }
  function digits(s) { return /^[0-9]+$/.test(s); }
  function ean13(code) {
    if (code.length !== 13 || !digits(code)) { return false; }
    var sum = 0;
    for (var i = 0; i < 12; i++) { sum += parseInt(code[i], 10) * (i % 2 ? 3 : 1); }
    return (10 - sum % 10) % 10 === parseInt(code[12], 10);
  }
  function wholeOrNull(text) {
    text = String(text).trim();
    if (text === "") { return 0; }
    return /^[0-9]{1,13}$/.test(text) ? parseInt(text, 10) : null;
  }
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text, bad) { message.textContent = text || ""; message.classList.toggle("pos-message-bad", !!bad); }

  // --- Finding products -------------------------------------------------------------------------------
  function localFind(text) {
    if (digits(text)) { return CATALOGUE.filter(function (p) { return p.barcode === text; }); }
    var lower = text.toLowerCase();
    var bySku = CATALOGUE.filter(function (p) { return p.sku.toLowerCase() === lower; });
    if (bySku.length) { return bySku; }
    var words = fold(text).split(/[^a-z0-9]+/).filter(Boolean);
    return CATALOGUE.filter(function (p) {
      var name = " " + fold(p.name + " " + p.sku);
      return words.every(function (w) { return name.indexOf(w) >= 0; });
    }).slice(0, 12);
  }
  function showResults(items) {
    found = items;
    results.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "pos-result";
      b.textContent = item.name + " · " + fmt(item.price) + " · " + sub(T.left, {n: item.available});
      b.addEventListener("click", function () { add(found[i]); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }
  function search(addFirst) {
    var text = q.value.trim();
    if (!text) { return; }
    var isCode = digits(text) && text.length >= 8 && text.length <= 14;
    if (isCode && !ean13(text)) { say(sub(T.badBarcode, {code: text}), true); showResults([]); q.select(); return; }
    var done = function (items, error) {
      if (error) { say(error, true); showResults([]); q.select(); return; }
      if (!items.length) { say(online ? T.nothing : T.notHere, true); showResults([]); q.select(); return; }
      say("");
      showResults(items);
      if ((addFirst && items.length === 1) || (isCode && items.length >= 1)) { add(items[0]); }
    };
    if (!online) { done(localFind(text)); return; }
    say(T.searching);
    fetch(root.dataset.lookupUrl + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return [r, body]; }); })
      .then(function (pair) { done(pair[1].items || [], pair[0].ok ? null : pair[1].error); })
      .catch(function () { setOnline(false); done(localFind(text)); });
  }

  // --- Basket ------------------------------------------------------------------------------------------
  function add(item) {
    var line = basket.find(function (l) { return l.id === item.id; });
    if (line) { line.quantity = Math.min(MAX_Q, line.quantity + 1); } else {
      basket.push({id: item.id, name: item.name, unit: item.unit, price: item.price, quantity: 1});
    }
    q.value = "";
    showResults([]);
    render();
    q.focus();
  }
  function subtotal() { return basket.reduce(function (s, l) { return s + l.price * l.quantity; }, 0); }
  function discount() { return wholeOrNull($("pos-discount").value); }
  function total() { var d = discount(); return subtotal() - (d === null ? 0 : d); }
  function method() { return root.querySelector("input[name=method]:checked").value; }
  function render() {
    linesBody.textContent = "";
    if (!basket.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 4; td.className = "muted"; td.textContent = T.empty;
      tr.appendChild(td); linesBody.appendChild(tr);
    }
    basket.forEach(function (line, i) {
      var tr = document.createElement("tr");
      var name = document.createElement("td");
      name.textContent = line.name;
      var small = document.createElement("span");
      small.className = "muted pos-unit";
      small.textContent = " " + line.unit + " · " + fmt(line.price);
      name.appendChild(small);
      var qty = document.createElement("td");
      qty.className = "pos-qty";
      var less = document.createElement("button");
      less.type = "button"; less.className = "button button-secondary"; less.textContent = "\u2212";
      less.setAttribute("aria-label", T.less + ": " + line.name);
      less.addEventListener("click", function () { if (line.quantity > 1) { line.quantity -= 1; render(); } });
      var input = document.createElement("input");
      input.value = line.quantity; input.inputMode = "numeric"; input.size = 4;
      input.setAttribute("aria-label", line.name);
      input.addEventListener("change", function () {
        var n = wholeOrNull(input.value);
        if (n === null || n < 1 || n > MAX_Q) { say(T.quantity, true); input.value = line.quantity; return; }
        say(""); line.quantity = n; render();
      });
      var more = document.createElement("button");
      more.type = "button"; more.className = "button button-secondary"; more.textContent = "+";
      more.setAttribute("aria-label", T.more + ": " + line.name);
      more.addEventListener("click", function () { if (line.quantity < MAX_Q) { line.quantity += 1; render(); } });
      qty.append(less, input, more);
      var amount = document.createElement("td");
      amount.className = "num"; amount.textContent = fmt(line.price * line.quantity);
      var rm = document.createElement("td");
      var x = document.createElement("button");
      x.type = "button"; x.className = "button button-secondary"; x.textContent = T.remove;
      x.setAttribute("aria-label", T.remove + ": " + line.name);
      x.addEventListener("click", function () { basket.splice(i, 1); render(); q.focus(); });
      rm.appendChild(x);
      tr.append(name, qty, amount, rm);
      linesBody.appendChild(tr);
    });
    $("pos-subtotal").textContent = fmt(subtotal());
    $("pos-total").textContent = fmt(Math.max(0, total()));
    var cash = wholeOrNull($("pos-cash").value);
    $("pos-change").textContent = fmt(cash && cash >= total() ? cash - total() : 0);
    var m = method();
    $("pos-cash-row").hidden = m !== "cash";
    $("pos-transfer-note").hidden = m !== "bank_transfer" || !online;
    $("pos-offline-transfer").hidden = online;
    var bank = root.querySelector("input[value=bank_transfer]");
    if (bank) { bank.disabled = !online; if (!online && bank.checked) { root.querySelector("input[value=cash]").checked = true; } }
  }

  // --- Paying and the queue ----------------------------------------------------------------------------
  function loadQueue() { try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; } }
  function saveQueue(queue) { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); renderStatus(); }

  function pay(event) {
    if (event) { event.preventDefault(); }
    if (!basket.length) { say(T.empty, true); q.focus(); return; }
    var d = discount();
    if (d === null || d > subtotal()) { say(T.discountBad, true); $("pos-discount").focus(); return; }
    if (d > Math.floor(subtotal() * MAX_DISCOUNT_BP / 10000)) { say(T.discountLimit, true); $("pos-discount").focus(); return; }
    var m = method(), cash = wholeOrNull($("pos-cash").value);
    if (m === "cash" && (cash === null || cash < total())) { say(T.cashShort, true); $("pos-cash").focus(); return; }
    if (m === "bank_transfer" && !online) { say(T.bankOffline, true); return; }
    var sale = {
      client_id: newId(), occurred_at: new Date().toISOString(), method: m, discount: d,
      cash_received: m === "cash" ? cash : null,
      lines: basket.map(function (l) { return {product_id: l.id, quantity: l.quantity}; }),
      summary: basket.map(function (l) { return l.quantity + " × " + l.name; }).join(", "), total: total()
    };
    var queue = loadQueue();
    queue.push({sale: sale, state: "pending"});
    saveQueue(queue);
    var change = m === "cash" ? cash - total() : null;
    basket = []; $("pos-discount").value = "0"; $("pos-cash").value = ""; render(); say("");
    showDone(null, sale, change);
    flush(sale.client_id);
  }

  function showDone(body, sale, change) {
    var done = $("pos-done");
    done.hidden = false;
    $("pos-done-title").textContent = body ? sub(T.sold, {number: body.number}) : T.savedOffline;
    $("pos-done-text").textContent = change !== null && change !== undefined ? sub(T.change, {amount: fmt(change)}) : "";
    $("pos-qr").innerHTML = body && body.qr_svg ? body.qr_svg : "";
    var receipt = $("pos-receipt");
    receipt.hidden = !body;
    if (body) { receipt.href = body.receipt_url; }
    done.focus();
  }

  function post(sale) {
    var payload = {client_id: sale.client_id, occurred_at: sale.occurred_at, method: sale.method,
                   discount: sale.discount, cash_received: sale.cash_received, lines: sale.lines};
    return fetch(root.dataset.saleUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf},
      body: JSON.stringify(payload)
    }).then(function (r) { return r.json().then(function (b) { return [r.status, b]; }, function () { return [r.status, {}]; }); });
  }

  function flush(justPaid) {
    if (sending) { return; }
    var pending = loadQueue().filter(function (e) { return e.state === "pending"; });
    if (!pending.length) { renderStatus(); return; }
    sending = true;
    var next = function (i) {
      if (i >= pending.length) { sending = false; renderStatus(); return; }
      var entry = pending[i];
      post(entry.sale).then(function (pair) {
        var status = pair[0], body = pair[1];
        setOnline(true);
        var queue = loadQueue();
        var idx = queue.findIndex(function (e) { return e.sale.client_id === entry.sale.client_id; });
        if ((status === 200 || status === 201) && body.sale) {
          if (idx >= 0) { queue.splice(idx, 1); }
          if (entry.sale.client_id === justPaid) { showDone(body.sale, entry.sale, body.sale.change); }
        } else if ((status === 409 || status === 422) && body.error) {
          if (idx >= 0) { queue[idx].state = "conflict"; queue[idx].error = body.error || String(status); }
          if (entry.sale.client_id === justPaid) { say(sub(T.refused, {reason: body.error || ""}), true); $("pos-done").hidden = true; }
        } else {
          // Server trouble, or no JSON (e.g. signed out: the login page came back): keep it pending, try later.
          if (status === 200 || status === 403 || status === 400) { say(T.signIn, true); }
          saveQueue(queue); sending = false; return;
        }
        saveQueue(queue);
        next(i + 1);
      }).catch(function () { setOnline(false); sending = false; });
    };
    next(0);
  }

  function renderStatus() {
    var queue = loadQueue();
    var pending = queue.filter(function (e) { return e.state === "pending"; }).length;
    var status = $("pos-status");
    status.textContent = (online ? T.online : T.offline) + (pending ? " " + sub(T.queued, {n: pending}) : "");
    status.classList.toggle("pos-offline", !online);
    var conflicts = queue.filter(function (e) { return e.state === "conflict"; });
    $("pos-conflicts").hidden = !conflicts.length;
    var list = $("pos-conflict-list");
    list.textContent = "";
    conflicts.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "pos-conflict";
      li.dataset.clientId = entry.sale.client_id;
      var when = new Date(entry.sale.occurred_at).toLocaleString();
      li.textContent = sub(T.conflictAt, {time: when}) + " · " + entry.sale.summary + " · " + fmt(entry.sale.total) + " · " + (entry.error || "");
      if (isManager) {
        var retry = document.createElement("button");
        retry.type = "button"; retry.className = "button button-secondary"; retry.textContent = T.retry;
        retry.addEventListener("click", function () { setState(entry.sale.client_id, "pending"); flush(); });
        var discard = document.createElement("button");
        discard.type = "button"; discard.className = "button button-secondary"; discard.textContent = T.discard;
        discard.addEventListener("click", function () { discardSale(entry); });
        li.append(" ", retry, " ", discard);
      } else {
        li.append(" · " + T.askManager);
      }
      list.appendChild(li);
    });
  }
  // A discarded sale is recorded on the server (who, when, what, why) before it leaves this browser's queue.
  function discardSale(entry) {
    var reason = window.prompt(T.discardReason, "");
    if (reason === null || !reason.trim()) { return; }
    var sale = entry.sale;
    fetch(root.dataset.discardUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf},
      body: JSON.stringify({client_id: sale.client_id, occurred_at: sale.occurred_at, method: sale.method,
                            total: sale.total, lines: sale.lines, conflict: entry.error || "", reason: reason.trim()})
    }).then(function (r) {
      return r.json().then(function (b) { return [r.status, b]; }, function () { return [r.status, {}]; });
    }).then(function (pair) {
      if ((pair[0] === 200 || pair[0] === 201) && pair[1].discarded) {
        setState(sale.client_id, null); renderStatus(); say("");
      } else {
        say(sub(T.discardFailed, {reason: pair[1].error || T.signIn}), true);
      }
    }).catch(function () { setOnline(false); say(sub(T.discardFailed, {reason: T.offline}), true); });
  }
  function setState(clientId, state) {
    var queue = loadQueue();
    var idx = queue.findIndex(function (e) { return e.sale.client_id === clientId; });
    if (idx < 0) { return; }
    if (state) { queue[idx].state = state; } else { queue.splice(idx, 1); }
    saveQueue(queue);
  }
  function setOnline(value) {
    if (online === value) { return; }
    online = value;
    render();
    renderStatus();
    if (online) { flush(); }
  }

  // --- Keys and events ---------------------------------------------------------------------------------
  $("pos-search").addEventListener("submit", function (e) { e.preventDefault(); search(true); });
  $("pos-pay-form").addEventListener("submit", pay);
  $("pos-pay-form").addEventListener("input", render);
  $("pos-pay-form").addEventListener("change", render);
  $("pos-new").addEventListener("click", function () { $("pos-done").hidden = true; q.focus(); });
  document.addEventListener("keydown", function (e) {
    var typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
    if (e.key === "F9" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) { pay(e); }
    else if (e.key === "F2" || (e.key === "/" && !typing)) { e.preventDefault(); q.focus(); q.select(); }
    else if (e.key === "Escape") { q.value = ""; showResults([]); say(""); q.focus(); }
  });
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  window.setInterval(function () { if (loadQueue().some(function (e) { return e.state === "pending"; })) { flush(); } }, 15000);
  render();
  renderStatus();
  flush();
}());
