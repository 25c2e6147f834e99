// Optional: name the constituency under the pointer, the finger or the keyboard focus in a
// line below the map, and lift the focused cell above its neighbours so its outline shows.
// The map and its links work without this; each cell's <title> names it too.
(function () {
  document.querySelectorAll(".cmap").forEach(function (figure) {
    var svg = figure.querySelector(".cmap-map");
    var info = figure.querySelector(".cmap-info");
    if (!svg || !info) return;
    info.hidden = false;
    info.textContent = "Point at, tap or tab to a constituency to see its signatures.";
    function show(event) {
      var cell = event.target.closest(".cmap-map a") || event.target.closest(".cmap-map path");
      var title = cell && cell.querySelector("title");
      if (title) info.textContent = title.textContent;
    }
    // Listened for on the figure, not the <svg>: a listener there makes the map a tab stop.
    figure.addEventListener("mouseover", show);
    figure.addEventListener("touchstart", show, { passive: true });
    figure.addEventListener("focusin", function (event) {
      show(event);
      var link = event.target.closest(".cmap-map a");
      var border = svg.querySelector(".cmap-border");  // (keyboard focus only: a click goes on)
      if (link && link.matches(":focus-visible") && link.nextElementSibling !== border) {
        svg.insertBefore(link, border);  // last but the borders: drawn on top
        link.focus();
      }
    });
  });
})();
