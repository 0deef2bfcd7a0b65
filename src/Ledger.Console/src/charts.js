// Charts by Apache ECharts (only the parts used, so the bundle stays small), drawn on canvas.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { ref } from 'lit-html/directives/ref.js';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

const live = new Set();
window.addEventListener('resize', () => live.forEach((c) => c.resize()));

/** A directive for a chart container: draws the option once the element is in the page, disposes it when replaced. */
export const chart = (option) => ref((element) => {
  if (!element) return;
  const existing = echarts.getInstanceByDom(element);
  if (existing) { live.delete(existing); existing.dispose(); }
  const instance = echarts.init(element, null, { renderer: 'canvas' });
  instance.setOption({ aria: { enabled: true }, animation: false, tooltip: { trigger: 'axis' }, ...option });
  live.add(instance);
});

export function bars(categories, series, { horizontal = false, format } = {}) {
  const valueAxis = { type: 'value', axisLabel: format ? { formatter: format } : {} };
  const categoryAxis = { type: 'category', data: categories };
  return {
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data })),
  };
}

export function lines(categories, series, { step = false, format } = {}) {
  return {
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', axisLabel: format ? { formatter: format } : {} },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.data, step: step ? 'end' : false, connectNulls: true })),
  };
}

export function pie(items) {
  return {
    tooltip: { trigger: 'item' },
    legend: { type: 'scroll', bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], data: items }],
  };
}
