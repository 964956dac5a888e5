/** P4 through AWS Chatbot when a Slack channel is configured (issue 16 item 6). */
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { routePage } from '../domain/pagerduty';
import type { Page } from '../domain/paging';
import { CHATBOT_CHANNEL_ID, pagingResources } from './paging-topics';
import { topicId } from './logical-ids';

const params = { pagerDutyEndpoint: 'https://events.pagerduty.com/integration/k/enqueue', opsEmail: 'ops@example.com', chatWebhookUrl: 'https://chat.example.com/hook' };
const withSlack: AutopilotConfig = { ...defaultConfig, paging: { ...defaultConfig.paging, chat: { slackWorkspaceId: 'T07EA123LEP', slackChannelId: 'C07EZ1ABC23' } } };

const page: Page = {
  incidentKey: 'scale-ecs-regami-service',
  action: 'trigger',
  severity: 'P4',
  runbook: 'scale-ecs',
  title: 'regami-service scaled out 2 -> 4',
  resource: 'service/regami-cluster/regami-service',
  at: Date.UTC(2026, 0, 15, 3, 3),
  diagnosis: ['CPU 93%'],
  done: ['scaled out 2 -> 4'],
  refused: [],
  nextStep: 'None needed',
  mode: 'live',
};

describe('AWS Chatbot for P4', () => {
  it('with a Slack channel configured: a SlackChannelConfiguration on the P4 topic, and no HTTPS chat subscription', () => {
    const resources = pagingResources(withSlack, params);
    const channel = resources[CHATBOT_CHANNEL_ID]!;
    expect(channel.Type).toBe('AWS::Chatbot::SlackChannelConfiguration');
    expect(channel.Properties).toMatchObject({ SlackWorkspaceId: 'T07EA123LEP', SlackChannelId: 'C07EZ1ABC23', SnsTopicArns: [{ Ref: topicId('P4') }] });
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties).includes(topicId('P4')))).toEqual([]);
  });

  it('without one: the webhook subscription as before, no Chatbot resource', () => {
    const resources = pagingResources(defaultConfig, params);
    expect(Object.values(resources).some((r) => r.Type === 'AWS::Chatbot::SlackChannelConfiguration')).toBe(false);
    expect(resources[`${topicId('P4')}ChatSubscription`]?.Properties).toMatchObject({ Protocol: 'https', Endpoint: params.chatWebhookUrl });
  });

  it('P4 pages use Chatbot\'s custom notification format when Chatbot delivers them; other severities are unchanged', () => {
    const routed = routePage(page, defaultConfig.paging.topics, { region: 'us-east-1', accountId: '123456789012', chatbot: true });
    expect(routed.format).toBe('chatbot-custom');
    const doc = JSON.parse(routed.message) as { version: string; source: string; content: { textType: string; title: string; description: string; nextSteps: string[] }; metadata: { threadId: string } };
    expect(doc).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown', title: page.title, nextSteps: ['None needed'] }, metadata: { threadId: page.incidentKey } });
    expect(doc.content.description).toContain('mode live');
    expect(routePage({ ...page, severity: 'P3' }, defaultConfig.paging.topics, { region: 'us-east-1', accountId: '123456789012', chatbot: true }).format).toBe('plain-text');
    expect(routePage(page, defaultConfig.paging.topics, { region: 'us-east-1', accountId: '123456789012' }).format).toBe('plain-text');
  });
});
