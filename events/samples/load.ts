/**
 * The sample events (AWS's published example shapes, filled with this project's names),
 * for tests, the drill and `autopilot route`. Each file is one complete EventBridge event.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLES_DIR = __dirname;

export const SAMPLE_NAMES: readonly string[] = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** The sample's JSON text. */
export function sampleText(name: string): string {
  return readFileSync(join(SAMPLES_DIR, `${name}.json`), 'utf8');
}

/** The sample as a fresh object (safe to mutate). */
export function loadSample(name: string): Record<string, unknown> {
  return JSON.parse(sampleText(name)) as Record<string, unknown>;
}

/** Epoch ms of the sample's envelope time: tests parse "now" = this plus a few seconds. */
export function sampleTime(name: string): number {
  return Date.parse(String(loadSample(name).time));
}
