/**
 * Answers chosen SDK commands in tests without a network, at the initialize step (before
 * serialisation), and lets every other command through (DynamoDB goes on to dynalite).
 * Keys are 'Service.Operation' as the SDK names them: 'Lambda.Invoke', 'EventBridge.PutEvents'.
 */
import type { Pluggable } from '@smithy/types';

export interface StubbedCall {
  service: string;
  operation: string;
  input: unknown;
}

export type Responder = (input: never) => unknown;

export function stubCommands(responders: Record<string, Responder>, seen: StubbedCall[] = []): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const service = String(context.clientName ?? '').replace(/Client$/, '');
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          const responder = responders[`${service}.${operation}`];
          if (!responder) return next(args);
          seen.push({ service, operation, input: args.input });
          const output = await responder(args.input as never);
          return { output: { $metadata: {}, ...(output as object) }, response: {} };
        },
        { step: 'initialize', name: 'testCommandStub', priority: 'high' },
      );
    },
  };
}
