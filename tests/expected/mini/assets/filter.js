// Roster filter. Without JavaScript the form stays hidden and every row is shown.
(function () {
  "use strict";
  var form = document.getElementById("roster-filter");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.roster tbody tr"));
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
    count.textContent = "显示 " + shown + " / " + rows.length + " 个机构";
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  apply();
}());
