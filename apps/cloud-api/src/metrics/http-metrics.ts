import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';

/** Prometheus metrics of one cloud-api instance (its own Registry, so tests can run many). */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly series = new Map<
    string,
    { requests: Counter.Internal; duration: Histogram.Internal<'method' | 'route' | 'status'> }
  >();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'nimbus_cloud_api_' });
  }

  /**
   * The labelled children of one method, route and status, looked up once: prom-client hashes
   * the label set on every inc/observe otherwise. (Bounded: routes are templates, statuses few.)
   */
  private seriesOf(method: string, route: string, status: number) {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, series);
    }
    return series;
  }

  /** Express middleware: times each request and labels it with the matched route template. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        // req.route is set once Express matched a handler; unmatched paths share one label.
        const route = req.route
          ? `${req.baseUrl}${(req.route as { path: string }).path}`
          : 'unmatched';
        const series = this.seriesOf(req.method, route, res.statusCode);
        series.requests.inc();
        series.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }
}
