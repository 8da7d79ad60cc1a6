import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from './paths.js';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

/** The budget issue 16 sets for the console's initial JavaScript, gzipped. */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

/**
 * What a first visit downloads before the console runs: the entry chunk and every chunk it
 * imports statically (screens, imported dynamically, come later), raw and gzipped (level 9).
 */
export function initialJavaScript(dist = CONSOLE_DIST) {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entries = Object.keys(manifest).filter((key) => manifest[key]!.isEntry);
  const initial = new Set<string>();
  const visit = (key: string) => {
    if (initial.has(key)) return;
    initial.add(key);
    for (const imported of manifest[key]!.imports ?? []) visit(imported);
  };
  entries.forEach(visit);
  const files = [...initial].map((key) => {
    const body = readFileSync(join(dist, manifest[key]!.file));
    return {
      file: manifest[key]!.file,
      bytes: body.length,
      gzipBytes: gzipSync(body, { level: 9 }).length,
    };
  });
  const lazy = Object.entries(manifest).filter(
    ([key, chunk]) => !initial.has(key) && chunk.file.endsWith('.js'),
  );
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
    lazyChunks: lazy.length,
  };
}

export function printConsoleSize(dist = CONSOLE_DIST): void {
  const size = initialJavaScript(dist);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const f of size.files)
    console.log(`  ${f.file}: ${kb(f.bytes)} (${kb(f.gzipBytes)} gzipped)`);
  console.log(
    `Initial JavaScript: ${kb(size.bytes)}, ${kb(size.gzipBytes)} gzipped ` +
      `(budget ${kb(INITIAL_JS_BUDGET_BYTES)}); ${size.lazyChunks} chunks load later.`,
  );
  console.log('Reproduce: npm run console:build');
}
