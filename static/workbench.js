// Coverage Workbench: the little JavaScript the pages need on top of htmx. Every page works without it.
(function () {
  "use strict";

  // --- Errors during HTMX requests are shown, never swallowed -------------------------------------
  function showAlert(text) {
    const region = document.getElementById("alerts");
    if (!region) { window.alert(text); return; }
    const box = document.createElement("div");
    box.className = "alert";
    const message = document.createElement("span");
    message.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "tiny";
    close.textContent = "Dismiss";
    close.addEventListener("click", function () { box.remove(); });
    box.append(message, close);
    region.replaceChildren(box);
  }

  function messageFrom(xhr) {
    try {
      const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      const element = doc.querySelector("[data-error-message]");
      if (element && element.textContent.trim()) {
        return element.textContent.trim().replace(/\s+/g, " ");
      }
    } catch (e) { /* fall through to the generic message */ }
    if (xhr.status === 403) {
      return "Not allowed (error 403): your account may not do that, or your session expired. Reload the page.";
    }
    return "The server could not complete that (error " + xhr.status + "). Nothing was changed; reload the page and try again.";
  }

  document.addEventListener("htmx:responseError", function (event) { showAlert(messageFrom(event.detail.xhr)); });
  document.addEventListener("htmx:sendError", function () {
    showAlert("The server could not be reached; nothing was changed. Check the connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    showAlert("The server took too long to answer; reload the page to see whether the change was saved.");
  });

  // --- The jobs line stays open (or closed) as the reader left it while it refreshes itself --------
  let jobsPanelOpen = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const panel = event.detail.target && event.detail.target.querySelector
      ? (event.detail.target.matches("[data-jobs-panel]") ? event.detail.target : event.detail.target.querySelector("[data-jobs-panel]"))
      : null;
    jobsPanelOpen = panel ? panel.open : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (jobsPanelOpen === null) { return; }
    document.querySelectorAll("[data-jobs-panel]").forEach(function (panel) { panel.open = jobsPanelOpen; });
    jobsPanelOpen = null;
  });

  // --- A form with data-confirm asks first (hx-confirm does it for htmx forms) --------------------
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // --- Every brief form sends the version this page shows -----------------------------------------
  function paneVersion() {
    const pane = document.getElementById("brief-pane");
    return pane ? pane.dataset.version : "";
  }
  function syncBriefVersion() {
    const pane = document.getElementById("brief-pane");
    if (!pane) { return; }
    document.querySelectorAll("input[data-brief-version]").forEach(function (input) {
      input.value = pane.dataset.version;
    });
  }
  document.addEventListener("htmx:afterSettle", syncBriefVersion);
  document.addEventListener("DOMContentLoaded", syncBriefVersion);

  // --- What is being edited stays, with what was typed, when the brief pane is re-rendered ---------
  // (the editor saves another item, or reloads a colleague's change): an item's open edit form, and the
  // headline or own-item form once typed in. Only the form that was sent is replaced by the answer. A kept
  // form still sends the versions it was opened with, so a colleague's change to the same thing is refused
  // (and kept beside theirs) rather than overwritten. An item removed meanwhile keeps its form at the end.
  let keptForms = [];
  let keptPresence = null;  // "Also open: …" until the new pane's next ping (a colleague's change is shown)
  function typedIn(form) {
    return Array.from(form.querySelectorAll("input[type=text], textarea")).some(function (field) {
      return field.value !== field.defaultValue;
    });
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
    if (!event.detail.shouldSwap || !target || target.id !== "brief-pane") { return; }
    const source = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    keptPresence = target.querySelector(".presence-others");
    const editing = Array.from(target.querySelectorAll("li.brief-item.editing"));
    const typed = Array.from(target.querySelectorAll("form[data-keep-typed]")).filter(typedIn);
    keptForms = editing.concat(typed).filter(function (element) {
      return !(source && element.contains(source));
    });
    keptForms.forEach(function (element) {
      element.remove();
      element.querySelectorAll("input[data-brief-version]").forEach(function (input) {
        input.removeAttribute("data-brief-version");  // not moved on to the version the new pane shows
      });
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    const status = keptPresence ? document.querySelector("#brief-pane .presence-status") : null;
    if (status && !status.children.length) { status.append(keptPresence); }
    keptPresence = null;
    if (!keptForms.length) { return; }
    const pane = document.getElementById("brief-pane");
    const list = pane ? pane.querySelector("ol.brief-items") : null;
    keptForms.forEach(function (element) {
      const fresh = pane ? pane.querySelector("#" + element.id) : null;
      if (fresh && fresh.classList.contains("editing")) { return; }  // the answer shows this form itself
      if (fresh) { fresh.replaceWith(element); } else if (list && element.matches("li")) { list.appendChild(element); }
    });
    keptForms = [];
  });

  // --- After Up or Down, focus stays on the moved item's same button (or, at the top or bottom now,
  // its other one), so the keyboard can go on moving it. Focused once the new pane has settled: htmx wires
  // up the new forms then, and an Enter before that would send a plain form (a page load). -------------
  let focusAfterSwap = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    const source = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    const form = source && source.closest ? source.closest("form[data-keep-focus]") : null;
    const item = form ? form.closest("li[data-item-id]") : null;
    if (item) { focusAfterSwap = { item: item.dataset.itemId, key: form.dataset.keepFocus }; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusAfterSwap || !event.target || event.target.id !== "brief-pane") { return; }
    const wanted = focusAfterSwap;
    focusAfterSwap = null;
    const item = event.target.querySelector('li[data-item-id="' + wanted.item + '"]');
    if (!item) { return; }
    const other = wanted.key === "up" ? "down" : "up";
    const button = [wanted.key, other, "edit"]
      .map(function (key) { return item.querySelector('[data-focus-key="' + key + '"]'); })
      .find(function (element) { return element; });
    if (button) { button.focus(); }
  });

  // --- Drag and drop to reorder brief items (the Up/Down buttons do the same from the keyboard) ---
  let dragged = null;
  function itemOf(target) { return target && target.closest ? target.closest("li[data-move-url]") : null; }
  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-after").forEach(function (el) {
      el.classList.remove("drop-before", "drop-after");
    });
  }
  document.addEventListener("dragstart", function (event) {
    const item = itemOf(event.target);
    if (!item || event.target.closest("input, textarea, select, button, a")) { return; }
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.itemId);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    clearMarks();
  });
  document.addEventListener("dragover", function (event) {
    const item = itemOf(event.target);
    if (!dragged || !item || item === dragged || item.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    clearMarks();
    const box = item.getBoundingClientRect();
    item.classList.add(event.clientY > box.top + box.height / 2 ? "drop-after" : "drop-before");
  });
  document.addEventListener("drop", function (event) {
    const item = itemOf(event.target);
    if (!dragged || !item || item === dragged || item.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    const after = item.classList.contains("drop-after");
    clearMarks();
    // Next to the item it was dropped on: the move means the same whatever a colleague moved meanwhile.
    const values = { version: paneVersion(), item_version: dragged.dataset.itemVersion };
    values[after ? "after" : "before"] = item.dataset.itemId;
    const token = document.querySelector("meta[name=csrf-token]").content;
    htmx.ajax("POST", dragged.dataset.moveUrl, {
      source: dragged,
      target: "#brief-pane",
      swap: "outerHTML",
      values: values,
      headers: { "X-CSRFToken": token },
    });
  });

  // --- Import: drop files on the drop zone --------------------------------------------------------
  function listFiles(zone, input) {
    const list = zone.querySelector(".dropzone-list");
    if (!list) { return; }
    list.replaceChildren.apply(list, Array.from(input.files).map(function (file) {
      const li = document.createElement("li");
      li.textContent = file.name + " (" + file.size.toLocaleString() + " bytes)";
      return li;
    }));
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dropzone-for]").forEach(function (zone) {
      const input = document.getElementById(zone.dataset.dropzoneFor);
      zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
      zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("over");
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          listFiles(zone, input);
        }
      });
      input.addEventListener("change", function () { listFiles(zone, input); });
    });
  });
})();
