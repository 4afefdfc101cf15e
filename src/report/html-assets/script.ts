/**
 * Optional enhancement, inlined into the page: quick tooltips (the SVG <title> of the shape
 * under the pointer, shown at once instead of after the browser's delay) and a crosshair with
 * the history time under the pointer. Without JavaScript the native <title> tooltips remain.
 */
export const SCRIPT = `
(function () {
  var tip = document.getElementById("tip");
  var svg = document.getElementById("timeline");
  if (!tip || !svg) return;
  function titled(el) {
    for (; el && el !== svg && el.nodeType === 1; el = el.parentNode) {
      if (el.hasAttribute("data-tip")) return el;
      for (var c = el.firstElementChild; c; c = c.nextElementSibling) {
        if (c.tagName.toLowerCase() === "title") {
          el.setAttribute("data-tip", c.textContent);
          el.removeChild(c); // the custom tooltip replaces the native one
          return el;
        }
      }
    }
    return null;
  }
  var cross = document.getElementById("crosshair");
  var t0 = +svg.getAttribute("data-t0"), t1 = +svg.getAttribute("data-t1");
  var x0 = +svg.getAttribute("data-x0"), x1 = +svg.getAttribute("data-x1");
  svg.addEventListener("mousemove", function (ev) {
    var el = titled(ev.target);
    if (el) {
      tip.textContent = el.getAttribute("data-tip");
      tip.style.display = "block";
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var left = ev.clientX + 14, top = ev.clientY + 16;
      if (left + w > window.innerWidth - 8) left = Math.max(8, ev.clientX - w - 14);
      if (top + h > window.innerHeight - 8) top = Math.max(8, ev.clientY - h - 12);
      tip.style.left = left + "px";
      tip.style.top = top + "px";
    } else tip.style.display = "none";
    var m = svg.getScreenCTM();
    if (!m || !cross) return;
    var p = svg.createSVGPoint();
    p.x = ev.clientX; p.y = ev.clientY;
    var q = p.matrixTransform(m.inverse());
    if (q.x < x0 || q.x > x1) { cross.setAttribute("visibility", "hidden"); return; }
    var t = t0 + (q.x - x0) / (x1 - x0) * (t1 - t0);
    cross.setAttribute("transform", "translate(" + q.x.toFixed(1) + " 0)");
    cross.querySelector("text").textContent = "+" + (t / 1000).toFixed(1) + "s";
    cross.setAttribute("visibility", "visible");
  });
  svg.addEventListener("mouseleave", function () {
    tip.style.display = "none";
    if (cross) cross.setAttribute("visibility", "hidden");
  });
})();
`;
