// Preloaded into the CLI by a test (node --require): when the process exits, print the npm packages it loaded,
// so a test can tell that `--help` and commands given their answers do not load what they do not use.
process.on('exit', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (match) packages.add(match[1]);
  }
  process.stderr.write(`\nLOADED_PACKAGES=${JSON.stringify([...packages].sort())}\n`);
});
