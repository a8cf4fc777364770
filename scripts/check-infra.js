// Checks that Postgres and NATS answer and creates the database if it is missing, saying exactly
// what to do when something is not there.
const net = require('node:net');
const { Client } = require('pg');

const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/minoots';
const natsUrl = (process.env.NATS_URL || 'nats://127.0.0.1:4222').split(',')[0];

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => socket.destroy() || resolve(false));
  });
}

async function main() {
  const problems = [];
  const nats = new URL(natsUrl.replace(/^nats:/, 'http:'));
  if (!(await reachable(nats.hostname, Number(nats.port || 4222)))) {
    problems.push(
      `NATS is not reachable at ${natsUrl}. Start it with JetStream enabled, for example:\n` +
        `    start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log\n` +
        `  or: nats-server -js   (or: docker compose up -d nats)`,
    );
  }
  // The test suite's benchmark smoke run measures BullMQ, which needs Redis.
  if (process.argv.includes('--redis') && !(await reachable('127.0.0.1', 6379))) {
    problems.push(
      'Redis is not reachable at 127.0.0.1:6379 (the benchmark compares against BullMQ, which needs it). Start it, for example:\n' +
        '    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    );
  }
  const target = new URL(databaseUrl);
  const dbName = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [dbName]);
    if (rowCount === 0) {
      await client.query(`create database "${dbName.replace(/"/g, '""')}"`);
      console.log(`created database ${dbName}`);
    }
  } catch (error) {
    problems.push(
      `Postgres is not reachable at ${target.host} (${error.message}). Start it, for example:\n` +
        `    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
        `  or: docker compose up -d postgres   (and set DATABASE_URL if it is not postgres://postgres@127.0.0.1:5432/minoots)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  if (problems.length > 0) {
    console.error(`MINOOTS cannot start yet:\n\n- ${problems.join('\n\n- ')}\n`);
    process.exit(1);
  }
}

main();
