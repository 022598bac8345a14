// The sandbox's TLS identity: a self-signed leaf for 127.0.0.1 and localhost, made at start (about 160 ms), or a
// key/cert pair given by the caller or by TBMON_SANDBOX_TLS_KEY / TBMON_SANDBOX_TLS_CERT (files), so a test runner can
// make one certificate and trust it once with NODE_EXTRA_CA_CERTS for a whole process.
import fs from 'node:fs';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** Where the certificate already lives on disk, when it came from a file. */
  certPath?: string;
}

export async function makeSelfSignedCert(): Promise<TlsMaterial> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function resolveTls(given?: { key: string; cert: string }, env: NodeJS.ProcessEnv = process.env): Promise<TlsMaterial> {
  if (given) return given;
  const keyPath = env.TBMON_SANDBOX_TLS_KEY;
  const certPath = env.TBMON_SANDBOX_TLS_CERT;
  if (keyPath && certPath) return { key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8'), certPath };
  return makeSelfSignedCert();
}
