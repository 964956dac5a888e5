/**
 * `autopilot drill --stage X` (issue 16 item 7): the shipped scenarios replayed with a stage's
 * own names. Scenarios, their worlds, events and expectations are written against the
 * runbook's example estate (domain/config.ts defaults); this maps every environment-specific
 * value that differs in the stage's config (names, ARNs, the account, regions, alarm prefixes)
 * onto the stage's, in every string of the scenario. Longest values first, so a name is never
 * replaced inside a longer one it is part of ("regami-api" inside "regami-api-42" maps with it).
 */
import { leaves } from '../config/adoption';
import { defaultConfig, type AutopilotConfig } from '../domain/config';

export type Renames = [from: string, to: string][];

/** Pairs (example value -> stage value) of every string leaf, array element and alarm prefix that differs. */
export function estateRenames(stage: AutopilotConfig, example: AutopilotConfig = defaultConfig): Renames {
  const to = new Map(leaves(stage).map((l) => [l.path, l.value]));
  const pairs = new Map<string, string>();
  const add = (a: unknown, b: unknown): void => {
    if (typeof a !== 'string' || typeof b !== 'string' || a === b || a.length < 3) return;
    const strip = (s: string) => (s.endsWith('*') ? s.slice(0, -1) : s);
    pairs.set(strip(a), strip(b));
    // The names inside an ARN or a path (a target group's name, an ALB's) appear on their own elsewhere.
    const as = a.split(/[/:]/);
    const bs = b.split(/[/:]/);
    if (as.length > 1 && as.length === bs.length) as.forEach((x, i) => x !== bs[i] && x.length >= 3 && !pairs.has(x) && pairs.set(x, bs[i]!));
  };
  for (const { path, value } of leaves(example)) {
    // Topic ARNs map too (the stack names them after the stage); chat ids and modes are not names.
    if (path.startsWith('paging.chat') || path === 'stage' || path.startsWith('modes.')) continue;
    const mine = to.get(path);
    if (Array.isArray(value) && Array.isArray(mine)) value.forEach((v, i) => add(v, mine[i] ?? mine[mine.length - 1]));
    else add(value, mine);
  }
  // The hosted zone's apex (api.regami.com -> regami.com): the world names the zone by it.
  const apex = (name: string) => name.split('.').slice(1).join('.');
  if (apex(example.dns.recordName).includes('.') && apex(stage.dns.recordName).includes('.')) add(apex(example.dns.recordName), apex(stage.dns.recordName));
  return [...pairs.entries()].sort((a, b) => b[0].length - a[0].length);
}

/** Every string in `value` with the renames applied (one pass per string: a replaced part is never replaced again). */
export function renameEstate<T>(value: T, renames: Renames): T {
  if (renames.length === 0) return value;
  // Whole words only ("app" the container, not "app" inside "approval"); '-', '/', ':' and '.' bound a name.
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${renames.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![A-Za-z0-9])`, 'g');
  const map = new Map(renames);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, (m) => map.get(m) ?? m);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** A prepared scenario with the stage's names: its config, world, events and expectations. */
export function withStageNames<P extends { scenario: unknown; config: unknown; world: unknown; plan: unknown }>(prepared: P, renames: Renames): P {
  return {
    ...prepared,
    scenario: renameEstate(prepared.scenario, renames),
    config: renameEstate(prepared.config, renames),
    world: renameEstate(prepared.world, renames),
    plan: renameEstate(prepared.plan, renames),
  };
}
