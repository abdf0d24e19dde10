// Screenshots of a PDF's pages, drawn by pdf.js (unpdf's build) on a canvas in Debian's Chromium:
// what a reader of the printed brief sees. Every request is answered here; nothing leaves the process.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../src/report/pdf.js';

const HOST = 'http://brief.invalid';

export async function pdfPageShots(pdf: Uint8Array, dir: string, name: string, o: { width?: number; maxPages?: number } = {}): Promise<string[]> {
  // unpdf's pdf.js build (its package exports it for import only, so by path).
  const lib = await readFile(fileURLToPath(new URL('../../node_modules/unpdf/dist/pdfjs.mjs', import.meta.url)));
  const width = o.width ?? 620;
  mkdirSync(dir, { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height: Math.round(width * 1.42) } });
    await page.route(`${HOST}/**`, (r) => {
      const u = r.request().url();
      if (u.endsWith('/pdfjs.mjs')) return r.fulfill({ body: lib, contentType: 'text/javascript' });
      if (u.endsWith('/doc.pdf')) return r.fulfill({ body: Buffer.from(pdf), contentType: 'application/pdf' });
      return r.fulfill({ body: '<!doctype html><body style="margin:0"><canvas id="c"></canvas></body>', contentType: 'text/html' });
    });
    await page.goto(`${HOST}/`);
    // Page scripts as text: the test runner would rewrite a dynamic import() in a function it is given.
    const pages = Number(
      await page.evaluate(`(async () => {
        const pdfjs = await import('${HOST}/pdfjs.mjs');
        const data = new Uint8Array(await (await fetch('${HOST}/doc.pdf')).arrayBuffer());
        globalThis.doc = await pdfjs.getDocument({ data, isEvalSupported: false }).promise;
        return globalThis.doc.numPages;
      })()`),
    );
    const out: string[] = [];
    for (let i = 1; i <= Math.min(pages, o.maxPages ?? pages); i++) {
      await page.evaluate(`(async () => {
        const p = await globalThis.doc.getPage(${i});
        const vp = p.getViewport({ scale: ${width} / p.getViewport({ scale: 1 }).width });
        const c = document.getElementById('c');
        c.width = vp.width;
        c.height = vp.height;
        await p.render({ canvasContext: c.getContext('2d'), viewport: vp }).promise;
      })()`);
      const path = join(dir, `${name}-page-${i}.png`);
      await page.locator('#c').screenshot({ path });
      out.push(path);
    }
    return out;
  } finally {
    await browser.close();
  }
}
