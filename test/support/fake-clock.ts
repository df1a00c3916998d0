// The suite's fake clock is the published one (`rota/testing`), so users test with what we test with.
export { FakeClock } from '../../src/testing/fake-clock.js';
