/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core (no
 * download: CI installs the `chromium` package, see .ci/run), axe-core injected from
 * node_modules, every console error collected, screenshots at desktop and phone sizes.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where screenshots go (gitignored); CI keeps the folder as its artifacts. */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Offline: without these, Chromium tries to reach Google's hosts. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium; ` +
        '.ci/run does) or set CHROMIUM_PATH. The console tests need a real browser.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** Console errors and uncaught exceptions of pages served from `origin`. */
export function collectErrors(page: Page, origin: string): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && page.url().startsWith(origin)) {
      errors.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return errors;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

const AXE_SOURCE = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP refuses inline script tags.
  await page.evaluate(AXE_SOURCE());
  const violations = (await page.evaluate(
    // @ts-expect-error axe is the global the script above defines
    async () => (await axe.run(document)).violations,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

/**
 * How far the page, or any table in it, scrolls sideways at phone size (0: nothing does): the
 * document's scroll width past the viewport's, or a table box's past its own width (a wide table
 * in an `overflow-x: auto` box leaves the page narrow but still scrolls), once layout and what
 * reacts to the resize (the usage charts) settled.
 */
export async function phoneOverflow(page: Page): Promise<number> {
  await page.setViewportSize(PHONE);
  // Two frames: resize observers run after the first layout at the new size.
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  const overflow = await page.evaluate(() =>
    Math.max(
      ...[document.documentElement, ...Array.from(document.querySelectorAll('.data-table'))].map(
        (box) => box.scrollWidth - box.clientWidth,
      ),
    ),
  );
  await page.setViewportSize(DESKTOP);
  return overflow;
}

/** Screenshots of the page at desktop and phone sizes, named `<name>-desktop.png` and `-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
}
