// docpipe's one script: drag-and-drop upload with a progress bar per file, and live status.
"use strict";
(function () {
  const csrf = document.body.dataset.csrf;

  function uploadFile(file, list) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "fname";
    name.textContent = file.name;
    name.title = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + file.name);
    li.append(name, bar);
    list.append(li);

    const form = new FormData();
    form.append("file", file, file.name);
    const lang = document.getElementById("lang");
    if (lang && lang.value) form.append("lang", lang.value);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/upload");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    };
    return new Promise(function (resolve) {
      xhr.onload = function () {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 200 && body.duplicates && body.duplicates.length) {
          const dup = body.duplicates[0].document;
          const note = document.createElement("span");
          note.className = "ok";
          note.append("already here as ");
          const link = document.createElement("a");
          link.href = "/documents/" + encodeURIComponent(dup.id);
          link.textContent = dup.title;
          note.append(link);
          li.replaceChild(note, bar);
          resolve(false);
          return;
        }
        if (xhr.status === 202) {
          bar.value = 100;
          const ok = document.createElement("span");
          ok.className = "ok";
          ok.textContent = "uploaded";
          li.replaceChild(ok, bar);
          resolve(true);
          return;
        }
        const err = document.createElement("span");
        err.className = "err";
        err.setAttribute("role", "alert");
        err.textContent = (body.detail || body.title || "upload failed (" + xhr.status + ")");
        bar.remove();
        li.append(err);
        resolve(false);
      };
      xhr.onerror = function () {
        const err = document.createElement("span");
        err.className = "err";
        err.textContent = "network error; try again";
        bar.remove();
        li.append(err);
        resolve(false);
      };
      xhr.send(form);
    });
  }

  function uploadAll(files) {
    const list = document.getElementById("progress");
    Promise.all(Array.from(files).map(function (f) { return uploadFile(f, list); })).then(function (oks) {
      if (oks.some(Boolean)) setTimeout(function () { location.reload(); }, oks.every(Boolean) ? 300 : 2500);
    });
  }

  // The language chosen for uploads is remembered in this browser.
  const lang = document.getElementById("lang");
  if (lang) {
    try {
      const saved = localStorage.getItem("docpipe.lang");
      if (saved !== null && Array.from(lang.options).some(function (o) { return o.value === saved; })) lang.value = saved;
      lang.addEventListener("change", function () { localStorage.setItem("docpipe.lang", lang.value); });
    } catch (e) { /* storage disabled: the choice lasts for the page */ }
  }

  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  if (drop && input) {
    input.addEventListener("change", function () { if (input.files.length) uploadAll(input.files); });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) { if (e.dataTransfer.files.length) uploadAll(e.dataTransfer.files); });
  }

  // Live status: ask about the documents still queued or processing, naming the status shown;
  // the server answers when one of them changes (a long poll), so changes show at once.
  function poll() {
    const live = document.querySelectorAll("[data-live]");
    if (!live.length) return;
    const q = Array.from(live).map(function (el) {
      const badge = el.querySelector("[data-status]");
      return "id=" + encodeURIComponent(el.dataset.id) + "&known=" + encodeURIComponent(badge ? badge.textContent.trim() : "");
    }).join("&");
    let delay = 250;
    fetch("/status?wait=1&" + q, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) delay = 3000; return r.ok ? r.json() : []; })
      .then(function (states) {
        states.forEach(function (st) {
          const el = document.querySelector('[data-id="' + CSS.escape(st.id) + '"]');
          if (!el) return;
          const badge = el.querySelector("[data-status]");
          if (badge && badge.textContent !== st.status) {
            badge.textContent = st.status;
            badge.className = "status " + st.status;
          }
          const pages = el.querySelector("[data-pages]");
          if (pages) pages.textContent = st.pages;
          if (st.status !== "queued" && st.status !== "processing") {
            el.removeAttribute("data-live");
            if (el.hasAttribute("data-reload")) location.reload();
          }
        });
      })
      .catch(function () { delay = 3000; })
      .finally(function () { setTimeout(poll, delay); });
  }
  setTimeout(poll, 1000);
})();
