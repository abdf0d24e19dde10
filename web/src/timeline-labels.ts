// Rows for a timeline's point labels so that none overlaps another or runs off the chart: each label
// goes to the first row where it clears the previous label by a gap, anchored left, centred or right
// so that it stays inside the plot. Widths are estimated from the text (10 px labels); the dashboard
// test measures the drawn boxes in Chromium.

export interface Placed {
  row: number;
  align: 'left' | 'center' | 'right';
}

const CHAR_PX = 6.2;
const GAP_PX = 8;

export function milestoneRows(items: readonly { t: number; label: string }[], o: { min: number; max: number; width: number }): Placed[] {
  const span = Math.max(1, o.max - o.min);
  const rowsEnd: number[] = [];
  return items.map(({ t, label }) => {
    const w = label.length * CHAR_PX + 4;
    const x = ((t - o.min) / span) * o.width;
    let align: Placed['align'] = 'center';
    let left = x - w / 2;
    if (left < 0) {
      align = 'left';
      left = x;
    } else if (x + w / 2 > o.width) {
      align = 'right';
      left = x - w;
    }
    let row = rowsEnd.findIndex((end) => left >= end + GAP_PX);
    if (row < 0) row = rowsEnd.push(0) - 1;
    rowsEnd[row] = left + w;
    return { row, align };
  });
}
