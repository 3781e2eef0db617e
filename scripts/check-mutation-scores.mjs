// Stryker's `thresholds.break` judges the score of all files together; this holds each file to it as well.
// Reads the JSON report of the run that just ended; the scores are computed as Stryker computes them.
import { readFileSync } from 'node:fs';
import { calculateMetrics } from 'mutation-testing-metrics';
import config from '../stryker.config.mjs';

const minimum = config.thresholds.break;
const report = JSON.parse(readFileSync(config.jsonReporter.fileName, 'utf8'));
const below = [];
for (const [file, result] of Object.entries(report.files)) {
  const { mutationScore, totalValid } = calculateMetrics({ [file]: result }).metrics;
  // A file without a single valid mutant (all disabled, say) is not tested by this run at all.
  if (!(totalValid > 0 && mutationScore >= minimum)) below.push(`${file}: ${totalValid ? `${mutationScore.toFixed(2)} %` : 'no mutants'}`);
}
if (below.length) {
  console.error(`Mutation score below ${minimum} % in:\n  ${below.join('\n  ')}\nSee the survivors above, or ${config.htmlReporter.fileName}.`);
  process.exit(1);
}
console.log(`Mutation score of every file at least ${minimum} % (${Object.keys(report.files).length} files).`);
