import { CcmHarness, UNINITIALIZED_TAINT, hasTaint, waitFor } from './harness';
import { cloudLb, createLbService, deleteService, waitForIngress } from './service-e2e';

// Teardown may wait for the controllers to drain (up to 30 s), so the budget is generous.
jest.setTimeout(120_000);

/*
 * Issue 16: the CCM while the api-server restarts. Its informers lose their watches and then their
 * lists while the server is down; when it is back (same port, same state, as a process restart
 * would be) the CCM must carry on by itself — no restart of the CCM — for work created while the
 * server was down (a cloud instance), work created after (a node, a Service) and work left
 * half-done (a Service deleted right before the restart).
 */
describe('CCM across an api-server restart (e2e)', () => {
  let h: CcmHarness;

  beforeAll(async () => {
    h = await CcmHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('initialises nodes and provisions and cleans up load balancers after the api-server comes back', async () => {
    // Without leader election: a CCM that cannot renew its lease exits (as upstream's), which a
    // supervisor restarts; the point here is that the informers recover on their own.
    await h.startCcm({ controllers: 'cloud-node,service', leaderElect: 'false' });
    await h.createInstance('restart-before');
    await h.createNode('restart-before');
    await waitFor(async () => !hasTaint(await h.getNode('restart-before'), UNINITIALIZED_TAINT), {
      timeoutMs: 20_000,
      message: 'restart-before initialised before the restart',
    });
    await createLbService(h, 'restart-old');
    const old = await waitForIngress(h, 'restart-old', 30_000);
    expect(await cloudLb(h, old)).toBeDefined();

    await h.restartApiServer(async () => {
      // While the server is down: the cloud moves on, and the CCM's lists and watches fail.
      await h.createInstance('restart-after');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    });

    // A node registered after the restart is initialised by the same CCM.
    await h.createNode('restart-after');
    const node = await waitFor(
      async () => {
        const n = await h.getNode('restart-after');
        return !hasTaint(n, UNINITIALIZED_TAINT) && !!n?.spec?.providerID && n;
      },
      { timeoutMs: 30_000, message: 'restart-after initialised after the restart' },
    );
    expect(node.spec?.providerID).toMatch(/^nimbus:\/\//);

    // A Service created after the restart gets its load balancer; the one deleted now loses its.
    await createLbService(h, 'restart-new');
    const fresh = await waitForIngress(h, 'restart-new', 30_000);
    expect(await cloudLb(h, fresh)).toBeDefined();
    await deleteService(h, 'restart-old');
    await waitFor(async () => (await cloudLb(h, old)) === undefined, {
      timeoutMs: 30_000,
      message: 'the load balancer of the deleted Service removed from the cloud',
    });
  });
});
