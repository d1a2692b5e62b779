import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  metrics,
  trace,
  ValueType,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { type Instrumentation, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { DURATION_BUCKETS } from './semconv.ts';

const VERSION = '0.1.0';

/**
 * What an instrumentation built on Node's diagnostics channels needs of the SDK: a tracer, a meter, and
 * subscribing while enabled. No module patching, so nothing here depends on when the app loads `http`.
 */
export abstract class ChannelInstrumentation implements Instrumentation {
  readonly instrumentationName: string;
  readonly instrumentationVersion = VERSION;
  protected tracer: Tracer;
  protected meter: Meter;
  #config: InstrumentationConfig = { enabled: false };
  #subscribed: Array<[string, (message: unknown, name: string | symbol) => void]> = [];

  constructor(name: string) {
    this.instrumentationName = name;
    this.tracer = trace.getTracer(name, VERSION);
    this.meter = metrics.getMeter(name, VERSION);
  }

  /** [channel, handler] pairs subscribed while enabled. */
  protected abstract channels(): Array<[string, (message: never) => void]>;
  /** (Re)creates the metric instruments from `this.meter`; subclasses call it once constructed. */
  protected abstract updateInstruments(): void;

  protected durationHistogram(name: string, description: string): Histogram {
    return this.meter.createHistogram(name, {
      description,
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(this.instrumentationName, VERSION);
  }

  setMeterProvider(provider: MeterProvider): void {
    this.meter = provider.getMeter(this.instrumentationName, VERSION);
    this.updateInstruments();
  }

  setConfig(config: InstrumentationConfig): void {
    this.#config = { ...config };
  }

  getConfig(): InstrumentationConfig {
    return this.#config;
  }

  enable(): void {
    this.#config.enabled = true;
    if (this.#subscribed.length) return;
    for (const [name, handler] of this.channels()) {
      const bound = handler.bind(this) as unknown as (message: unknown, name: string | symbol) => void;
      subscribe(name, bound);
      this.#subscribed.push([name, bound]);
    }
  }

  disable(): void {
    this.#config.enabled = false;
    for (const [name, handler] of this.#subscribed) unsubscribe(name, handler);
    this.#subscribed = [];
  }
}
