/** framework.Code. */
export enum Code {
  Success = 0,
  Error = 1,
  /** The pod might fit after other pods are removed (preemption may help). */
  Unschedulable = 2,
  /** Preemption cannot help (taints, affinity, …). */
  UnschedulableAndUnresolvable = 3,
  Wait = 4,
  /** The plugin has nothing to do for this pod. */
  Skip = 5,
  Pending = 6,
}

/**
 * framework.Status of a failed or skipped extension point: code, reasons (each counted in the
 * FailedScheduling histogram) and the plugin that returned it. Success is `undefined`.
 */
export class Status {
  plugin = '';

  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
  ) {}

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static skip(): Status {
    return new Status(Code.Skip);
  }

  static error(message: string): Status {
    return new Status(Code.Error, [message]);
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }

  /** Unschedulable or UnschedulableAndUnresolvable. */
  get rejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }

  /** Status.Message: the reasons joined with ", ". */
  get message(): string {
    return this.reasons.join(', ');
  }
}
