// Launches Debian's Chromium through playwright-core (never a downloaded browser). Shared by the browser
// tests and the bench; plain ESM so both Node and Jest load it.
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.LGTMAPM_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissingReason() {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} not found (Debian: apt-get install chromium)`;
}

/** playwright's launch() gives every run a fresh temporary user-data dir. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
