import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM texts made by the `openssl` CLI: a CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a second, unrelated CA. */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it alone must fail verification. */
  otherCa: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A CA (EC P-256, 1 day), then a server and a client certificate it signs. */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'discovery-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    for (const ca of ['ca', 'other-ca']) {
      await openssl(dir, 'req', '-x509', ...ec, '-keyout', `${ca}-key.pem`, '-out', `${ca}.pem`, '-days', '1', '-subj', `/CN=test ${ca}`);
    }
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    for (const leaf of ['server', 'client']) {
      await openssl(dir, 'req', ...ec, '-keyout', `${leaf}-key.pem`, '-out', `${leaf}.csr`, '-subj', `/CN=test ${leaf}`);
      await openssl(dir, 'x509', '-req', '-in', `${leaf}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial',
        '-out', `${leaf}.pem`, '-days', '1', '-extfile', `${leaf}.ext`);
    }
    const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
    return {
      ca: await read('ca.pem'),
      serverCert: await read('server.pem'),
      serverKey: await read('server-key.pem'),
      clientCert: await read('client.pem'),
      clientKey: await read('client-key.pem'),
      otherCa: await read('other-ca.pem'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
