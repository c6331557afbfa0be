// receiptflow review: zoom, table rows, keyboard shortcuts. No dependencies, works offline.
(function () {
  "use strict";

  function typing(event) {
    var target = event.target;
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function go(link) {
    if (link && link.getAttribute("href")) { window.location.href = link.getAttribute("href"); }
  }

  // ---- queue: rows are links; j/k move a cursor, Enter opens ----
  function setupQueue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row-link"));
    if (!rows.length) { return; }
    var cursor = -1;
    rows.forEach(function (row) {
      row.addEventListener("click", function (event) {
        // links and the bulk-approve checkboxes do their own thing
        if (!event.target.closest("a, input, label, td.pick")) { window.location.href = row.dataset.href; }
      });
    });
    function move(step) {
      if (cursor >= 0) { rows[cursor].classList.remove("cursor"); }
      cursor = Math.max(0, Math.min(rows.length - 1, cursor + step));
      rows[cursor].classList.add("cursor");
      rows[cursor].scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (event.key === "j") { move(1); event.preventDefault(); }
      else if (event.key === "k") { move(-1); event.preventDefault(); }
      else if (event.key === "Enter" && cursor >= 0) { window.location.href = rows[cursor].dataset.href; }
    });
  }

  // ---- page images: fit width, zoom in and out ----
  function setupZoom() {
    var pages = document.getElementById("pages");
    if (!pages) { return null; }
    var scale = 1;
    function apply() {
      pages.classList.toggle("zoomed", scale > 1);
      Array.prototype.forEach.call(pages.querySelectorAll("img"), function (img) {
        img.style.width = scale > 1 ? (scale * 100) + "%" : "";
      });
    }
    function zoom(how) {
      if (how === "in") { scale = Math.min(scale * 1.5, 6); }
      else if (how === "out") { scale = Math.max(scale / 1.5, 1); }
      else { scale = 1; }
      apply();
    }
    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () { zoom(button.dataset.zoom); });
    });
    pages.addEventListener("click", function (event) {
      if (event.target.tagName !== "IMG") { return; }
      var img = event.target;
      var rect = img.getBoundingClientRect();
      var fx = (event.clientX - rect.left) / rect.width;
      var fy = (event.clientY - rect.top) / rect.height;
      scale = scale > 1 ? 1 : 2.5;
      apply();
      if (scale > 1) {  // keep the clicked spot under the pointer
        pages.scrollLeft = fx * img.offsetWidth - pages.clientWidth / 2;
        pages.scrollTop = img.offsetTop + fy * img.offsetHeight - pages.clientHeight / 2;
      }
    });
    return zoom;
  }

  // ---- edit tables: add rows from the template, strike removed ones ----
  function setupTables(form) {
    document.querySelectorAll("button.add-row").forEach(function (button) {
      button.addEventListener("click", function () {
        var table = document.querySelector('table[data-table="' + button.dataset.table + '"]');
        var template = table.querySelector("template.new-row");
        var index = parseInt(button.dataset.next, 10);
        button.dataset.next = String(index + 1);
        var html = template.innerHTML.replace(/__i__/g, String(index));
        var body = table.querySelector("tbody");
        body.insertAdjacentHTML("beforeend", html);
        var first = body.lastElementChild.querySelector("input");
        if (first) { first.focus(); }
        form.dataset.dirty = "1";
      });
    });
    form.addEventListener("change", function (event) {
      form.dataset.dirty = "1";
      if (event.target.name && /\._remove$/.test(event.target.name)) {
        event.target.closest("tr").classList.toggle("removed", event.target.checked);
      }
    });
    form.addEventListener("input", function () { form.dataset.dirty = "1"; });
    form.addEventListener("submit", function () { form.dataset.dirty = ""; });
  }

  function firstFlaggedInput() {
    // a line item's category is a select: a refused one is reached the same way
    return document.querySelector(".field.flagged input, td.flagged input, .field.invalid input, td.invalid input, td.invalid select") ||
      document.querySelector("#edit-form input:not([type=hidden])");
  }

  function approve(form) {
    var approveForm = document.getElementById("approve-form");
    if (!approveForm) { return; }
    if (form.dataset.dirty && !window.confirm("You have unsaved changes. Approve without saving them?")) { return; }
    var confirmBox = document.getElementById("confirm-errors");
    if (confirmBox && !confirmBox.checked) {
      if (!window.confirm("This receipt still has errors. Approve it anyway?")) { return; }
      confirmBox.checked = true;
    }
    approveForm.submit();
  }

  function setupDetail() {
    var form = document.getElementById("edit-form");
    if (!form) { return; }
    var zoom = setupZoom();
    setupTables(form);
    window.addEventListener("beforeunload", function (event) {
      if (form.dataset.dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") {
        event.preventDefault();
        form.dataset.dirty = "";
        form.requestSubmit();
        return;
      }
      if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key;
      if (key === "a") { event.preventDefault(); approve(form); }
      else if (key === "j") { go(document.getElementById("next-link")); }
      else if (key === "k") { go(document.getElementById("prev-link")); }
      else if (key === "e") {
        event.preventDefault();
        var input = firstFlaggedInput();
        if (input) { input.focus(); if (input.tagName === "INPUT") { input.select(); } }
      } else if (key === "r") {
        var reason = document.getElementById("reject-reason");
        if (reason) { event.preventDefault(); reason.focus(); }
      } else if (zoom && (key === "+" || key === "=")) { zoom("in"); }
      else if (zoom && key === "-") { zoom("out"); }
      else if (zoom && key === "0") { zoom("fit"); }
    });
  }

  // ---- queue: the header box ticks every clean receipt for "Approve selected" ----
  function setupBulk() {
    var all = document.getElementById("select-clean");
    var button = document.getElementById("approve-selected");
    if (!all || !button) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input.pick-clean"));
    function refresh() {
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      button.textContent = ticked ? "Approve selected (" + ticked + ")" : "Approve selected";
      button.disabled = !ticked;
    }
    all.disabled = !boxes.length;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    refresh();
  }

  // ---- uploads: drop files on the form (or pick them) to send it; follow their progress ----
  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var input = document.getElementById("upload-files");
    document.documentElement.classList.add("js");
    input.addEventListener("change", function () { if (input.files.length) { form.submit(); } });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) { event.preventDefault(); form.classList.add("dragging"); });
    });
    form.addEventListener("dragleave", function () { form.classList.remove("dragging"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      form.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;  // the same form post as without JavaScript
      form.submit();
    });
    pollUploads();
  }

  // While uploads are being extracted, ask every 2 s (for at most 10 minutes); reload the
  // page when one is done, so its receipt shows in the queue.
  function pollUploads() {
    var table = document.getElementById("uploads");
    if (!table || table.dataset.waiting === "0") { return; }
    var shown = {};
    Array.prototype.forEach.call(table.querySelectorAll("tr[data-id]"), function (row) {
      shown[row.dataset.id] = row.dataset.status;
    });
    var rounds = 0;
    function ask() {
      if (++rounds > 300) { return; }
      fetch("/uploads.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          var changed = data && data.uploads.some(function (item) {
            return String(item.id) in shown && shown[String(item.id)] !== item.status;
          });
          if (changed) { window.location.reload(); } else { window.setTimeout(ask, 2000); }
        })
        .catch(function () { window.setTimeout(ask, 5000); });
    }
    window.setTimeout(ask, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUpload();
    setupQueue();
    setupBulk();
    setupDetail();
  });
})();
