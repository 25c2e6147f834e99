// Optional: name the constituency under the pointer or the keyboard focus in a line below
// the map (the map and its links work without this; each cell's <title> names it too).
(function () {
  document.querySelectorAll(".cmap").forEach(function (figure) {
    var svg = figure.querySelector(".cmap-map");
    var info = figure.querySelector(".cmap-info");
    if (!svg || !info) return;
    info.hidden = false;
    info.textContent = "Point at or tab to a constituency to see its signatures.";
    function show(event) {
      var link = event.target.closest("a");
      var title = link && link.querySelector("title");
      if (title) info.textContent = title.textContent;
    }
    svg.addEventListener("mouseover", show);
    svg.addEventListener("focusin", show);
  });
})();
