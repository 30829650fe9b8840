import { describe, expect, it } from '@jest/globals';
import { caddyConfig, parseCaddyLog } from '../src/proxies/caddy.js';
import { haproxyConfig, parseHaproxyLog, queueSettings } from '../src/proxies/haproxy.js';
import { nginxConfig, parseNginxLog } from '../src/proxies/nginx.js';

describe('nginx access log', () => {
  it('gives every upstream a request tried, with its start time and outcome', () => {
    const start = 1_700_000_000_000;
    const log = [
      '1700000001.500 0.002 17 200 "127.0.0.1:8001" "200" "0.002"',
      '1700000003.010 1.010 18 200 "127.0.0.1:8002, 127.0.0.1:8003" "504, 200" "1.000, 0.010"',
      '1700000004.000 0.000 - 200 "127.0.0.1:8001" "200" "0.000"',
      'garbage',
    ].join('\n');
    const attempts = parseNginxLog(log, start);
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toEqual({ rid: 17, t: expect.closeTo(1498, 5), port: 8001 });
    expect(attempts[1]).toEqual({ rid: 18, t: expect.closeTo(2000, 5), port: 8002, failed: true });
    expect(attempts[2]!.port).toBe(8003);
    expect(attempts[2]!.t).toBeCloseTo(3000, 5);
    expect(attempts[2]!.failed).toBeUndefined();
  });

  it('is configured with the budget of issue 8', () => {
    const config = nginxConfig('/tmp/x', 9000, [8001, 8002]);
    expect(config).toContain('server 127.0.0.1:8002 max_fails=1 fail_timeout=2s;');
    expect(config).toContain('proxy_next_upstream error timeout http_502 http_503 http_504;');
    expect(config).toContain('proxy_next_upstream_tries 2;');
    expect(config).toContain('proxy_read_timeout 1s;');
    expect(config).toContain('worker_processes 1;');
    expect(config).toMatch(/keepalive \d+;/);
  });
});

describe('HAProxy log', () => {
  it('gives the last server of a request and attributes the retries before it to the faulty instance', () => {
    const start = 1_700_000_000_000;
    const log = [
      '1700000001.500 0 0 2 1 200 p8001 0 ---- {17}',
      // a keep-alive connection accepted at 1.0 s, idle until 2.0 s
      '1700000001.000 0 1000 1003 2 200 p8003 +1 ---- {18}',
      '1700000003.000 0 0 1000 -1 503 <NOSRV> 2 sC-- {19}',
    ].join('\n');
    const attempts = parseHaproxyLog(log, start, 8002);
    expect(attempts).toEqual([
      { rid: 17, t: 1501, port: 8001 },
      { rid: 18, t: 2000, port: 8002, failed: true, inferred: true },
      { rid: 18, t: 3001, port: 8003 },
      { rid: 19, t: 3000, port: 8002, failed: true, inferred: true },
      { rid: 19, t: 3000, port: 8002, failed: true, inferred: true },
    ]);
  });

  it('is configured with the budget of issue 8', () => {
    const config = haproxyConfig(9000, [8001, 8002]);
    for (const line of [
      'balance roundrobin',
      'option httpchk GET /health',
      'inter 1s fastinter 250ms downinter 1s rise 2 fall 2 observe layer7 error-limit 1 on-error mark-down',
      'retries 2',
      'option redispatch 1',
      'retry-on conn-failure empty-response response-timeout 502 503 504',
      'nbthread 1',
      'timeout server 1s',
    ]) {
      expect(config).toContain(line);
    }
  });
});

describe('HAProxy with its overload settings (haproxy-tuned)', () => {
  it('limits every server to the instances\' concurrency and times the queue out', () => {
    const config = haproxyConfig(9000, [8001, 8002], queueSettings({ concurrency: 10, serviceMs: 50 }));
    expect(config).toContain('observe layer7 error-limit 1 on-error mark-down maxconn 10');
    expect(config).toContain('  timeout queue 500ms\n');
    // the backend's timeout comes after the defaults' and wins there
    expect(config.indexOf('timeout queue 500ms')).toBeGreaterThan(config.indexOf('backend instances'));
  });

  it('gives instances without a limit a maxconn that binds only on a stuck server', () => {
    expect(queueSettings(undefined).maxconn).toBe(32);
    expect(queueSettings({ concurrency: Infinity, serviceMs: 50 }).maxconn).toBe(32);
    expect(haproxyConfig(9000, [8001])).not.toContain('maxconn 32');
  });
});

describe('Caddy debug log', () => {
  /** A line as Caddy 2.6 writes it (headers shortened). */
  const roundtrip = (ts: number, upstream: string, duration: number, rid: string, end: string): string =>
    `{"level":"debug","ts":${ts},"logger":"http.handlers.reverse_proxy","msg":"upstream roundtrip","upstream":"${upstream}","duration":${duration},` +
    `"request":{"remote_ip":"127.0.0.1","method":"GET","uri":"/ratings/camera","headers":{"X-Request-Id":["${rid}"],"User-Agent":["undici"]}},${end}}`;

  it('gives every attempt with its upstream, start time and outcome', () => {
    const start = 1_700_000_000_000;
    const log = [
      '{"level":"info","ts":1700000000.5,"logger":"http.handlers.reverse_proxy.health_checker.active","msg":"host is up","host":"127.0.0.1:8001"}',
      '{"level":"debug","ts":1700000001.0,"logger":"http.handlers.reverse_proxy","msg":"selected upstream","dial":"127.0.0.1:8002","total_upstreams":3}',
      roundtrip(1700000001.5, '127.0.0.1:8001', 0.002, '17', '"headers":{"X-Instance":["8001"]},"status":200'),
      roundtrip(1700000003.0, '127.0.0.1:8002', 1.0, '18', '"error":"net/http: timeout awaiting response headers"'),
      roundtrip(1700000003.02, '127.0.0.1:8003', 0.01, '18', '"headers":{},"status":200'),
      roundtrip(1700000004.0, '127.0.0.1:8002', 0.001, '19', '"headers":{},"status":503'),
      roundtrip(1700000004.0, '127.0.0.1:8002', 0.001, '-', '"headers":{},"status":200'),
      'garbage',
    ].join('\n');
    const attempts = parseCaddyLog(log, start);
    expect(attempts).toEqual([
      { rid: 17, t: expect.closeTo(1498, 3), port: 8001 },
      { rid: 18, t: expect.closeTo(2000, 3), port: 8002, failed: true },
      { rid: 18, t: expect.closeTo(3010, 3), port: 8003 },
      { rid: 19, t: expect.closeTo(3999, 3), port: 8002, failed: true },
    ]);
  });

  it('is configured with the budget every contender gets, no admin endpoint and no HTTPS', () => {
    const config = caddyConfig('/tmp/x', 9000, [8001, 8002]);
    for (const line of [
      'admin off',
      'auto_https off',
      'http://:9000 {',
      'bind 127.0.0.1',
      'reverse_proxy 127.0.0.1:8001 127.0.0.1:8002 {',
      'lb_policy round_robin',
      'lb_retries 1',
      'lb_try_duration 2000ms',
      'health_uri /health',
      'max_fails 1',
      'response_header_timeout 1000ms',
      'output file /tmp/x/attempts.log',
    ]) {
      expect(config).toContain(line);
    }
  });
});
