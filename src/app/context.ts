import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { createIngestService, type IngestService } from '../ingest/ingest.service.ts';
import { createCatalogService, type CatalogService } from '../catalog/catalog.service.ts';
import { createSubjectsService, type SubjectsService } from '../subjects/subjects.service.ts';
import { lazyKeyring, type Keyring } from '../access/keyring.ts';
import { createFieldCrypto, type FieldCrypto } from '../access/field-crypto.ts';
import { createConsentService, type ConsentService } from '../consent/consent.service.ts';
import { createAccessService, type AccessService } from '../access/access.service.ts';
import { createAccountsService, type AccountsService } from '../accounts/accounts.service.ts';
import { createEvaluationService, type EvaluationService } from '../evaluation/evaluation.service.ts';
import { createSafeRoomService, type SafeRoomService } from '../saferoom/saferoom.service.ts';
import { createProfileService, type ProfileService } from '../profiles/profile.service.ts';
import { readRecords } from '../access/read-path.ts';
import { createStatsService, type StatsService } from '../web/stats.service.ts';
import { createConnectors } from '../connectors/connectors.wiring.ts';
import type { ConnectorService } from '../connectors/connector.service.ts';
import { createLedgerService, type LedgerService } from '../ledger/ledger.service.ts';
import { createReportsService, type ReportsService } from '../reports/reports.service.ts';
import { createRightsService, type RightsService } from '../rights/rights.service.ts';
import { createWhitelistService, type WhitelistService } from '../whitelist/whitelist.service.ts';

/**
 * The composition root's output: configuration, the database and every domain service, built once
 * by `createAppContext` and handed to the HTTP layer, the CLI and jobs. Services are plain factory
 * functions that take exactly the dependencies they use.
 */
export interface AppContext {
  config: Config;
  db: Db;
  catalog: CatalogService;
  subjects: SubjectsService;
  /** Master-key-derived keys (DATA_DIR/keys), loaded on first use. */
  keyring: Keyring;
  /** SM4 encryption of personal-sensitive record fields (record store writes, read path reads). */
  fieldCrypto: FieldCrypto;
  /** Consents (授权): grant, revoke, list, and `authorizeUse` for every consented use. */
  consent: ConsentService;
  /** The one read path (`readRecords`) and the access log. */
  access: AccessService;
  /** Organisations, users, sessions, TOTP, machine-client keys and request signatures. */
  accounts: AccountsService;
  /** Aggregates for the web portals: public headline figures, operator dashboard. */
  stats: StatsService;
  /** On-demand data (接口调用): provider interfaces, `pull` under consent, per-provider health. */
  connectors: ConnectorService;
  /** Batches (物理归集): push files and rows, batch progress and row errors. */
  ingest: IngestService;
  /** Credit evaluation (信用评价): model versions, full and incremental runs, subject evaluations. */
  evaluation: EvaluationService;
  /** Data safe room (数据安全屋): joint modelling on institutions' loan outcomes; results out, rows never. */
  saferoom: SafeRoomService;
  /** Profiles (画像): tags with evidence, computed from what the viewer may read. */
  profiles: ProfileService;
  /** Tamper-evident ledger (防篡改): sequencer, signed checkpoints, proofs, bundles, verification. */
  ledger: LedgerService;
  /** Credit reports (信用报告): issue, frozen JSON/HTML/PDF, verification by number or file. */
  reports: ReportsService;
  /** Subject rights: objections (异议), credit repair (信用修复), commitments and declarations. */
  rights: RightsService;
  /** Financing whitelist (融资白名单): recommendations, review, the list institutions see, profile tag. */
  whitelist: WhitelistService;
  // Each domain adds its service here, e.g. `catalog: CatalogService;`, built in createAppContext.
}

export function createAppContext(config: Config, db: Db): AppContext {
  const catalog = createCatalogService(db);
  const keyring = lazyKeyring(config.dataDir);
  const fieldCrypto = createFieldCrypto(keyring);
  const whitelist = createWhitelistService({ db });
  const ctx: Omit<AppContext, 'reports'> = {
    config,
    db,
    catalog,
    ingest: createIngestService({ db, config, catalog, fieldCrypto }),
    subjects: createSubjectsService(db),
    keyring,
    fieldCrypto,
    consent: createConsentService({ db, catalog, dataDir: config.dataDir }),
    access: createAccessService({ db, fieldCrypto, catalog }),
    accounts: createAccountsService({ db, keyring, fieldCrypto, catalog }),
    evaluation: createEvaluationService({ db, catalog }),
    saferoom: createSafeRoomService({ db, catalog }),
    profiles: createProfileService({
      readRecords: (q) => readRecords({ db, fieldCrypto, catalog }, q),
      tagSources: [whitelist.tagSource],
    }),
    stats: createStatsService({ db, catalog }),
    connectors: createConnectors({ db, catalog, fieldCrypto, keyring }),
    ledger: createLedgerService({ db, config }),
    rights: createRightsService({ db, catalog, fieldCrypto }),
    whitelist,
  };
  // Reports use the same ledger, connectors and evaluation instances (sequencer, breakers, caches).
  const { ledger, connectors, evaluation } = ctx;
  const reports = createReportsService({ db, config, catalog, fieldCrypto, ledger, connectors, evaluation });
  return { ...ctx, reports };
}
