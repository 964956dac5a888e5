import { loadConfig } from '../../config/load';
import { functionPolicies } from '../../infra/iam-policy';
import { referenceProblems } from '../../infra/iam-reference';
it('x', async () => {
  const config = loadConfig('dev');
  const pol = functionPolicies(config, { account: '123456789012', tableName: 't' });
  for (const [k, s] of pol) console.log(k, JSON.stringify(await referenceProblems(s), null, 1));
});
