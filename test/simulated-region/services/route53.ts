/**
 * Route53 (global): hosted zones and record sets. ChangeResourceRecordSets validates the
 * batch as a transaction (all or nothing), applies it, and reports the change PENDING
 * until it has propagated (propagationSeconds, default 40), then INSYNC (GetChange).
 */
import * as sdk from '@aws-sdk/client-route-53';
import type {
  ChangeResourceRecordSetsCommandInput,
  ChangeResourceRecordSetsCommandOutput,
  GetChangeCommandInput,
  GetChangeCommandOutput,
  GetHostedZoneCommandInput,
  GetHostedZoneCommandOutput,
  ListHostedZonesCommandInput,
  ListHostedZonesCommandOutput,
  ListResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandOutput,
  ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { awsError } from '../errors';
import type { ResourceRecordSpec } from '../spec';
import type { SimWorld } from '../world';
import { authReq, lastSegment } from '../iam-arns';
import { obj, map, num, oneOf, strings, type Json, type Problems } from '../spec-checks';
import type { OpContext, IamCall, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

interface ZoneState {
  id: string;
  name: string;
  privateZone: boolean;
  records: ResourceRecordSet[];
}

interface ChangeState {
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: number;
  comment?: string;
}

export interface Route53State {
  zones: Map<string, ZoneState>;
  /** Health check id -> status as Route 53's health checkers see it. */
  healthChecks: Map<string, 'healthy' | 'unhealthy'>;
  changes: Map<string, ChangeState>;
  propagationSeconds: number;
}

const states = new WeakMap<SimWorld, Route53State>();

const PAGE_RECORDS = 3;

function fqdn(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

function recordFromSpec(r: ResourceRecordSpec): ResourceRecordSet {
  const out: ResourceRecordSet = { Name: fqdn(r.name), Type: r.type as ResourceRecordSet['Type'] };
  if (r.setIdentifier) out.SetIdentifier = r.setIdentifier;
  if (r.failover) out.Failover = r.failover;
  if (r.weight !== undefined) out.Weight = r.weight;
  if (r.alias) out.AliasTarget = { HostedZoneId: r.alias.hostedZoneId, DNSName: fqdn(r.alias.dnsName), EvaluateTargetHealth: r.alias.evaluateTargetHealth ?? false };
  else {
    out.TTL = r.ttl ?? 60;
    out.ResourceRecords = (r.values ?? []).map((Value) => ({ Value }));
  }
  if (r.healthCheckId) out.HealthCheckId = r.healthCheckId;
  return out;
}

export function route53State(world: SimWorld): Route53State {
  let s = states.get(world);
  if (!s) {
    const spec = world.spec.route53;
    s = { zones: new Map(), changes: new Map(), propagationSeconds: spec?.propagationSeconds ?? 40, healthChecks: new Map(Object.entries(spec?.healthChecks ?? {}).map(([id, hc]) => [id, hc.status ?? 'healthy'])) };
    for (const [id, z] of Object.entries(spec?.zones ?? {})) {
      const name = fqdn(z.name);
      const records: ResourceRecordSet[] = [
        { Name: name, Type: 'NS', TTL: 172800, ResourceRecords: ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.'].map((Value) => ({ Value })) },
        { Name: name, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }] },
        ...Object.values(z.records ?? {}).map(recordFromSpec),
      ];
      s.zones.set(id, { id, name, privateZone: z.privateZone ?? false, records });
    }
    states.set(world, s);
  }
  return s;
}

/** True when the record (name, set identifier) points at something containing `contains` (alias DNS name or a value). */
export function recordPointsTo(world: SimWorld, zoneId: string, name: string, setIdentifier: string | undefined, contains: string): boolean {
  const zone = route53State(world).zones.get(zoneId);
  const r = zone?.records.find((x) => x.Name === fqdn(name) && (setIdentifier === undefined || x.SetIdentifier === setIdentifier) && x.Type !== 'NS' && x.Type !== 'SOA');
  if (!r) return false;
  const targets = [r.AliasTarget?.DNSName ?? '', ...(r.ResourceRecords ?? []).map((v) => v.Value ?? '')];
  return targets.some((t) => t.includes(contains.toLowerCase()));
}

function setHealthCheckStatus(world: SimWorld, id: string, status: 'healthy' | 'unhealthy'): void {
  const hcs = route53State(world).healthChecks;
  if (!hcs.has(id)) throw new Error(`world change: no Route 53 health check '${id}'`);
  hcs.set(id, status);
}

/**
 * The Route 53 DNS data plane: what a resolver gets for `name`/`type` from the zones, with no
 * control-plane call (so no fault on the Route53 API and no region outage touches it). A
 * failover pair answers its PRIMARY while the PRIMARY's health check is healthy (a record
 * without one counts as healthy), else its healthy SECONDARY (AWS: "Active-active and
 * active-passive failover", Route 53 Developer Guide, dns-failover-types). When neither is
 * healthy this simulator answers the PRIMARY (an assumption, not a documented rule). Answers
 * follow the records as ChangeResourceRecordSets applied them (propagation is not modelled
 * on the data plane).
 */
export function resolveRecords(world: SimWorld, name: string, type: string): ResourceRecordSet | undefined {
  const state = route53State(world);
  const want = fqdn(name);
  for (const zone of state.zones.values()) {
    if (zone.privateZone) continue;
    const sets = zone.records.filter((r) => r.Name === want && r.Type === type);
    if (sets.length === 0) continue;
    const failover = sets.filter((r) => r.Failover);
    if (failover.length === 0) return sets[0];
    const healthy = (r: ResourceRecordSet | undefined) => !!r && (!r.HealthCheckId || state.healthChecks.get(r.HealthCheckId) !== 'unhealthy');
    const primary = failover.find((r) => r.Failover === 'PRIMARY');
    const secondary = failover.find((r) => r.Failover === 'SECONDARY');
    if (healthy(primary)) return primary;
    if (healthy(secondary)) return secondary;
    return primary ?? secondary;
  }
  return undefined;
}

/** A DnsResolver (adapters/aws/clients) over the simulated zones: the drill's DNS data plane. */
export function simDnsResolver(world: SimWorld): { txt(name: string): Promise<string[]>; answersAs(name: string, target: string): Promise<boolean | undefined> } {
  return {
    async txt(name) {
      const r = resolveRecords(world, name, 'TXT');
      return (r?.ResourceRecords ?? []).map((v) => (v.Value ?? '').replace(/^"|"$/g, ''));
    },
    async answersAs(name, target) {
      const r = resolveRecords(world, name, 'A');
      if (!r) return undefined;
      const answers = [r.AliasTarget?.DNSName ?? '', ...(r.ResourceRecords ?? []).map((v) => v.Value ?? '')].filter((a) => a !== '');
      return answers.some((a) => fqdn(a) === fqdn(target));
    },
  };
}

// ------------------------------------------------------------ operations

function zoneId(raw: string | undefined): string {
  return (raw ?? '').replace(/^\/?hostedzone\//, '');
}

function zoneOrFail(world: SimWorld, raw: string | undefined): ZoneState {
  const z = route53State(world).zones.get(zoneId(raw));
  if (!z) throw awsError('NoSuchHostedZone', `No hosted zone found with ID: ${zoneId(raw)}`, { status: 404, sdk });
  return z;
}

function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return fqdn(a.Name ?? '') === fqdn(b.Name ?? '') && a.Type === b.Type && (a.SetIdentifier ?? '') === (b.SetIdentifier ?? '');
}

function describe(r: ResourceRecordSet): string {
  return `resource record set [name='${fqdn(r.Name ?? '')}', type='${r.Type}'${r.SetIdentifier ? `, set-identifier='${r.SetIdentifier}'` : ''}]`;
}

function normalise(r: ResourceRecordSet): ResourceRecordSet {
  const out = structuredClone(r);
  out.Name = fqdn(r.Name ?? '');
  if (out.AliasTarget?.DNSName) out.AliasTarget.DNSName = fqdn(out.AliasTarget.DNSName);
  return out;
}

function invalid(messages: string[]): Error {
  return awsError('InvalidChangeBatch', `[${messages.join(', ')}]`, { status: 400, sdk });
}

function changeResourceRecordSets(ctx: OpContext, input: ChangeResourceRecordSetsCommandInput): Out<ChangeResourceRecordSetsCommandOutput> {
  const zone = zoneOrFail(ctx.world, input.HostedZoneId);
  const changes = input.ChangeBatch?.Changes ?? [];
  if (changes.length === 0) throw invalid(['ChangeBatch must contain at least one change']);
  const next = zone.records.map((r) => structuredClone(r));
  const problems: string[] = [];
  for (const c of changes) {
    const rr = c.ResourceRecordSet;
    if (!rr?.Name || !rr.Type) {
      problems.push('ResourceRecordSet Name and Type are required');
      continue;
    }
    const r = normalise(rr);
    if (!r.Name?.endsWith(zone.name)) {
      problems.push(`RRSet with DNS name ${r.Name} is not permitted in zone ${zone.name}`);
      continue;
    }
    if (!r.AliasTarget && !(r.ResourceRecords?.length)) problems.push(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with [Action=${c.Action}, Name=${r.Name}, Type=${r.Type}, SetIdentifier=${r.SetIdentifier ?? 'null'}]`);
    if (r.AliasTarget && r.TTL !== undefined) problems.push(`Invalid request: Alias record ${r.Name} cannot have a TTL`);
    if (r.Failover && !r.SetIdentifier) problems.push(`Invalid request: a failover record ${r.Name} needs a SetIdentifier`);
    const i = next.findIndex((x) => sameSet(x, r));
    if (c.Action === 'CREATE') {
      if (i >= 0) problems.push(`Tried to create ${describe(r)} but it already exists`);
      else next.push(r);
    } else if (c.Action === 'DELETE') {
      const existing = next[i];
      if (i < 0 || !existing || JSON.stringify(normalise(existing)) !== JSON.stringify(r)) problems.push(`Tried to delete ${describe(r)} but it was not found`);
      else next.splice(i, 1);
    } else if (c.Action === 'UPSERT') {
      if (i >= 0) next[i] = r;
      else next.push(r);
    } else {
      problems.push(`Unknown action ${String(c.Action)}`);
    }
  }
  // Failover groups: one PRIMARY and one SECONDARY per name and type, never mixed with plain records.
  const groups = new Map<string, ResourceRecordSet[]>();
  for (const r of next) {
    const key = `${r.Name}|${r.Type}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, rs] of groups) {
    const failover = rs.filter((r) => r.Failover);
    if (failover.length === 0) continue;
    const [name, type] = key.split('|');
    if (failover.length !== rs.length) problems.push(`RRSet with DNS name ${name} and type ${type} cannot mix failover and non-failover records`);
    for (const role of ['PRIMARY', 'SECONDARY'] as const) {
      if (failover.filter((r) => r.Failover === role).length > 1) problems.push(`RRSet with DNS name ${name}, type ${type}: more than one failover ${role} record`);
    }
  }
  if (problems.length) throw invalid(problems);
  zone.records = next;
  const state = route53State(ctx.world);
  const change: ChangeState = { id: `C${ctx.world.ids.upper(20)}`, status: 'PENDING', submittedAt: ctx.now, comment: input.ChangeBatch?.Comment };
  state.changes.set(change.id, change);
  ctx.world.at(ctx.now + state.propagationSeconds * 1000, `route53 change ${change.id} INSYNC`, () => {
    change.status = 'INSYNC';
  }, { what: 'route53-change', region: 'global', resource: change.id });
  return { ChangeInfo: { Id: `/change/${change.id}`, Status: change.status, SubmittedAt: new Date(change.submittedAt), Comment: change.comment } };
}

function getChange(ctx: OpContext, input: GetChangeCommandInput): Out<GetChangeCommandOutput> {
  const id = (input.Id ?? '').replace(/^\/?change\//, '');
  const change = route53State(ctx.world).changes.get(id);
  if (!change) throw awsError('NoSuchChange', `A change with the specified change ID does not exist: ${id}`, { status: 404, sdk });
  return { ChangeInfo: { Id: `/change/${change.id}`, Status: change.status, SubmittedAt: new Date(change.submittedAt), Comment: change.comment } };
}

function typeOrder(t: string | undefined): string {
  return t ?? '';
}

function listResourceRecordSets(ctx: OpContext, input: ListResourceRecordSetsCommandInput): Out<ListResourceRecordSetsCommandOutput> {
  const zone = zoneOrFail(ctx.world, input.HostedZoneId);
  // Route53 orders by reversed DNS labels, then type, then set identifier.
  // NUL separators sort below any label character, so a name comes before its subdomains.
  const key = (r: ResourceRecordSet) => `${fqdn(r.Name ?? '').split('.').reverse().join('.')}\u0000${typeOrder(r.Type)}\u0000${r.SetIdentifier ?? ''}`;
  // Code-unit order (not localeCompare, which ignores the separators): the same order StartRecordName is compared in.
  const sorted = [...zone.records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let start = 0;
  if (input.StartRecordName) {
    if (input.StartRecordIdentifier && !input.StartRecordType) throw awsError('InvalidInput', 'StartRecordIdentifier requires StartRecordType', { status: 400, sdk });
    const from = `${fqdn(input.StartRecordName).split('.').reverse().join('.')}\u0000${input.StartRecordType ?? ''}\u0000${input.StartRecordIdentifier ?? ''}`;
    start = sorted.findIndex((r) => key(r) >= from);
    if (start < 0) start = sorted.length;
  }
  const max = Math.min(input.MaxItems ?? 300, PAGE_RECORDS);
  const page = sorted.slice(start, start + max);
  const next = sorted[start + max];
  const out: Out<ListResourceRecordSetsCommandOutput> = { ResourceRecordSets: page.map((r) => structuredClone(r)), IsTruncated: next !== undefined, MaxItems: input.MaxItems ?? 300 };
  if (next) {
    out.NextRecordName = next.Name;
    out.NextRecordType = next.Type;
    if (next.SetIdentifier) out.NextRecordIdentifier = next.SetIdentifier;
  }
  return out;
}

function getHostedZone(ctx: OpContext, input: GetHostedZoneCommandInput): Out<GetHostedZoneCommandOutput> {
  const z = zoneOrFail(ctx.world, input.Id);
  return {
    HostedZone: { Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: `sim-${z.id}`, Config: { PrivateZone: z.privateZone }, ResourceRecordSetCount: z.records.length },
    DelegationSet: { NameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk'] },
  };
}

function listHostedZones(ctx: OpContext, input: ListHostedZonesCommandInput): Out<ListHostedZonesCommandOutput> {
  void input;
  const zones = [...route53State(ctx.world).zones.values()];
  return {
    HostedZones: zones.map((z) => ({ Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: `sim-${z.id}`, Config: { PrivateZone: z.privateZone }, ResourceRecordSetCount: z.records.length })),
    IsTruncated: false,
    MaxItems: 100,
    Marker: undefined,
  };
}

/** `route53` of a WorldSpec (Route 53 is global). */
function validateRoute53Spec(p: Problems, path: string, spec: Json): void {
  const r = obj(p, path, spec, ['zones', 'propagationSeconds', 'healthChecks']);
  num(p, `${path}.propagationSeconds`, r?.propagationSeconds, { min: 1 });
  map(p, `${path}.healthChecks`, r?.healthChecks, (at, _id, hc) => {
    const ho = obj(p, at, hc, ['status']);
    oneOf(p, `${at}.status`, ho?.status, ['healthy', 'unhealthy']);
  });
  map(p, `${path}.zones`, r?.zones, (at, _id, z) => {
    const zo = obj(p, at, z, ['name', 'privateZone', 'records'], ['name']);
    map(p, `${at}.records`, zo?.records, (rat, _k, rec) => {
      const ro = obj(p, rat, rec, ['name', 'type', 'setIdentifier', 'failover', 'weight', 'ttl', 'values', 'alias', 'healthCheckId'], ['name', 'type']);
      if (!ro) return;
      oneOf(p, `${rat}.failover`, ro.failover, ['PRIMARY', 'SECONDARY']);
      if (ro.alias === undefined && ro.values === undefined) p.push(`${rat}: needs alias or values`);
      if (ro.alias !== undefined) obj(p, `${rat}.alias`, ro.alias, ['hostedZoneId', 'dnsName', 'evaluateTargetHealth'], ['hostedZoneId', 'dnsName']);
      strings(p, `${rat}.values`, ro.values);
    });
  });
}

export const service: ServiceSim = {
  name: 'Route53',
  sdk,
  throttleError: 'Throttling',
  ops: {
    ChangeResourceRecordSets: changeResourceRecordSets,
    GetChange: getChange,
    ListResourceRecordSets: listResourceRecordSets,
    GetHostedZone: getHostedZone,
    ListHostedZones: listHostedZones,
  },
  iam: {
    ChangeResourceRecordSets: (c) => [
      authReq('route53:ChangeResourceRecordSets', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.HostedZoneId ?? ''))}`, {
        // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html: lower case, no trailing dot.
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ((c.input.ChangeBatch?.Changes ?? []) as IamCall['input'][]).map((ch) => String(ch.ResourceRecordSet?.Name ?? '').toLowerCase().replace(/\.$/, '')),
        'route53:ChangeResourceRecordSetsRecordTypes': ((c.input.ChangeBatch?.Changes ?? []) as IamCall['input'][]).map((ch) => String(ch.ResourceRecordSet?.Type ?? '')),
        'route53:ChangeResourceRecordSetsActions': ((c.input.ChangeBatch?.Changes ?? []) as IamCall['input'][]).map((ch) => String(ch.Action ?? '')),
      }),
    ],
    GetChange: (c) => [authReq('route53:GetChange', `arn:aws:route53:::change/${lastSegment(String(c.input.Id ?? ''))}`)],
    ListResourceRecordSets: (c) => [authReq('route53:ListResourceRecordSets', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.HostedZoneId ?? ''))}`)],
    GetHostedZone: (c) => [authReq('route53:GetHostedZone', `arn:aws:route53:::hostedzone/${lastSegment(String(c.input.Id ?? ''))}`)],
    ListHostedZones: () => [authReq('route53:ListHostedZones', '*')],
  },
  global: { key: 'route53', validate: validateRoute53Spec },
  changes: {
    'health-check': {
      required: ['id', 'status'],
      optional: [],
      validate: (p, path, c) => oneOf(p, `${path}.status`, c.status, ['healthy', 'unhealthy'], false),
      apply: (world, c) => setHealthCheckStatus(world, c.id, c.status),
    },
  },
  hangs: ['route53-change'],
};
