// Runs once before the whole test run: builds the inspector's page (`packages/inspector/dist/app`),
// which the inspector serves and the browser tests load. esbuild takes about a second.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('./packages/inspector/scripts/build-app.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
