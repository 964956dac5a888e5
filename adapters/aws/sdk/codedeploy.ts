// Registers the SDK client class; import this module where the client is used (keeps bundles small).
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { registerClient } from '../clients';

registerClient('codedeploy', CodeDeployClient);
