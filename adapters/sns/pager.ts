/**
 * Pager on SNS: the escalation matrix picks the topic (P1/P2 → PagerDuty over HTTPS,
 * P3 → email, P4 → chat), domain/pagerduty.ts formats the message for that channel.
 * A publish failure is thrown: losing a page silently is worse than a retried invocation.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Severity } from '../../domain/config';
import { routePage, type PageContext, type RoutedPage } from '../../domain/pagerduty';
import type { Page } from '../../domain/paging';
import type { Pager } from '../../domain/ports';

export class SnsPager implements Pager {
  constructor(
    /** SNS client for a region: a topic is published to in its own region (taken from its ARN). */
    private readonly snsIn: (region: string) => SNSClient,
    private readonly topics: Record<Severity, string>,
    private readonly context: PageContext,
    /** Told about every page published (logged by the runtime). */
    private readonly onPublished?: (page: Page, routed: RoutedPage, messageId: string | undefined) => void,
  ) {}

  async send(page: Page): Promise<void> {
    const routed = routePage(page, this.topics, this.context);
    const out = await this.snsIn(regionOfArn(routed.topicArn) ?? this.context.region).send(
      new PublishCommand({
        TopicArn: routed.topicArn,
        Subject: routed.subject,
        Message: routed.message,
        MessageAttributes: routed.messageAttributes,
      }),
    );
    this.onPublished?.(page, routed, out.MessageId);
  }
}

/** arn:aws:sns:us-east-1:123456789012:name -> us-east-1 */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}
