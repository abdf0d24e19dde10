// HTML → PDF with headless Chromium (Debian's /usr/bin/chromium through playwright-core; never a
// downloaded browser). The page gets no network at all: every request is aborted, so a brief that
// tried to load anything would render without it rather than phone out.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { InputError } from '../core/errors.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary: DISTILLGUARD_CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  return process.env.DISTILLGUARD_CHROMIUM || '/usr/bin/chromium';
}

export async function launchChromium(): Promise<Browser> {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new InputError(`no Chromium at ${path}: install Debian's chromium (apt-get install chromium) or set DISTILLGUARD_CHROMIUM`);
  }
  return chromium.launch({ executablePath: path, args: CHROMIUM_ARGS });
}

export async function htmlToPdf(html: string, browser?: Browser): Promise<Buffer> {
  const own = browser ?? (await launchChromium());
  try {
    const context = await own.newContext({ offline: true });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    await context.close();
    return pdf;
  } finally {
    if (!browser) await own.close();
  }
}
