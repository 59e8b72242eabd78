// Roster filter, and details opened for printing.
// Without JavaScript the filter form stays hidden and every row is shown; the stylesheet opens
// every <details> in print where the browser allows it, and this script does it everywhere else.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  var form = document.getElementById("roster-filter");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.roster tbody tr"));
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-tier-block]"));
  var count = document.getElementById("filter-count");
  function apply() {
    var name = form.elements.name.value.trim();
    var tier = form.elements.tier.value;
    var status = form.elements.status.value;
    var grade = form.elements.grade.value;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!name || row.getAttribute("data-name").indexOf(name) !== -1) &&
        (!tier || row.getAttribute("data-tier") === tier) &&
        (!status || row.getAttribute("data-status") === status) &&
        (!grade || row.getAttribute("data-grade") === grade);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    blocks.forEach(function (block) {
      var all = block.querySelectorAll("tbody tr").length;
      var visible = block.querySelectorAll("tbody tr:not([hidden])").length;
      var filtering = visible !== all;
      block.querySelector(".tier-count").textContent = filtering ?
        "（符合条件 " + visible + " 个，共 " + all + " 个）" : "（" + all + " 个）";
      block.querySelector(".no-match").hidden = visible !== 0;
      block.querySelector(".table-wrap").hidden = visible === 0;
    });
    count.textContent = shown ? "显示 " + shown + " / " + rows.length + " 个机构" : "没有符合条件的机构（共 " + rows.length + " 个）";
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  apply();
}());
