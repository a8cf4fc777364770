// Starts the three services as child processes, prefixes their output, waits until the API
// answers, prints where it is and the development key, and stops them all on Ctrl-C.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
// V8 flags per service (heap sizing cannot be set from inside a running process): see the README.
const nodeFlags = require('./node-flags.json');
const services = ['scheduler', 'webhook-dispatcher', 'api-gateway'];
const port = process.env.PORT || '3000';
const children = [];
let stopping = false;

function start(name) {
  const child = spawn(process.execPath, [...nodeFlags[name], '-r', './scripts/register-paths.js', `dist/apps/${name}/src/main.js`], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(21);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${prefix} exited (${signal ?? code}); stopping the others`);
    shutdown(1);
  });
  children.push(child);
}

function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}

async function waitForApi() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
for (const name of services) start(name);
waitForApi().then((ok) => {
  if (!ok) return;
  const key = process.env.MINOOTS_BOOTSTRAP_API_KEY;
  console.log(`
  MINOOTS is running.
    API:      http://127.0.0.1:${port}
    OpenAPI:  http://127.0.0.1:${port}/docs
    API key:  ${key}
  Try:
    curl -s -X POST http://127.0.0.1:${port}/timers -H "x-api-key: ${key}" -H "Content-Type: application/json" \\
      -d '{"name": "hello", "duration": "30s"}'
  Ctrl-C stops everything.
`);
});
