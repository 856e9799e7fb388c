// The supervisor's dashboard: draws the charts of #dashboard-data with ECharts (web/static/vendor/echarts);
// clicking a bar opens the list it counts. The tables under each chart carry the same numbers as text.
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var font = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function bars(id, chart, options) {
    var el = document.getElementById(id);
    if (!el || !chart.categories.length) {
      if (el) { el.classList.add("jb-chart-empty"); }
      return;
    }
    var instance = echarts.init(el, null, { renderer: "canvas" });
    instance.setOption({
      textStyle: { fontFamily: font },
      animation: false,
      // richText: the tooltip drawn on the canvas (its HTML mode writes style="…" attributes, which our CSP refuses)
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: options.horizontal ? { type: "value", name: options.unit || "" } : { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 6 ? 30 : 0 } },
      yAxis: options.horizontal ? { type: "category", data: chart.categories } : { type: "value", name: options.unit || "", minInterval: 1 },
      series: chart.series.map(function (s) {
        return { name: s.name, type: "bar", stack: options.stack ? "all" : undefined, data: s.data, emphasis: { focus: "series" } };
      })
    });
    instance.on("click", function (params) {
      if (params.data && params.data.url) { window.location.assign(params.data.url); }
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { instance.resize(); });
  }

  bars("chart-stages", data.stages, { stack: true, horizontal: true });
  bars("chart-statuses", data.statuses, { stack: true });
  bars("chart-money", data.money, { unit: data.money.unit });
  document.body.dataset.dashboardReady = "1";
})();
