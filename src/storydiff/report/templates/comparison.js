(function () {
  "use strict";
  // Data comes from a JSON block and is only ever written with textContent: article text is untrusted.
  var data = JSON.parse(document.getElementById("sd-data").textContent);
  var groups = data.groups;
  var body = document.body;
  var cols = document.getElementById("cols");
  var list = document.getElementById("disc-list");
  var listBox = document.getElementById("list-box");
  var status = document.getElementById("status");
  var shown = document.getElementById("shown");
  var empty = document.getElementById("empty");
  var textFilter = document.getElementById("text-filter");
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var behavior = reduced ? "auto" : "smooth";

  function words(el, attr) {
    var v = el.getAttribute(attr);
    return v ? v.split(" ") : [];
  }
  // Span ids are generated tokens ([a-z0-9]), so they are safe inside a selector.
  function segsOf(sid) {
    return Array.prototype.slice.call(cols.querySelectorAll('[data-s~="' + sid + '"]'));
  }
  function docOf(seg) {
    var col = seg.closest(".col");
    var d = col ? data.docs[Number(col.getAttribute("data-col"))] : null;
    return d ? d.id : "";
  }
  function kindHidden(gid) {
    var k = groups[gid] && groups[gid].kind;
    return !!k && body.classList.contains("hide-" + k);
  }

  // Scroll inside one column only, so several columns can be positioned at once.
  function scrollWithin(box, el, where) {
    var top = box.scrollTop + el.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight * where;
    box.scrollTo({ top: Math.max(0, top), behavior: behavior });
  }
  function revealColumn(el) {
    var col = el.closest(".col");
    var c = col.getBoundingClientRect(), s = cols.getBoundingClientRect();
    if (c.left < s.left || c.right > s.right) {
      cols.scrollTo({ left: cols.scrollLeft + c.left - s.left - 8, behavior: behavior });
    }
  }
  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation when the same span is shown twice in a row
    el.classList.add("flash");
    window.setTimeout(function () { el.classList.remove("flash"); }, 1900);
  }

  // Show spans: in each column, scroll to the first of them and flash them all.
  function showSpans(sids) {
    var firstPerBox = new Map();
    var docs = [];
    sids.forEach(function (sid) {
      segsOf(sid).forEach(function (seg) {
        var box = seg.closest(".doc-body");
        if (!firstPerBox.has(box)) { firstPerBox.set(box, seg); docs.push(docOf(seg)); }
        flash(seg);
      });
    });
    var first = null;
    firstPerBox.forEach(function (seg, box) {
      scrollWithin(box, seg, 1 / 3);
      if (!first) { first = seg; }
    });
    if (first) {
      revealColumn(first);
      var r = cols.getBoundingClientRect();
      if (r.top > window.innerHeight || r.bottom < 0) { cols.scrollIntoView({ block: "start", behavior: behavior }); }
    }
    return docs;
  }

  function markActive(gid) {
    Array.prototype.forEach.call(cols.querySelectorAll(".seg.active"), function (s) { s.classList.remove("active"); });
    if (!gid || !groups[gid]) { return; }
    groups[gid].spans.forEach(function (sid) {
      segsOf(sid).forEach(function (s) { s.classList.add("active"); });
    });
  }

  function select(gid, scrollList) {
    Array.prototype.forEach.call(list ? list.querySelectorAll(".disc.selected") : [], function (li) {
      li.classList.remove("selected");
      li.removeAttribute("aria-current");
    });
    markActive(gid);
    var item = document.getElementById("item-" + gid);
    if (!item) { return; }
    item.classList.add("selected");
    item.setAttribute("aria-current", "true");
    if (scrollList && listBox && item.offsetParent !== null) { scrollWithin(listBox, item, 0.15); }
  }

  function say(label, docs) {
    status.textContent = docs.length ? label + " — shown in " + docs.join(", ") : label + " — no counterpart in the text";
  }

  // The reading a click on a segment means: the innermost visible discrepancy, else a match, else a passage.
  function pick(seg) {
    var d = words(seg, "data-d").filter(function (g) { return !kindHidden(g); });
    if (d.length) { return d[0]; }
    var m = body.classList.contains("no-claims") ? [] : words(seg, "data-m");
    if (m.length) { return m[0]; }
    var p = body.classList.contains("no-passages") ? [] : words(seg, "data-p");
    if (p.length) { return p[0]; }
    var e = words(seg, "data-e");
    return e.length ? e[0] : null;
  }

  cols.addEventListener("click", function (ev) {
    var seg = ev.target.closest(".seg");
    if (!seg) { return; }
    var gid = pick(seg);
    if (!gid) { return; }
    var own = words(seg, "data-s");
    var spans = groups[gid].spans;
    var others = spans.filter(function (s) { return own.indexOf(s) < 0; });
    var docs = showSpans(others.length ? others : spans);
    if (gid.charAt(0) === "d") { select(gid, true); } else { select(null, false); markActive(gid); }
    say(groups[gid].label, docs);
  });

  function activateItem(item, target) {
    var gid = item.getAttribute("data-d");
    var q = target && target.closest ? target.closest("q[data-s]") : null;
    var docs = showSpans(q ? [q.getAttribute("data-s")] : groups[gid].spans);
    select(gid, false);
    say(groups[gid].label, docs);
  }
  if (list) {
    list.addEventListener("click", function (ev) {
      var item = ev.target.closest(".disc");
      if (item) { activateItem(item, ev.target); }
    });
    list.addEventListener("keydown", function (ev) {
      var item = ev.target.closest(".disc");
      if (item && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); activateItem(item, null); }
    });
  }

  // Outside the columns and the list (shared passages, entities on a served page), an element with
  // data-show="GROUP" shows that group's spans in the versions.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-show]") : null;
    var gid = el ? el.getAttribute("data-show") : null;
    if (!gid || !groups[gid]) { return; }
    ev.preventDefault();
    var docs = showSpans(groups[gid].spans);
    select(null, false);
    markActive(gid);
    say(groups[gid].label, docs);
  });

  function refreshCount() {
    if (!list) { return; }
    var n = 0;
    Array.prototype.forEach.call(list.children, function (li) { if (li.offsetParent !== null) { n += 1; } });
    shown.textContent = String(n);
    if (list.children.length) { empty.hidden = n > 0; }
  }
  Array.prototype.forEach.call(document.querySelectorAll(".kind-filter"), function (box) {
    box.addEventListener("change", function () {
      body.classList.toggle("hide-" + box.getAttribute("data-kind"), !box.checked);
      refreshCount();
    });
  });
  if (textFilter) {
    textFilter.addEventListener("input", function () {
      var q = textFilter.value.trim().toLowerCase();
      Array.prototype.forEach.call(list.children, function (li) {
        li.classList.toggle("nomatch", q !== "" && li.textContent.toLowerCase().indexOf(q) < 0);
      });
      refreshCount();
    });
  }
  document.getElementById("show-claims").addEventListener("change", function (ev) {
    body.classList.toggle("no-claims", !ev.target.checked);
  });
  document.getElementById("show-passages").addEventListener("change", function (ev) {
    body.classList.toggle("no-passages", !ev.target.checked);
  });
})();
