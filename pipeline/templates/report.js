// Clicking a fact (a table row) scrolls to its number in the text and
// highlights both; opening the page at #fact-<id> does the same.
(function () {
  "use strict";

  function clearFocus() {
    var old = document.querySelectorAll(".ff-focus");
    for (var i = 0; i < old.length; i++) {
      old[i].classList.remove("ff-focus");
    }
  }

  function focusFact(row) {
    var mark = document.getElementById(row.getAttribute("data-target"));
    if (!mark) {
      return false;
    }
    clearFocus();
    row.classList.add("ff-focus");
    mark.classList.add("ff-focus");
    row.scrollIntoView({block: "nearest", inline: "nearest"});
    mark.scrollIntoView({block: "center", inline: "nearest"});
    document.body.setAttribute("data-focused", row.id);
    return true;
  }

  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-target]");
    if (row && focusFact(row)) {
      event.preventDefault();
      try {
        history.replaceState(null, "", "#" + row.id);
      } catch (ignored) {
        // file: pages in some browsers refuse; the highlight is what matters
      }
    }
  });

  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var row = id ? document.getElementById(id) : null;
    if (row && row.matches("tr[data-target]")) {
      focusFact(row);
    }
  }

  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
