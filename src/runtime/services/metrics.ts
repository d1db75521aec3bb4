/**
 * A service's Prometheus metrics over HTTP (`GET /metrics`, text format 0.0.4) and its health
 * (`GET /health`: 200 while its bus is connected, else 503), on 127.0.0.1 by default:
 *
 * - `scalper_bus_consumer_lag{service,durable}`: messages of the consumer's filter not yet
 *   acknowledged, read from the stream at each scrape (how far a stage is behind);
 * - `scalper_bus_in_flight{service,durable}`: messages handed to the handler and not yet answered
 *   (bounded by `maxAckPending`: the backpressure);
 * - `scalper_service_messages_total{service,what}`: what the service did (records applied, grid
 *   seconds published, decisions taken, orders sent, fills);
 * - `scalper_service_stage_latency_ms{stage}` (execute): p50 and p99 of each stage of the grid
 *   seconds acted on so far.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import type { Subscription } from '../../infra/index.js';

/** What a service shows. */
export interface ServiceView {
  readonly name: string;
  subscriptions(): readonly Subscription[];
  /** Counts by what they count. */
  counts(): Readonly<Record<string, number>>;
  /** Stage latency percentiles, ms (execute only). */
  stages?(): Readonly<Record<string, { readonly p50: number; readonly p99: number }>>;
  /** Null while healthy, else why not. */
  unhealthy(): string | null;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #server: Server;

  private constructor(view: ServiceView, server: Server) {
    this.#server = server;
    const registers = [this.registry];
    const service = view.name;
    new Gauge({
      name: 'scalper_bus_consumer_lag',
      help: 'Messages of the consumer filter not yet acknowledged',
      labelNames: ['service', 'durable'],
      registers,
      async collect() {
        this.reset();
        for (const s of view.subscriptions()) {
          const lag = await s.lag().catch(() => Number.NaN);
          this.set({ service, durable: s.durable }, lag);
        }
      },
    });
    new Gauge({
      name: 'scalper_bus_in_flight',
      help: 'Messages handed to the handler and not yet answered',
      labelNames: ['service', 'durable'],
      registers,
      collect() {
        this.reset();
        for (const s of view.subscriptions()) this.set({ service, durable: s.durable }, s.inFlight);
      },
    });
    new Gauge({
      name: 'scalper_service_messages_total',
      help: 'What the service did, by kind',
      labelNames: ['service', 'what'],
      registers,
      collect() {
        for (const [what, n] of Object.entries(view.counts())) this.set({ service, what }, n);
      },
    });
    if (view.stages !== undefined) {
      const stages = view.stages.bind(view);
      new Gauge({
        name: 'scalper_service_stage_latency_ms',
        help: 'Stage latency of the grid seconds acted on, ms',
        labelNames: ['stage', 'quantile'],
        registers,
        collect() {
          for (const [stage, q] of Object.entries(stages())) {
            this.set({ stage, quantile: '0.5' }, q.p50);
            this.set({ stage, quantile: '0.99' }, q.p99);
          }
        },
      });
    }
  }

  /** Serves `view` on host:port (port 0: a free one; `url` says which). */
  static async serve(view: ServiceView, port: number, host = '127.0.0.1'): Promise<ServiceMetrics> {
    let metrics: ServiceMetrics | null = null;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      if (path === '/metrics' && metrics !== null) {
        const r = metrics.registry;
        r.metrics().then(
          (text) => res.writeHead(200, { 'content-type': r.contentType }).end(text),
          (err) => res.writeHead(500).end(`metrics failed: ${(err as Error).message}\n`),
        );
        return;
      }
      if (path === '/health') {
        const why = view.unhealthy();
        res
          .writeHead(why === null ? 200 : 503, { 'content-type': 'application/json' })
          .end(`${JSON.stringify(why === null ? { ready: true } : { ready: false, reason: why })}\n`);
        return;
      }
      res.writeHead(404).end();
    });
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    metrics = new ServiceMetrics(view, server);
    return metrics;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
