import fs from 'node:fs';
import path from 'node:path';
import { keyIdOf } from './checkpoint.ts';
import {
  generateKeyPair,
  publicKeyOf,
  publicKeyPem,
  signerFromKeyPair,
  type SignatureAlgorithm,
  type Signer,
} from './signing.ts';

/**
 * The checkpoint signing key: `DATA_DIR/keys/ledger-<alg>.key` (JSON with the private key in hex,
 * file mode 0600), created on first use and never stored in the database or logged; the public half
 * is also written beside it as `ledger-<alg>.pub.pem`. A copy of the database alone cannot forge a
 * checkpoint. Back the key file up; replace this module to use an HSM (密码机): only `sign` is needed.
 */

export interface LedgerKey {
  algorithm: SignatureAlgorithm;
  keyName: string;
  publicKeyHex: string;
  keyIdHex: string;
  signer: Signer;
}

interface KeyFile {
  algorithm: SignatureAlgorithm;
  privateKeyHex: string;
  createdAt: string;
}

export function ledgerKeyPath(keysDir: string, algorithm: SignatureAlgorithm): string {
  return path.join(keysDir, `ledger-${algorithm}.key`);
}

function readKeyFile(file: string, algorithm: SignatureAlgorithm): KeyFile {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeyFile>;
  if (
    parsed.algorithm !== algorithm ||
    typeof parsed.privateKeyHex !== 'string' ||
    !/^[0-9a-f]{64}$/.test(parsed.privateKeyHex)
  ) {
    throw new Error(`${file}: not a ledger ${algorithm} key file`);
  }
  return parsed as KeyFile;
}

/** Loads the signing key, creating it (and its directory) on first use. */
export function loadOrCreateLedgerKey(
  keysDir: string,
  algorithm: SignatureAlgorithm,
  keyName: string,
): LedgerKey {
  const file = ledgerKeyPath(keysDir, algorithm);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
    const kp = generateKeyPair(algorithm);
    const content: KeyFile = {
      algorithm,
      privateKeyHex: kp.privateKeyHex,
      createdAt: new Date().toISOString(),
    };
    try {
      // 'wx': never overwrite a key another process created a moment ago.
      fs.writeFileSync(file, `${JSON.stringify(content)}\n`, { mode: 0o600, flag: 'wx' });
      fs.writeFileSync(
        path.join(keysDir, `ledger-${algorithm}.pub.pem`),
        publicKeyPem(algorithm, kp.publicKeyHex),
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const { privateKeyHex } = readKeyFile(file, algorithm);
  const publicKeyHex = publicKeyOf(algorithm, privateKeyHex);
  return {
    algorithm,
    keyName,
    publicKeyHex,
    keyIdHex: keyIdOf(keyName, algorithm, publicKeyHex).toString('hex'),
    signer: signerFromKeyPair({ algorithm, privateKeyHex, publicKeyHex }),
  };
}
