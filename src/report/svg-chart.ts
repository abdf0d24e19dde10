// Server-side rendering of an ECharts option to an SVG string: the brief's charts need no script and
// no network, so they work in a mailed HTML file and in the PDF alike.
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';

export function renderSvgChart(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
