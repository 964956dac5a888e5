// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { ECSClient } from '@aws-sdk/client-ecs';
import { registerClient } from '../clients';

registerClient('ecs', ECSClient);
