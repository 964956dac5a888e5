import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { defaultConfig } from '../../domain/config';
import { simHarness, type SimHarness } from './test-support';

const ZONE = defaultConfig.dns.hostedZoneId;

async function records(h: SimHarness): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet['Type']; StartRecordIdentifier?: string } = {};
  for (let pages = 0; pages < 20; pages++) {
    const page = await h.aws.in('us-east-1').route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, ...start }));
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
  }
  throw new Error('ListResourceRecordSets never stopped paginating');
}

const secondaryAsPrimary: ResourceRecordSet = {
  Name: 'api.regami.com',
  Type: 'A',
  SetIdentifier: 'secondary',
  Failover: 'SECONDARY',
  AliasTarget: { HostedZoneId: 'Z1H1FL5HABSF5', DNSName: 'regami-alb-secondary.us-west-2.elb.amazonaws.com', EvaluateTargetHealth: true },
};

describe('simulated Route53 through the real Route53Client', () => {
  test('a change is PENDING, then INSYNC after propagation; the records reflect it at once', async () => {
    const h = simHarness();
    const r53 = h.aws.in('us-east-1').route53;
    const all = await records(h);
    // Route53 order: the zone apex first, then names by reversed labels, then type and set identifier.
    expect(all.map((r) => [r.Name, r.Type, r.SetIdentifier])).toEqual([
      ['regami.com.', 'NS', undefined],
      ['regami.com.', 'SOA', undefined],
      ['api.regami.com.', 'A', 'primary'],
      ['api.regami.com.', 'A', 'secondary'],
    ]);
    const primaryRecord = all.find((r) => r.SetIdentifier === 'primary');
    expect(primaryRecord?.AliasTarget?.DNSName).toBe('regami-alb.us-east-1.elb.amazonaws.com.');
    const change = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE,
        ChangeBatch: {
          Comment: 'failover to us-west-2',
          Changes: [
            { Action: 'DELETE', ResourceRecordSet: primaryRecord },
            { Action: 'UPSERT', ResourceRecordSet: { ...secondaryAsPrimary, Failover: 'PRIMARY' } },
          ],
        },
      }),
    );
    expect(change.ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'failover to us-west-2' });
    const id = change.ChangeInfo?.Id ?? '';
    expect(id).toMatch(/^\/change\/C[A-Z0-9]+$/);
    h.advance(30);
    expect((await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('PENDING');
    h.advance(10);
    expect((await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('INSYNC');
    const now = (await records(h)).filter((r) => r.Type === 'A');
    expect(now).toEqual([expect.objectContaining({ SetIdentifier: 'secondary', Failover: 'PRIMARY' })]);
  });

  test('a batch that would leave two PRIMARY failover records is rejected as a whole', async () => {
    const h = simHarness();
    const r53 = h.aws.in('us-east-1').route53;
    await expect(
      r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { ...secondaryAsPrimary, Failover: 'PRIMARY' } }] } })),
    ).rejects.toMatchObject({ name: 'InvalidChangeBatch', message: expect.stringContaining('more than one failover PRIMARY') });
    expect((await records(h)).filter((r) => r.Failover === 'PRIMARY')).toHaveLength(1);
    await expect(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE', ChangeBatch: { Changes: [] } }))).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
  });

  test('a hung change stays PENDING', async () => {
    const h = simHarness({ faults: [{ kind: 'hang', what: 'route53-change' }] });
    const r53 = h.aws.in('us-east-1').route53;
    const change = await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: secondaryAsPrimary }] } }));
    h.advance(3600);
    expect((await r53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }))).ChangeInfo?.Status).toBe('PENDING');
  });
});

test('errors are the SDK\'s modeled exception classes, so instanceof checks in handlers work', async () => {
  const { InvalidChangeBatch, NoSuchHostedZone } = await import('@aws-sdk/client-route-53');
  const h = simHarness();
  const r53 = h.aws.in('us-east-1').route53;
  await expect(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE', ChangeBatch: { Changes: [] } }))).rejects.toBeInstanceOf(NoSuchHostedZone);
  await expect(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [] } }))).rejects.toBeInstanceOf(InvalidChangeBatch);
});

// AWS: "Active-active and active-passive failover" (Route 53 Developer Guide, dns-failover-types):
// with the failover routing policy Route 53 answers with the healthy primary resources; when
// every primary is unhealthy it answers with the healthy secondary ones. Answering DNS queries
// is Route 53's data plane: it needs none of its (or any region's) control-plane APIs.
describe('simulated Route 53 data plane (DNS answers)', () => {
  const probe = {
    route53: {
      healthChecks: { 'hc-primary-db': { status: 'healthy' as const } },
      zones: {
        [ZONE]: {
          name: 'regami.com.',
          records: {
            'probe-primary': { name: 'db-health.regami.com', type: 'TXT', setIdentifier: 'primary', failover: 'PRIMARY' as const, values: ['"primary-healthy"'], healthCheckId: 'hc-primary-db' },
            'probe-secondary': { name: 'db-health.regami.com', type: 'TXT', setIdentifier: 'secondary', failover: 'SECONDARY' as const, values: ['"primary-unhealthy"'] },
          },
        },
      },
    },
  };

  test('a failover pair answers its PRIMARY while its health check is healthy, its SECONDARY once unhealthy, with the Route53 API failing', async () => {
    const h = simHarness({ ...probe, faults: [{ kind: 'server-error', service: 'Route53', probability: 1 }], schedule: [{ at: 60, change: { kind: 'health-check', id: 'hc-primary-db', status: 'unhealthy' } }] });
    const dns = h.aws.dns;
    expect(await dns.txt('db-health.regami.com')).toEqual(['primary-healthy']);
    expect(await dns.answersAs('api.regami.com', 'regami-alb.us-east-1.elb.amazonaws.com')).toBe(true);
    h.advance(60);
    expect(await dns.txt('db-health.regami.com')).toEqual(['primary-unhealthy']);
    // The control plane is down all along: the data plane answered without it.
    await expect(h.aws.in('us-east-1').route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }))).rejects.toThrow();
  });

  test('an alias PRIMARY with an unhealthy health check answers the SECONDARY alias; a name without records answers nothing', async () => {
    const h = simHarness({
      // The baseline's primary record carries health check hc-regami-primary-0001.
      route53: { healthChecks: { 'hc-regami-primary-0001': { status: 'unhealthy' } } },
    });
    expect(await h.aws.dns.answersAs('api.regami.com', 'regami-alb-secondary.us-west-2.elb.amazonaws.com')).toBe(true);
    expect(await h.aws.dns.answersAs('api.regami.com', 'regami-alb.us-east-1.elb.amazonaws.com')).toBe(false);
    expect(await h.aws.dns.txt('nothing.regami.com')).toEqual([]);
  });
});
