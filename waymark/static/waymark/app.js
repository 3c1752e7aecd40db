/* Waymark: no silent failure. An htmx request that fails (a 4xx/5xx answer that is not a form's
 * 422, or no answer at all) shows why, in place, in a live region the screen reader announces.
 * The server's error partial marks its message with [data-error]; only its text is used (never
 * its HTML). The fallback messages are translated by the page (base.html's data-* attributes).
 * An external file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function messageFrom(xhr) {
    var body = document.body;
    var fallback = body.getAttribute("data-htmx-error") || "The change was not saved.";
    if (!xhr) {
      return body.getAttribute("data-htmx-offline") || fallback;
    }
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var marked = doc.querySelector("[data-error]");
      if (marked && marked.textContent.trim()) {
        return marked.textContent.trim();
      }
    }
    return fallback + " (" + xhr.status + ")";
  }

  function boxFor(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    if (!form) {
      return document.getElementById("htmx-error");
    }
    var box = form.querySelector(".htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "error-summary htmx-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    return box;
  }

  function show(evt, xhr) {
    var box = boxFor(evt.detail && evt.detail.elt);
    if (!box) {
      return;
    }
    var p = document.createElement("p");
    p.textContent = messageFrom(xhr);
    box.replaceChildren(p);
    box.hidden = false;
    // The button pressed may be far below the message: bring the message into view.
    if (box.scrollIntoView) {
      box.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("htmx:responseError", function (evt) {
    show(evt, evt.detail.xhr);
  });
  document.addEventListener("htmx:sendError", function (evt) {
    show(evt, null);
  });
  // A later success clears the message of the form it came from.
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail && evt.detail.successful) {
      var form = evt.detail.elt && evt.detail.elt.closest ? evt.detail.elt.closest("form") : null;
      var box = form ? form.querySelector(".htmx-error") : null;
      if (box) {
        box.remove();
      }
    }
  });
})();
