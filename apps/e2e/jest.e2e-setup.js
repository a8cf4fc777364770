// End-to-end specs start the built services as processes (three per stack, one after another)
// before their first test: on a starved machine that alone can take most of the integration
// tiers' 30 s, so hooks and tests here get longer.
jest.setTimeout(90_000);
