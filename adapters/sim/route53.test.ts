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
