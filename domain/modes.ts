/**
 * Per-runbook modes (issue 16): how far a runbook may go, so an adopter can watch it decide
 * before trusting it to act, and turn runbooks live one by one.
 *
 *   off     the runbook does nothing: its events are ignored (logged), no page, no mutation;
 *   shadow  it diagnoses, decides, records and pages what it *would* do; it never mutates
 *           (every mutation answers as in dry-run) and every page says "would";
 *   live    it acts behind its guardrails.
 *
 * The default per runbook is `modes` in the stage config; an operator overrides one in the
 * state table's controls item (attribute `mode#<runbook>`), without a deploy. An override
 * that is not one of the three values reads as **shadow** (fail closed: no mutation, but
 * the decisions and pages still reach a human) and the reading says so. Pure: the adapter
 * (adapters/dynamo/mode-reader.ts) reads the raw attributes.
 */
import type { RunbookId } from './config';
import type { Page } from './paging';
import type { Verdict } from './guardrails';

export type RunbookMode = 'off' | 'shadow' | 'live';
export const RUNBOOK_MODES: readonly RunbookMode[] = ['off', 'shadow', 'live'];
/** An unreadable override reads as this (fail closed). */
export const UNREADABLE_MODE: RunbookMode = 'shadow';
/** Incident keys of the scheduled readiness check's pages (domain/preflight.ts notReadyPage). */
export const READINESS_KEY_PREFIX = 'preflight-';

export function isRunbookMode(value: unknown): value is RunbookMode {
  return typeof value === 'string' && (RUNBOOK_MODES as readonly string[]).includes(value);
}

/** The controls item attribute holding a runbook's override. */
export function modeAttribute(runbook: RunbookId): string {
  return `mode#${runbook}`;
}

export interface ModeReading {
  runbook: RunbookId;
  mode: RunbookMode;
  source: 'config' | 'state table' | 'unreadable override';
  /** Why, when it is not simply the configured default. */
  note?: string;
}

/**
 * The effective mode: the state-table override when present and valid, the config default
 * otherwise. `override` is the raw attribute (undefined when absent). `unreadable` is set
 * when the controls item itself could not be read: that too fails closed to shadow.
 */
export function effectiveMode(runbook: RunbookId, configDefault: RunbookMode, override: unknown, unreadable?: string): ModeReading {
  if (unreadable !== undefined) {
    return { runbook, mode: UNREADABLE_MODE, source: 'unreadable override', note: `the controls item could not be read (${unreadable.slice(0, 200)}): ${runbook} runs as ${UNREADABLE_MODE} (fail closed: decide and page, never mutate)` };
  }
  if (override === undefined) return { runbook, mode: configDefault, source: 'config' };
  if (isRunbookMode(override)) return { runbook, mode: override, source: 'state table' };
  const shown = JSON.stringify(override).slice(0, 60);
  return {
    runbook,
    mode: UNREADABLE_MODE,
    source: 'unreadable override',
    note: `state-table mode override ${shown} for ${runbook} is not one of ${RUNBOOK_MODES.join(' | ')}: read as ${UNREADABLE_MODE} (fail closed: decide and page, never mutate)`,
  };
}

/** The Actuator's verdict for a proposed mutation: live passes, shadow passes as a dry run, off refuses. */
export function modeVerdict(reading: ModeReading): Verdict & { dryRun: boolean } {
  const why = reading.note ?? `${reading.runbook} is ${reading.mode} (${reading.source})`;
  if (reading.mode === 'live') return { guardrail: 'RunbookMode', pass: true, dryRun: false, reason: why };
  if (reading.mode === 'shadow') return { guardrail: 'RunbookMode', pass: true, dryRun: true, reason: `${why}: would act, nothing is changed` };
  return { guardrail: 'RunbookMode', pass: false, dryRun: false, reason: `${why}: the runbook takes no action` };
}

/** Why a page is worded "would": the runbook is in shadow, or dry-run is on (config or state table). */
export type WouldReason = 'shadow' | 'dry-run';

const WOULD = /\bwould\b/i;
const NOTHING_DONE = /^(nothing|no )/i;

/**
 * A page from a runbook that changed nothing: the title says "would", and nothing is listed
 * as done. What the runbook would have done moves to the diagnosis as "would have: ...".
 * Applied by the runtime's pager to every page in shadow or dry-run, so no runbook's page can
 * claim an action that did not happen.
 */
export function wouldPage(page: Page, reason: WouldReason): Page {
  const label = reason === 'shadow' ? 'SHADOW' : 'DRY-RUN';
  const wouldHave = page.done.flatMap((line) => {
    const would = /would have:?\s*(.+)$/i.exec(line);
    if (would) return [`would have: ${would[1]}`];
    return NOTHING_DONE.test(line) ? [] : [`would have: ${line.replace(/^(DRY-RUN|SHADOW):\s*/i, '')}`];
  });
  return {
    ...page,
    title: WOULD.test(page.title) && page.title.startsWith(`[${label}]`) ? page.title : `[${label}] ${WOULD.test(page.title) ? '' : 'would: '}${page.title}`,
    diagnosis: [...page.diagnosis, ...wouldHave],
    done: [`nothing: ${reason === 'shadow' ? `${page.runbook} is in shadow mode` : 'dry-run is on'}, no AWS resource was changed`],
  };
}

/** True when a page lists no action as done and says "would" (the shadow/dry-run contract; tests and the drill check it). */
export function isWorded(page: Pick<Page, 'title' | 'done'>): boolean {
  return WOULD.test(page.title) && page.done.every((line) => NOTHING_DONE.test(line));
}

/** Every page carries the runbook's mode; a page from a runbook that mutated nothing (shadow, dry-run) is worded "would". */
export function stampPage(page: Page, mode: RunbookMode, dryRun: boolean): Page {
  const stamped: Page = { ...page, mode };
  // A readiness page (domain/preflight.ts) reports facts, not an action: nothing to word "would".
  if (page.incidentKey.startsWith(READINESS_KEY_PREFIX)) return stamped;
  if (mode === 'shadow') return wouldPage(stamped, 'shadow');
  if (dryRun) return wouldPage(stamped, 'dry-run');
  return stamped;
}
