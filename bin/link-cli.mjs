// `postinstall`: links the project's own CLI into node_modules/.bin, so that `npx xinrong …` (as the
// README says) runs it. npm links the bins of dependencies but not the root package's own, and
// `npx xinrong` would otherwise look for a package of that name in the registry (a 404).
// Runs on whatever Node runs npm (Node 20 on these machines): plain ESM, no TypeScript.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(root, 'node_modules', '.bin');
const link = path.join(binDir, 'xinrong');
fs.mkdirSync(binDir, { recursive: true });
try {
  fs.lstatSync(link);
} catch {
  fs.symlinkSync(path.join('..', '..', 'bin', 'xinrong.js'), link);
}
