import { Command } from 'commander';
import { reportCliError } from './context.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerBatches, registerIngest } from './commands/ingest.ts';
import { registerServe } from './commands/serve.ts';
import { registerEvaluate } from './commands/evaluate.ts';
import { registerSubjects } from './commands/subjects.ts';
import { registerSeed } from './commands/seed.ts';
import { registerConnectors } from './commands/connectors.ts';
import { registerReport } from './commands/report.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerAccounts } from './commands/accounts.ts';
import { registerRights } from './commands/rights.ts';

/** `xinrong` CLI. Every command is registered here, and reuses the same services as the HTTP API. */
const program = new Command();
program.name('xinrong').description('信融 融资信用服务平台 / xinrong financing credit service platform');

registerServe(program);
registerMigrate(program);
registerCatalog(program);
registerIngest(program);
registerBatches(program);
registerSubjects(program);
registerSeed(program);
registerConnectors(program);
registerReport(program);
registerLedger(program);
registerAccounts(program);
registerRights(program);

registerEvaluate(program);

program.parseAsync(process.argv).catch(reportCliError);
