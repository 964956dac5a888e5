// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { SNSClient } from '@aws-sdk/client-sns';
import { registerClient } from '../clients';

registerClient('sns', SNSClient);
