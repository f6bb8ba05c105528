import { Test } from '@nestjs/testing';
import { AdjustableClock } from '@app/common';
import { CloudApiConfig, validateConfig } from '@app/config';
import type { INestApplicationContext } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { CloudApiModule } from '../cloud-api.module';
import { TransitionSettler } from '../transitions/transition-settler';
import { InstancesService } from './instances.service';

/** The instance state machine as the service runs it, on an in-memory database and a fake clock. */
describe('instance lifecycle driven by a fake clock', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const principal: Principal = {
    projectId: 'default',
    tokenId: 't',
    tokenName: 'default',
    admin: false,
  };
  let ctx: INestApplicationContext;
  let clock: AdjustableClock;
  let instances: InstancesService;
  let settler: TransitionSettler;

  beforeEach(async () => {
    clock = new AdjustableClock(() => T0);
    clock.freeze();
    const config = validateConfig(CloudApiConfig, {
      dataDir: ':memory:',
      logLevel: 'silent',
      token: 'x'.repeat(16),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [CloudApiModule.forRoot(config, { clock })],
    }).compile();
    ctx = await moduleRef.init();
    instances = ctx.get(InstancesService);
    settler = ctx.get(TransitionSettler);
  });

  afterEach(async () => {
    await ctx.close();
  });

  const stateAfter = (id: string, ms: number) => {
    clock.advance(ms);
    settler.settle();
    return instances.get(principal, id);
  };

  it('should not move while the clock stands still', () => {
    const { instance } = instances.create(principal, {
      name: 'a',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    for (let i = 0; i < 5; i++) {
      settler.settle();
    }
    expect(instances.get(principal, instance.id).state).toBe('pending');
  });

  it('should end each transition exactly when its duration has passed', () => {
    const { instance } = instances.create(principal, {
      name: 'a',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    expect(stateAfter(instance.id, 1499).state).toBe('pending');
    expect(stateAfter(instance.id, 1).state).toBe('running');
    instances.act(principal, instance.id, 'stop');
    expect(stateAfter(instance.id, 999).state).toBe('stopping');
    expect(stateAfter(instance.id, 1).state).toBe('stopped');
  });

  it('should date a transition at the instant it was due, even when noticed much later', () => {
    const { instance } = instances.create(principal, {
      name: 'a',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    const later = stateAfter(instance.id, 3_600_000);
    expect(later.state).toBe('running');
    expect(later.updatedAt).toBe(T0 + 1500);
  });

  it('should release the private IP when terminated and reuse nothing still held', () => {
    const a = instances.create(principal, {
      name: 'a',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    }).instance;
    const b = instances.create(principal, {
      name: 'b',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    }).instance;
    expect(a.privateIp).not.toBe(b.privateIp);
    stateAfter(a.id, 2000);
    instances.act(principal, a.id, 'terminate');
    const terminated = stateAfter(a.id, 1000);
    expect(terminated.state).toBe('terminated');
    expect(terminated.terminatedAt).toBe(T0 + 3000);
  });

  it('should let a terminate overtake a pending start', () => {
    const { instance } = instances.create(principal, {
      name: 'a',
      zone: 'nimbus-1a',
      instanceType: 'nb.small',
    });
    expect(instances.act(principal, instance.id, 'terminate').instance.state).toBe('shutting-down');
    expect(stateAfter(instance.id, 5000).state).toBe('terminated');
  });
});
