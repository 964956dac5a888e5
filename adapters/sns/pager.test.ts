import type { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SnsPager, regionOfArn } from './pager';
import { defaultConfig } from '../../domain/config';
import type { Page } from '../../domain/paging';

const TOPICS = { ...defaultConfig.paging.topics, P4: 'arn:aws:sns:us-west-2:123456789012:runbook-autopilot-dev-p4' };

function fakeSns(region: string, sent: { region: string; input: PublishCommand['input'] }[]): SNSClient {
  return { send: async (command: PublishCommand) => (sent.push({ region, input: command.input }), { MessageId: `m-${sent.length}` }) } as unknown as SNSClient;
}

const page: Page = {
  incidentKey: 'scale-ecs-regami-service',
  action: 'trigger',
  severity: 'P2',
  runbook: 'scale-ecs',
  title: 'CPU high on regami-service',
  resource: 'regami-cluster/regami-service',
  at: Date.UTC(2026, 0, 15, 3, 0, 0),
  diagnosis: ['CPUUtilization 92%'],
  done: [],
  refused: [],
  nextStep: 'aws ecs update-service --cluster regami-cluster --service regami-service --desired-count 4',
};

describe('SnsPager', () => {
  it('publishes to the severity topic, in the topic region, with the formatted subject and message', async () => {
    const sent: { region: string; input: PublishCommand['input'] }[] = [];
    const published: string[] = [];
    const pager = new SnsPager((region) => fakeSns(region, sent), TOPICS, { region: 'us-east-1', accountId: '123456789012' }, (_p, routed, id) =>
      published.push(`${routed.format}:${id}`),
    );
    await pager.send(page);
    await pager.send({ ...page, severity: 'P4', action: 'resolve' });

    expect(sent[0]).toMatchObject({ region: 'us-east-1', input: { TopicArn: TOPICS.P2, Subject: expect.stringMatching(/^ALARM: /) } });
    expect(JSON.parse(sent[0]!.input.Message!)).toMatchObject({ NewStateValue: 'ALARM', AlarmName: 'runbook-autopilot-scale-ecs-regami-service' });
    expect(sent[0]!.input.MessageAttributes?.incident_key).toEqual({ DataType: 'String', StringValue: 'scale-ecs-regami-service' });
    expect(sent[1]).toMatchObject({ region: 'us-west-2', input: { TopicArn: TOPICS.P4, Subject: expect.stringMatching(/^OK: /) } });
    expect(published).toEqual(['cloudwatch-alarm-json:m-1', 'plain-text:m-2']);
  });

  it('lets a publish failure through (a lost page must not look sent)', async () => {
    const failing = { send: async () => Promise.reject(new Error('AuthorizationError')) } as unknown as SNSClient;
    await expect(new SnsPager(() => failing, TOPICS, { region: 'us-east-1', accountId: '1' }).send(page)).rejects.toThrow('AuthorizationError');
  });

  it('reads the region of a topic ARN', () => {
    expect(regionOfArn('arn:aws:sns:eu-west-1:123456789012:t')).toBe('eu-west-1');
    expect(regionOfArn('not-an-arn')).toBeUndefined();
  });
});
