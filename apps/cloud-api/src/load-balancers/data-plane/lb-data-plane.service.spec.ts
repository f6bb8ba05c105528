import { Logger } from '@nestjs/common';
import { AdjustableClock } from '@app/common';
import type { CloudApiConfig } from '@app/config';
import type { MaintenanceTicker } from '../../maintenance.ticker';
import { HttpMetrics } from '../../metrics/http-metrics';
import type {
  LoadBalancerRevision,
  LoadBalancerRow,
  LoadBalancersRepository,
} from '../load-balancers.repository';
import { LoadBalancerDataPlane } from './lb-data-plane.service';

/** The repository's reads the data plane makes, over rows the test edits. */
class FakeLoadBalancers {
  readonly rows = new Map<string, LoadBalancerRow>();
  revisionScans = 0;
  readonly rowReads: string[] = [];

  revisions(): LoadBalancerRevision[] {
    this.revisionScans++;
    return [...this.rows.values()].map(({ id, state, version, updatedAt }) => ({
      id,
      state,
      version,
      updatedAt,
    }));
  }

  findById(id: string): LoadBalancerRow | undefined {
    this.rowReads.push(id);
    return this.rows.get(id);
  }

  backends(): [] {
    return [];
  }
}

const row = (id: string, overrides: Partial<LoadBalancerRow> = {}): LoadBalancerRow => ({
  seq: 1,
  id,
  projectId: 'default',
  name: id,
  region: 'nimbus-1',
  state: 'active',
  nextState: null,
  transitionEndsAt: null,
  // Port 0: any free port on --lb-bind, so the test binds nothing fixed.
  spec: JSON.stringify({
    listeners: [{ protocol: 'TCP', port: 0, targetPort: 30080 }],
    algorithm: 'round_robin',
    sessionAffinity: { type: 'none' },
    allowedSourceRanges: [],
    healthCheck: {
      protocol: 'TCP',
      port: 30080,
      intervalSeconds: 10,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
  }),
  ipFamilies: JSON.stringify(['IPv4']),
  publicIpv4: '203.0.113.7',
  publicIpv6: null,
  labels: '{}',
  version: 1,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('LoadBalancerDataPlane syncs', () => {
  let repo: FakeLoadBalancers;
  let plane: LoadBalancerDataPlane;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    repo = new FakeLoadBalancers();
    repo.rows.set('lb-1', row('lb-1'));
    repo.rows.set('lb-2', row('lb-2', { state: 'provisioning' }));
    plane = new LoadBalancerDataPlane(
      repo as unknown as LoadBalancersRepository,
      { lbBind: '127.0.0.1' } as CloudApiConfig,
      { onTick: () => undefined } as unknown as MaintenanceTicker,
      new AdjustableClock(),
      new HttpMetrics(),
    );
    plane.onApplicationBootstrap();
    await plane.settled();
  });

  afterEach(() => plane.onApplicationShutdown());

  /** The listeners' states the data plane reports for `id` (seen through an active row). */
  const listening = (id: string) => plane.runtimeOf(row(id)).dataPlane.ports.map((p) => p.state);

  it('should open the served load balancers at start from one scan of every row', () => {
    expect(repo.revisionScans).toBe(1);
    expect(listening('lb-1')).toEqual(['listening']);
    expect(listening('lb-2')).toEqual(['opening']);
  });

  it('should read only the load balancers a change names, not every row', async () => {
    repo.rowReads.length = 0;
    repo.rows.set('lb-2', row('lb-2', { state: 'active', version: 2 }));

    plane.requestSync('lb-2');
    await plane.settled();

    expect(repo.revisionScans).toBe(1);
    expect(repo.rowReads).toEqual(['lb-2']);
    expect(listening('lb-2')).toEqual(['listening']);
  });

  it('should close the listeners of a named load balancer that is gone or no longer served', async () => {
    repo.rows.delete('lb-1');
    repo.rows.set('lb-2', row('lb-2', { state: 'active', version: 2 }));
    plane.requestSync('lb-2');
    await plane.settled();
    expect(listening('lb-2')).toEqual(['listening']);

    plane.requestSync('lb-1');
    repo.rows.set('lb-2', row('lb-2', { state: 'deleting', version: 3 }));
    plane.requestSync('lb-2');
    await plane.settled();

    expect(listening('lb-1')).toEqual(['opening']);
    expect(listening('lb-2')).toEqual(['opening']);
  });

  it('should compare every row on a sync without names (ticks, admin calls)', async () => {
    repo.rows.delete('lb-1');

    plane.requestSync();
    await plane.settled();

    expect(repo.revisionScans).toBe(2);
    expect(listening('lb-1')).toEqual(['opening']);
  });
});
