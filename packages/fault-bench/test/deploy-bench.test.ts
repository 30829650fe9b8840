import { describe, expect, it } from '@jest/globals';
import { BIN_MS, computeDeployFigures, type DeployMark } from '../src/deploys/deploy-figures.js';
import { haproxyDeployConfig, parseServersState, parseSessions } from '../src/proxies/haproxy.js';
import { nginxConfig } from '../src/proxies/nginx.js';
import type { RequestRecords } from '../src/records.js';

/** HAProxy 2.6's answer to `show servers state blue` with s1 serving, s2 filled by a roll, s3 an empty slot. */
const SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 blue 1 s1 127.0.0.1 2 0 1 1 0 15 3 3 6 0 0 0 - 37137 - 0 0 - - 0
3 blue 2 s2 127.0.0.1 2 4 1 1 0 15 3 3 6 0 0 0 - 36363 - 0 0 - - 0
3 blue 3 s3 127.0.0.1 0 5 1 1 0 1 0 0 14 0 0 0 - 1 - 0 0 - - 0

`;

/** The first columns of HAProxy 2.6's `show stat`, as far as `scur`, and the rows that matter. */
const SHOW_STAT = `# pxname,svname,qcur,qmax,scur,smax,slim,stot
bench,FRONTEND,,,7,9,8192,100
blue,s1,0,0,3,4,,50
blue,s2,0,0,0,1,,50
green,g1,0,0,2,2,,0
blue,BACKEND,0,0,3,4,,100
`;

describe('HAProxy runtime API answers', () => {
  it('reads each server\'s port, operational and administrative state by column name', () => {
    expect(parseServersState(SERVERS_STATE)).toEqual([
      { name: 's1', address: '127.0.0.1', port: 37137, operational: 2, administrative: 0 },
      { name: 's2', address: '127.0.0.1', port: 36363, operational: 2, administrative: 4 },
      { name: 's3', address: '127.0.0.1', port: 1, operational: 0, administrative: 5 },
    ]);
  });

  it('refuses an answer without the column header rather than guessing', () => {
    expect(() => parseServersState('Unknown command\n')).toThrow(/unexpected show servers state output/);
  });

  it('reads the current sessions of one backend\'s servers only', () => {
    expect([...parseSessions(SHOW_STAT, 'blue')]).toEqual([['s1', 3], ['s2', 0]]);
  });
});

describe('the proxies\' deploy configurations', () => {
  it('HAProxy: serving instances in slots, empty slots disabled, green as its own backend, the backend chosen by the map', () => {
    const config = haproxyDeployConfig(9000, '/tmp/x/admin.sock', '/tmp/x/active.map', [8001, 8002], [8101]);
    expect(config).toContain('stats socket /tmp/x/admin.sock mode 600 level admin');
    expect(config).toContain('use_backend %[str(active),map(/tmp/x/active.map,blue)]');
    expect(config).toMatch(/server s1 127\.0\.0\.1:8001 check\n/);
    expect(config).toMatch(/server s2 127\.0\.0\.1:8002 check\n/);
    expect(config).toMatch(/server s6 127\.0\.0\.1:1 check disabled\n/);
    expect(config).toMatch(/backend green[\s\S]*server g1 127\.0\.0\.1:8101 check/);
  });

  it('nginx: the upstream block lists exactly the ports given', () => {
    const config = nginxConfig('/tmp/x', 9000, [8004, 8002]);
    expect(config.match(/server 127\.0\.0\.1:(\d+)/g)).toEqual(['server 127.0.0.1:8004', 'server 127.0.0.1:8002']);
  });
});

/** `n` requests at `rate`/s: version by request, 2 ms each, status 200 unless `failedAt` says otherwise. */
function records(n: number, rate: number, versionOf: (i: number) => string, failed: (i: number) => boolean = () => false): RequestRecords {
  const intended = Array.from({ length: n }, (_, i) => (i * 1000) / rate);
  return {
    intended,
    sent: [...intended],
    latency: intended.map(() => 2),
    status: intended.map((_, i) => (failed(i) ? 0 : 200)),
    error: intended.map((_, i) => (failed(i) ? 'ECONNRESET' : '')),
    instance: intended.map(() => 0),
    version: intended.map((_, i) => (failed(i) ? '' : versionOf(i))),
  };
}

describe('deploy figures', () => {
  const rate = 1000;
  const marks: DeployMark[] = [{ atMs: 4000, what: 'cutover', subject: 'green' }];

  it('a clean cut-over: no flicker, nothing old after the flip, every request counted once', () => {
    const figures = computeDeployFigures(records(10_000, rate, (i) => (i < 4005 ? '1.0' : '2.0')), marks, 4000, 10_000);
    expect(figures.total).toBe(10_000);
    expect(figures.failed).toBe(0);
    expect(figures.versions).toEqual({ '1.0': 4005, '2.0': 5995 });
    expect(figures.flickerMs).toBe(0);
    expect(figures.oldAfterDeploy).toBe(4); // requests 4001–4004, sent after the flip was written
    expect(figures.deployMs).toBe(0);
  });

  it('the flicker window runs from the first new answer to the last old one, interleaved or not', () => {
    // 2.0 from 3 s on, 1.0 still every other request until 5 s
    const figures = computeDeployFigures(records(10_000, rate, (i) => (i >= 3000 && (i >= 5000 || i % 2 === 0) ? '2.0' : '1.0')), marks, 3000, 10_000);
    expect(figures.flickerMs).toBeCloseTo(4999 - 3000, 6);
    expect(Object.keys(figures.versions)).toEqual(['1.0', '2.0']);
  });

  it('one version only: no flicker window at all', () => {
    expect(computeDeployFigures(records(2000, rate, () => '1.0'), [], 1000, 2000).flickerMs).toBeNull();
  });

  it('failed requests are counted by cause and by bin, and left out of the versions', () => {
    const figures = computeDeployFigures(records(10_000, rate, () => '2.0', (i) => i >= 4100 && i < 4110), marks, 4000, 10_000);
    expect(figures.failed).toBe(10);
    expect(figures.errors).toEqual({ ECONNRESET: 10 });
    expect(figures.versions).toEqual({ '2.0': 9990 });
    expect(figures.perBin.failed[Math.floor(4100 / BIN_MS)]).toBe(10);
    expect(figures.perBin.failed.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('the share of the new version per bin', () => {
    const figures = computeDeployFigures(records(2000, rate, (i) => (i < 1000 ? '1.0' : '2.0')), marks, 1000, 2000);
    expect(figures.perBin.newShare).toEqual([0, 0, 0, 0, 100, 100, 100, 100]);
  });
});
