// Integration specs talk to real Postgres and NATS and wait on real timers.
jest.setTimeout(30_000);
