/* Draws every <canvas data-chart="ID"> from the JSON block #ID with the vendored Chart.js.
   No inline script: the figures come from <script type="application/json"> blocks.
   A click on a bar, point or slice opens the list behind it (the block's "links"). */
(function () {
  'use strict';
  var PALETTE = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1', '#dc3545', '#198754', '#0dcaf0', '#ffc107', '#6c757d'];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute('data-chart'));
    if (!source || typeof window.Chart === 'undefined') { return; }
    var spec = JSON.parse(source.textContent);
    var pie = spec.kind === 'doughnut';
    var datasets = spec.series.map(function (s, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: s.label,
        data: s.values,
        backgroundColor: pie ? spec.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; }) : colour,
        borderColor: pie ? '#fff' : colour,
        fill: false,
        tension: 0
      };
    });
    var scales = pie ? {} : {
      x: { stacked: spec.stacked, beginAtZero: true, ticks: { autoSkip: true, maxRotation: 45, precision: 0 } },
      y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
    };
    var chart = new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        scales: scales,
        plugins: { legend: { display: pie || spec.series.length > 1, position: 'bottom' } },
        onHover: function (event, elements) {
          canvas.style.cursor = elements.length && spec.links[elements[0].index] ? 'pointer' : 'default';
        },
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var link = spec.links[elements[0].index];
          if (link) { window.location.href = link; }
        }
      }
    });
    canvas.chart = chart;
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll('canvas[data-chart]'), draw);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', drawAll);
  } else {
    drawAll();
  }
})();
