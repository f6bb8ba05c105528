import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock, IdGenerator, notFound } from '@app/common';
import type { CreateFaultRuleRequest } from '@app/cloud-contracts';
import { MaintenanceTicker } from '../maintenance.ticker';
import { draw } from './fault-draw';
import { inWindow, matchesCall, type FaultCall } from './fault-matcher';
import { validateFaultSpec, type FaultSpec } from './fault-spec';
import { FaultHoldsService } from './fault-holds.service';
import { FaultsRepository, type FaultRuleRow } from './faults.repository';

export interface LoadedRule {
  id: string;
  spec: FaultSpec;
}

/** A rule that fired on a call: the nth matching call of that rule. */
export interface FaultHit {
  rule: LoadedRule;
  n: number;
  seed: string;
}

/**
 * Fault rules: stored in SQLite (they survive restarts and are shared by processes on one
 * database), evaluated from an in-memory copy so a server without rules pays nothing. The copy is
 * reloaded after every change here and on each maintenance tick when the table changed.
 * Counters are updated in SQLite atomically, so nthCall/firstCalls hold across processes.
 */
@Injectable()
export class FaultRulesService implements OnModuleInit {
  private rules: LoadedRule[] = [];
  private loadedVersion = '';

  constructor(
    private readonly faults: FaultsRepository,
    private readonly holds: FaultHoldsService,
    private readonly ticker: MaintenanceTicker,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.reload();
    this.ticker.onTick(() => {
      if (this.faults.version() !== this.loadedVersion) {
        this.reload();
      }
    });
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  create(req: CreateFaultRuleRequest): FaultRuleRow {
    const spec = validateFaultSpec(req);
    const id = this.ids.next('fault', 16);
    this.faults.insert({
      id,
      description: req.description ?? null,
      spec: JSON.stringify(spec),
      matchedCalls: 0,
      hits: 0,
      createdAt: this.clock.now(),
      lastHitAt: null,
    });
    this.reload();
    return this.get(id);
  }

  list(): FaultRuleRow[] {
    return this.faults.all();
  }

  get(id: string): FaultRuleRow {
    const row = this.faults.find(id);
    if (!row) {
      throw notFound('fault rule', id);
    }
    return row;
  }

  /** Deleting a rule releases the operations it holds stuck. */
  delete(id: string): void {
    this.get(id);
    this.faults.delete(id);
    this.holds.releaseStuck(id);
    this.reload();
  }

  deleteAll(): void {
    this.faults.deleteAll();
    this.holds.releaseStuck();
    this.reload();
  }

  /**
   * The first rule that matches the call and fires, in creation order. Every matching rule
   * before it counts the call (its n moves on) even when it does not fire.
   */
  evaluate(call: FaultCall): FaultHit | undefined {
    for (const rule of this.rules) {
      const { match, trigger } = rule.spec;
      if (!inWindow(trigger, call.now) || !matchesCall(match, call)) {
        continue;
      }
      const n = this.faults.countMatch(rule.id);
      if (n === undefined) {
        continue; // deleted by another process
      }
      const seed = trigger.seed ?? rule.id;
      const fires =
        trigger.nthCall !== undefined
          ? n === trigger.nthCall
          : trigger.firstCalls !== undefined
            ? n <= trigger.firstCalls
            : trigger.probability !== undefined
              ? draw(seed, n, 'probability') < trigger.probability
              : true;
      if (fires) {
        this.faults.countHit(rule.id, call.now);
        return { rule, n, seed };
      }
    }
    return undefined;
  }

  private reload(): void {
    this.loadedVersion = this.faults.version();
    this.rules = this.faults
      .all()
      .map((row) => ({ id: row.id, spec: JSON.parse(row.spec) as FaultSpec }));
  }
}
