/**
 * No inert deploy. domain/config.ts's defaults are the runbook's example estate (account
 * 123456789012, every resource named regami-*): the drill's simulated world. A stack deployed
 * with them into another account would match no event and act on nothing, silently. So a
 * stage may only be packaged or deployed when every environment-specific field either holds
 * the adopter's own value or is set explicitly in config/<stage>.json (the shipped dev and
 * prod stages set the example estate on purpose: they are the drill's account). A stage with
 * no file therefore fails, naming every field. Placeholders (REPLACE...) fail even when set.
 *
 * At deploy time the plugin also compares the configured accounts with the account the
 * credentials deploy into (STS GetCallerIdentity): accountMismatches below.
 *
 * Pure over a parsed file and a merged config; the file read is in assertDeployable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { CONFIG_DIR, loadConfig } from './load';

export const EXAMPLE_ACCOUNT = '123456789012';
/** Values that belong to the runbook's example estate, not to anyone's account. */
const EXAMPLE_MARKS: readonly RegExp[] = [
  new RegExp(EXAMPLE_ACCOUNT),
  /regami/i,
  // The example's made-up identifiers (ALB suffix, hosted zone, security group) that carry no name.
  /50dc6c495c0c9188/,
  /Z1234567890ABC/,
  /sg-0a1b2c3d4e5f60718/,
];
/** Values nobody may deploy, explicit or not. */
const PLACEHOLDER = /REPLACE/i;
/** Fields that come from the stack itself (CloudFormation Refs), never from the adopter. */
const FROM_THE_STACK: readonly string[] = ['paging.topics', 'stage'];

export interface InertField {
  field: string;
  value: unknown;
  why: 'example' | 'placeholder';
}

type Leaf = { path: string; value: unknown };

/** Leaves of a config object; arrays are leaves (a stage file replaces an array whole). */
export function leaves(value: unknown, path = ''): Leaf[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  return [{ path, value }];
}

const fromTheStack = (path: string): boolean => FROM_THE_STACK.some((p) => path === p || path.startsWith(`${p}.`));
const marked = (value: unknown, marks: readonly RegExp[]): boolean => marks.some((m) => m.test(typeof value === 'string' ? value : JSON.stringify(value)));

/** The environment-specific fields: every default that names the example estate (config/example.json lists each). */
export function environmentSpecificFields(defaults: AutopilotConfig = defaultConfig): string[] {
  return leaves(defaults)
    .filter((l) => !fromTheStack(l.path) && marked(l.value, EXAMPLE_MARKS))
    .map((l) => l.path);
}

/** True when the stage file (parsed JSON) sets `path` itself. */
export function setsExplicitly(stageFile: unknown, path: string): boolean {
  let node: unknown = stageFile;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/** Fields that would make the deployed stack inert: example values the file does not set, and any placeholder. */
export function inertFields(stageFile: unknown, config: AutopilotConfig): InertField[] {
  const out: InertField[] = [];
  for (const { path, value } of leaves(config)) {
    if (fromTheStack(path)) continue;
    if (marked(value, [PLACEHOLDER])) out.push({ field: path, value, why: 'placeholder' });
    else if (marked(value, EXAMPLE_MARKS) && !setsExplicitly(stageFile, path)) out.push({ field: path, value, why: 'example' });
  }
  return out;
}

export class InertConfigError extends Error {
  constructor(
    readonly stage: string,
    readonly fields: InertField[],
    source: string,
  ) {
    const lines = fields.map((f) => `  ${f.field} = ${JSON.stringify(f.value)}${f.why === 'placeholder' ? ' (placeholder)' : ' (example estate)'}`);
    super(
      `refusing to package stage "${stage}" (${source}): ${fields.length} field(s) still name the runbook's example estate or a placeholder, ` +
        `so the deployed stack would match no event and act on nothing. Set each in config/${stage}.json ` +
        `(start from config/example.json; see README "Adopt it in your account"):\n${lines.join('\n')}`,
    );
    this.name = 'InertConfigError';
  }
}

export function readStageFile(stage: string, configDir: string = CONFIG_DIR): { file: string; content: unknown } {
  const file = join(configDir, `${stage}.json`);
  // loadConfig has already rejected unreadable JSON with its own error; this re-read cannot fail differently.
  return { file, content: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined };
}

/** The stage's config, or InertConfigError naming every field that would leave the stack inert. */
export function assertDeployable(stage: string, configDir: string = CONFIG_DIR): AutopilotConfig {
  const config = loadConfig(stage, configDir);
  const { file, content } = readStageFile(stage, configDir);
  const inert = inertFields(content, config);
  if (inert.length > 0) throw new InertConfigError(stage, inert, content === undefined ? `no ${file}` : file);
  return config;
}

/** Every 12-digit account named by an ARN in the config. */
export function accountsInArns(config: AutopilotConfig): { field: string; account: string }[] {
  const out: { field: string; account: string }[] = [];
  for (const { path, value } of leaves(config)) {
    if (fromTheStack(path)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const m = typeof v === 'string' ? /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(v) : null;
      if (m) out.push({ field: path, account: m[1]! });
    }
  }
  return out;
}

/** Deploy-time check: the account being deployed into is configured, and every configured ARN is in a configured account. */
export function accountMismatches(config: AutopilotConfig, deployingAccount: string): string[] {
  const problems: string[] = [];
  if (!config.accountIds.includes(deployingAccount)) {
    problems.push(`accountIds ${JSON.stringify(config.accountIds)} does not include the account these credentials deploy into (${deployingAccount}): the rules would accept no event`);
  }
  for (const { field, account } of accountsInArns(config)) {
    if (!config.accountIds.includes(account)) problems.push(`${field} names account ${account}, which is not in accountIds`);
  }
  return problems;
}

export interface ConfigDifference {
  field: string;
  default: unknown;
  value: unknown;
}

/** `autopilot config check`: each leaf whose merged value differs from the default. */
export function differenceFromDefaults(config: AutopilotConfig, defaults: AutopilotConfig = defaultConfig): ConfigDifference[] {
  const base = new Map(leaves(defaults).map((l) => [l.path, l.value]));
  return leaves(config)
    .filter((l) => JSON.stringify(l.value) !== JSON.stringify(base.get(l.path)))
    .map((l) => ({ field: l.path, default: base.get(l.path), value: l.value }));
}
