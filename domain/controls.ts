/**
 * The controls item (state table, pk = sk = "controls") read so that it fails closed.
 *
 * Every attribute the item may hold is declared once, in CONTROL_ATTRIBUTES. A switch that
 * is declared but holds the wrong type ({"S":"true"}, {"N":"1"}), a declared name written in
 * another case ("KillSwitch", "dryrun"), or an attribute nobody declared that looks like a
 * switch reads as ON: the autopilot stops mutating and a human is paged (P1, once per
 * distinct anomaly). An item nobody wrote yet is the only way to read OFF.
 *
 * Extension point (per-runbook modes, issue 16): declare each new attribute in
 * CONTROL_ATTRIBUTES with its kind and `failsClosedTo` - until it is declared it is an
 * unknown switch-like attribute, and reads as the kill switch ON.
 *
 * Pure: the item comes in as DynamoDB's attribute-value shape (plain data, no SDK import).
 */
import { RUNBOOKS, type RunbookId } from './config';
import { modeAttribute } from './modes';
import type { Controls } from './guardrails';
import type { Page } from './paging';

/** DynamoDB's AttributeValue as plain data: exactly one member is set. */
export type ControlsAttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean } & Record<string, unknown>;
export type ControlsItemData = Record<string, ControlsAttributeValue>;

type SwitchName = 'killSwitch' | 'dryRun';

export interface ControlAttribute {
  /** 'switch': BOOL only. 'text': S only (who/why). 'number': N only. 'key': the table key. */
  kind: 'switch' | 'text' | 'number' | 'key';
  /** Which switch reads ON when this attribute is unreadable (default: both). */
  failsClosedTo?: SwitchName[];
}

/** The one table of what the controls item may hold. Add a switch here, nowhere else. */
export const CONTROL_ATTRIBUTES: Readonly<Record<string, ControlAttribute>> = {
  pk: { kind: 'key' },
  sk: { kind: 'key' },
  killSwitch: { kind: 'switch', failsClosedTo: ['killSwitch'] },
  dryRun: { kind: 'switch', failsClosedTo: ['dryRun', 'killSwitch'] },
  setBy: { kind: 'text' },
  reason: { kind: 'text' },
  updatedAt: { kind: 'number' },
  // Per-runbook mode overrides (issue 16, domain/modes.ts): who/why/when beside each. They force
  // no global switch: an unreadable mode reads as shadow for that runbook alone (adapters/dynamo/mode-reader.ts).
  ...Object.fromEntries(
    RUNBOOKS.flatMap((rb): [string, ControlAttribute][] => [
      [modeAttribute(rb), { kind: 'text', failsClosedTo: [] }],
      [`${modeAttribute(rb)}.setBy`, { kind: 'text', failsClosedTo: [] }],
      [`${modeAttribute(rb)}.reason`, { kind: 'text', failsClosedTo: [] }],
      [`${modeAttribute(rb)}.at`, { kind: 'number', failsClosedTo: [] }],
    ]),
  ),
};

/** Names that mean "a switch" whatever their type: an undeclared one of these fails closed. */
const SWITCH_LIKE_NAME = /kill|switch|dry|mode|pause|halt|stop|disable|enable|freeze|off|live|shadow|safe|block|mute/i;
/** Values that mean "a switch" whatever the name. */
const SWITCH_LIKE_TEXT = /^\s*(true|false|on|off|yes|no|1|0|live|shadow|enabled?|disabled?)\s*$/i;

export interface ControlsReading extends Controls {
  /** Why the item did not read cleanly; empty when it did. Each one forced a switch ON. */
  anomalies: string[];
}

function typeOf(value: ControlsAttributeValue | undefined): string {
  if (value === null || typeof value !== 'object') return typeof value;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  return keys.length === 1 ? keys[0]! : keys.length === 0 ? 'empty' : keys.join('+');
}

/** Reads the controls item; `undefined` (no item) is the only clean OFF. */
export function readControlsItem(item: ControlsItemData | undefined): ControlsReading {
  const reading: ControlsReading = { killSwitch: false, dryRun: false, anomalies: [] };
  if (!item) return reading;
  const forceOn = (switches: SwitchName[], anomaly: string) => {
    for (const s of switches) reading[s] = true;
    reading.anomalies.push(anomaly);
  };
  const declared = Object.keys(CONTROL_ATTRIBUTES);
  for (const [name, value] of Object.entries(item)) {
    const decl = Object.prototype.hasOwnProperty.call(CONTROL_ATTRIBUTES, name) ? CONTROL_ATTRIBUTES[name] : undefined;
    const type = typeOf(value);
    if (decl) {
      const onFail = decl.failsClosedTo ?? ['killSwitch', 'dryRun'];
      if (decl.kind === 'switch') {
        if (type === 'BOOL' && typeof value.BOOL === 'boolean') {
          if (value.BOOL) reading[name as SwitchName] = true;
        } else forceOn(onFail, `${name} holds ${type}, not BOOL`);
      } else if (decl.kind === 'text') {
        if (type === 'S' && typeof value.S === 'string') (reading as unknown as Record<string, string>)[name] = value.S;
        else forceOn(onFail, `${name} holds ${type}, not S`);
      } else if (decl.kind === 'number') {
        if (!(type === 'N' && Number.isFinite(Number(value.N)))) forceOn(onFail, `${name} holds ${type}, not N`);
      }
      continue;
    }
    const caseTwin = declared.find((d) => d.toLowerCase() === name.toLowerCase());
    if (caseTwin) {
      forceOn(CONTROL_ATTRIBUTES[caseTwin]!.failsClosedTo ?? ['killSwitch', 'dryRun'], `${name} is not a known attribute (did you mean ${caseTwin}?)`);
      continue;
    }
    const text = type === 'S' && typeof value.S === 'string' ? value.S : undefined;
    const switchLike = text === undefined || SWITCH_LIKE_NAME.test(name) || SWITCH_LIKE_TEXT.test(text);
    if (switchLike) forceOn(['killSwitch', 'dryRun'], `${name} (${type}) is an unknown switch-like attribute`);
  }
  return reading;
}

/** A stable key per distinct set of anomalies: the P1 about them is claimed (and deduplicated) once. */
export function controlsAnomalyKey(anomalies: readonly string[]): string {
  const text = [...anomalies].sort().join('|');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `controls-unreadable-${h.toString(16).padStart(8, '0')}`;
}

export interface ControlsAnomalyEvent {
  anomalies: string[];
  /** The incident whose action was refused because of it. */
  incidentKey: string;
  summary: string;
  at: number;
}

/** The P1 when the controls item is unreadable: everything stopped until a human fixes it. */
export function controlsAnomalyPage(event: ControlsAnomalyEvent, runbook: RunbookId, showCommand: string): Page {
  return {
    incidentKey: controlsAnomalyKey(event.anomalies),
    action: 'trigger',
    severity: 'P1',
    runbook,
    title: 'Autopilot controls item unreadable: kill switch reads as ON, no automatic action',
    resource: 'runbook-autopilot controls',
    at: event.at,
    diagnosis: event.anomalies.map((a) => `controls item: ${a}`),
    done: ['nothing was changed'],
    refused: [{ action: event.summary, guardrail: 'KillSwitch', reason: `ControlsUnreadable (incident ${event.incidentKey})` }],
    nextStep: `Inspect and rewrite the controls item with the CLI (it writes only declared attributes, as BOOL): ${showCommand}`,
  };
}
