// Headless Chromium for the page tests (Debian's `chromium`, driven by playwright-core): one profile per test file
// in a temporary folder, screenshots in test-out/screenshots/ for a person to look at, and no name resolving except
// loopback, so nothing a page asks for can leave the machine.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-out', 'screenshots');
export const chromiumAvailable = existsSync(CHROMIUM);
/** The `skip` option of a test that needs the browser. */
export const needsChromium: string | false = chromiumAvailable ? false : `chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
  '--disable-component-update', '--disable-sync', '--disable-quic',
  // Belt and braces: no name resolves except loopback, so nothing the page asks for can leave the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export interface TestBrowser {
  context: BrowserContext;
  /** The file's temporary folder (the profile is in it). */
  tmp: string;
  /** Closes the browser, then `server` if given, and removes the temporary folder. */
  close(server?: http.Server): Promise<void>;
}

export async function launchBrowser(prefix: string): Promise<TestBrowser> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
  return {
    context, tmp,
    close: async (server) => {
      await context.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
