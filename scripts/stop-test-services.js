// Stops ephemeral test services whose jest process is gone (a crashed or killed run), as recorded by
// test/harness/global-setup.ts. Services of a jest run that is still alive are left alone.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '.test-results');
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  if (!/^services-\d+\.json$/.test(name)) continue;
  const file = path.join(dir, name);
  const { ownerPid, processes, scratchDir } = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (alive(ownerPid)) continue;
  for (const { pid } of processes) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(scratchDir, { recursive: true, force: true });
  fs.rmSync(file, { force: true });
}
