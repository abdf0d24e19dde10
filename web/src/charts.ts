// ECharts in the browser, tree-shaken to what the campaign and account pages draw. The options are
// the brief's own (src/report/chart-options.ts): the dashboard and the brief show the same charts.
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

echarts.use([BarChart, CustomChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

const live = new Set<echarts.ECharts>();

/** Draws `option` into `el` (SVG, so its text is selectable and testable). */
export function drawChart(el: HTMLElement, option: EChartsOption): echarts.ECharts {
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption(option);
  live.add(chart);
  return chart;
}

/** Frees every chart of the previous page. */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

addEventListener('resize', () => {
  for (const c of live) c.resize();
});
